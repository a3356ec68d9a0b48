"""Metrics, one module per metric family."""
