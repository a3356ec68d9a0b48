"""Running the matrix: cells, plans, profiles, executors, checkpoints, the run loop."""
