"""Building blocks that methods compose: losses, optimizers, penalties, transforms."""
