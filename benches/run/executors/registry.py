"""Executors: where the cells of a matrix run, registered by name like methods.

An executor takes the runner's :class:`benches.run.plan.CellPlan` list and yields
``(plan, record)`` pairs as cells finish, in any order; the runner writes the records.
``close()`` stops outstanding work (after an interruption). A new executor is a module
in this package with a ``@register(name)`` factory ``(jobs, address) -> Executor``;
``--executor NAME`` then selects it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the CLI imports this module; TensorFlow loads only when cells run
    from benches.run.plan import CellPlan

PlanRunner = Callable[["CellPlan"], dict[str, Any]]


class Executor(Protocol):
    def run(self, plans: Sequence[CellPlan]) -> Iterator[tuple[CellPlan, dict[str, Any]]]: ...

    def close(self) -> None: ...


ExecutorFactory = Callable[[int, "str | None"], Executor]
_FACTORIES: dict[str, ExecutorFactory] = {}


def register(name: str) -> Callable[[ExecutorFactory], ExecutorFactory]:
    """Register an executor factory ``(jobs, address) -> Executor`` under ``name``."""

    def decorate(factory: ExecutorFactory) -> ExecutorFactory:
        _FACTORIES[name] = factory
        return factory

    return decorate


def _discover() -> None:
    package = importlib.import_module("benches.run.executors")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "registry":
            importlib.import_module(f"benches.run.executors.{info.name}")


def names() -> list[str]:
    """Registered executor names (``local`` first)."""
    _discover()
    return sorted(_FACTORIES, key=lambda n: (n != "local", n))


def create(name: str, jobs: int, address: str | None = None) -> Executor:
    """The executor ``name`` for ``jobs`` parallel cells; ``ValueError`` says what is wrong."""
    _discover()
    if name not in _FACTORIES:
        raise ValueError(f"unknown executor {name!r}; valid: {', '.join(names())}")
    return _FACTORIES[name](jobs, address)


def run_plan(plan: CellPlan) -> dict[str, Any]:
    """Run one cell where this is called (what every executor runs per cell)."""
    from benches.run.cell import run_cell

    return run_cell(plan)


def set_threads(intra_op: int) -> None:
    """A worker's share of the CPU threads, through the one place threads are set."""
    from benches.run import runtime

    runtime.configure(intra_op=intra_op)
