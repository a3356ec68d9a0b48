"""The dataset registry: names -> dataset factories, discovered like methods.

A dataset is a module in this package with a ``@register(name)`` factory returning a
:class:`benches.datasets.base.Dataset`; :func:`discover` imports every module of the
package, so adding one needs no other change. Each dataset is built once per process
(it holds its data tensor and cached reference features).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from benches.datasets.base import FAMILIES, Dataset

DatasetFactory = Callable[[], Dataset]
_INFRASTRUCTURE = {"base", "registry", "image_sources", "evaluators"}
_FACTORIES: dict[str, DatasetFactory] = {}
_INSTANCES: dict[str, Dataset] = {}


def register(name: str) -> Callable[[DatasetFactory], DatasetFactory]:
    """Register a dataset factory under ``name`` (the name its dataset carries)."""

    def decorate(factory: DatasetFactory) -> DatasetFactory:
        if name in _FACTORIES and _FACTORIES[name].__module__ != factory.__module__:
            raise ValueError(f"dataset {name!r} is registered twice")
        _FACTORIES[name] = factory
        return factory

    return decorate


def discover() -> None:
    """Import every dataset module of this package (once)."""
    package = importlib.import_module("benches.datasets")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"benches.datasets.{info.name}")


def get(name: str) -> Dataset:
    """The dataset called ``name`` (one instance per process); errors list valid names."""
    discover()
    if name not in _FACTORIES:
        raise KeyError(f"unknown dataset {name!r}; valid: {', '.join(names())}")
    if name not in _INSTANCES:
        dataset = _FACTORIES[name]()
        if dataset.name != name:
            raise ValueError(f"dataset factory {name!r} built a dataset named {dataset.name!r}")
        _INSTANCES[name] = dataset
    return _INSTANCES[name]


def names() -> list[str]:
    """Every dataset name in matrix order: cheap families first (``FAMILIES``), then
    registration order."""
    discover()
    return sorted(_FACTORIES, key=lambda n: FAMILIES.index(get(n).family))


def available() -> list[Dataset]:
    """Every registered dataset, in matrix order."""
    return [get(n) for n in names()]
