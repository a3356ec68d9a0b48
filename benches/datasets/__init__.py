"""The dataset registry: every dataset the matrix can run on."""

from __future__ import annotations

from benches.datasets.base import Dataset
from benches.datasets.dirac import dirac
from benches.datasets.images import cifar10, mnist, stacked_mnist
from benches.datasets.mixtures import grid25, ring8

__all__ = ["Dataset", "available", "get"]


def _all() -> dict[str, Dataset]:
    return {d.name: d for d in (ring8(), grid25(), dirac(), mnist(), stacked_mnist(), cifar10())}


def available() -> list[Dataset]:
    """Every registered dataset, in matrix order."""
    return list(_all().values())


def get(name: str) -> Dataset:
    """The dataset called ``name``; a clear error lists valid names otherwise."""
    datasets = _all()
    if name not in datasets:
        raise KeyError(f"unknown dataset {name!r}; valid: {', '.join(datasets)}")
    return datasets[name]
