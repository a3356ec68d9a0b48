"""Training one cell: the compiled trainer, the networks, XLA gradient registrations."""
