"""A cell's plan: everything its run depends on, resolved once by the runner.

The runner builds one :class:`CellPlan` per cell (dataset, schedule, final
hyperparameters, settings, where to checkpoint) and hands it to an executor; the worker
runs it with :func:`benches.run.cell.run_cell`. Plans are picklable and import no
TensorFlow, so the driver can plan a matrix and skip finished cells cheaply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import methods
from benches import datasets
from benches.results.records import SCHEMA_VERSION, environment
from benches.run.matrix import Cell
from benches.run.profiles import Schedule, schedule


def cell_schedule(profile: str, family: str, steps: int | None = None) -> Schedule:
    """The profile's schedule for a dataset family, with ``steps`` overriding its length."""
    sched = schedule(profile, family)
    if steps is None:
        return sched
    return dataclasses.replace(sched, steps=steps, steps_per_call=min(sched.steps_per_call, steps))


def resolve_hyperparameters(cell: Cell) -> methods.Resolved:
    """The cell's final hyperparameters with their provenance: factory defaults < the
    method's reference settings for the dataset's family < the user's overrides."""
    family = datasets.get(cell.dataset).family
    return methods.get(cell.method.name).resolve(family, cell.method.overrides)


@dataclass(frozen=True)
class CellPlan:
    """One cell and how to run it: resolved once, sent to any executor."""

    cell: Cell
    profile: str
    schedule: Schedule
    resolved: methods.Resolved
    xla: bool = True
    command: str = ""
    out: Path | None = None  # the run folder (sample grids go under it)
    checkpoint_dir: Path | None = None
    checkpoint_every: int = 0
    # where the method's code lives and its digest (``methods.source``), from the driver
    method_source: Mapping[str, Any] | None = None

    @property
    def cell_id(self) -> str:
        return self.cell.cell_id

    @property
    def decay_steps(self) -> int | None:
        """Steps over which learning rates decay to 0 (``None``: constant rates)."""
        return self.schedule.steps if self.schedule.lr_decay == "linear" else None

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The values the method is built with."""
        return self.resolved.hyperparameters

    @property
    def program_key(self) -> tuple[Any, ...]:
        """What the cell's compiled training program depends on: all but the seed. Cells
        with equal keys can share one compilation (:mod:`benches.run.cell`)."""
        return (self.cell.method.name, repr(sorted(self.hyperparameters.items())),
                self.cell.dataset, self.schedule.batch_size, self.schedule.steps_per_call,
                self.xla, self.decay_steps, self.schedule.networks)

    @property
    def settings(self) -> dict[str, Any]:
        """Everything the result depends on besides the cell id; equal settings, equal
        result. A record or checkpoint made under other settings is not reused."""
        return {"profile": self.profile, "xla": self.xla,
                "hyperparameters": dict(self.hyperparameters),
                "method_code": (self.method_source or {}).get("digest"),
                **{k: getattr(self.schedule, k) for k in
                   ("steps", "batch_size", "steps_per_call", "evals", "eval_samples",
                    "lr_decay", "mode_samples", "fid")},
                # only when not the default, so that earlier records keep their settings
                **({"networks": self.schedule.networks}
                   if self.schedule.networks != "default" else {})}

    def new_record(self) -> dict[str, Any]:
        """The cell's record before it runs: what it is and under which settings."""
        registration = methods.get(self.cell.method.name)
        return {
            "schema": SCHEMA_VERSION,
            "cell_id": self.cell_id,
            "method": {"name": self.cell.method.name, "label": self.cell.method.label,
                       "paper": registration.paper, "code": registration.code,
                       "hyperparameters": dict(self.hyperparameters),
                       "provenance": dict(self.resolved.provenance),
                       "family_settings": self.resolved.describe(),
                       "overrides": self.cell.method.overrides,
                       "source": dict(self.method_source or {})},
            "dataset": datasets.get(self.cell.dataset).describe(),
            "seed": self.cell.seed,
            "profile": self.profile,
            "steps": self.schedule.steps,
            "batch_size": self.schedule.batch_size,
            "eval_samples": self.schedule.eval_samples,
            "settings": self.settings,
            "command": self.command,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "environment": environment(),
            "status": "ok",
            "error": None,
            "metrics": {},
            "history": [],
            "timing": {},
            "gradient_log": {},
            "gradient_health": None,
        }

    def failed_record(self, error_type: str, message: str) -> dict[str, Any]:
        """The ``failed`` record of a cell that never reported (its worker vanished)."""
        record = self.new_record()
        record.update(status="failed", error={"type": error_type, "message": message,
                                              "step": None})
        return record


def plan_cell(cell: Cell, profile: str, *, xla: bool = True, steps: int | None = None,
              command: str = "", out: Path | None = None, checkpoint_dir: Path | None = None,
              checkpoint_every: int = 0, fid: bool = False) -> CellPlan:
    """Resolve ``cell`` under ``profile`` (``steps`` overrides the schedule's length;
    ``fid`` turns FID on where the profile leaves it off)."""
    dataset = datasets.get(cell.dataset)
    sched = cell_schedule(profile, dataset.family, steps)
    if sched.networks not in dataset.architectures:
        raise ValueError(f"profile {profile!r} asks for {sched.networks!r} networks, which "
                         f"{cell.dataset} does not have; it has: "
                         f"{', '.join(dataset.architectures)}")
    if fid:
        sched = dataclasses.replace(sched, fid=True)
    return CellPlan(cell, profile, sched,
                    resolve_hyperparameters(cell), xla=xla, command=command, out=out,
                    checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
                    method_source=methods.source(cell.method.name))
