"""One cell end to end: dataset -> networks -> method -> trainer -> evaluator -> record."""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time
import traceback
from typing import Any

import numpy as np

import methods
from benches import datasets
from benches.matrix import Cell
from benches.profiles import Schedule, schedule
from benches.records import SCHEMA_VERSION, environment
from benches.trainer import Diverged, Trainer

log = logging.getLogger(__name__)

EVAL_SEED = 12345


def resolve_hyperparameters(cell: Cell) -> tuple[dict[str, Any], dict[str, Any]]:
    """Final hyperparameters (defaults < dataset protocol < user) and the dataset's part."""
    registration = methods.get(cell.method.name)
    dataset = datasets.get(cell.dataset)
    prescribed = {k: v for k, v in dataset.settings_for(cell.method.name).items()
                  if k in registration.defaults}
    return {**registration.defaults, **prescribed, **cell.method.overrides}, prescribed


def _eval_calls(n_calls: int, evals: int) -> set[int]:
    """Call indices (1-based) after which to evaluate: evenly spaced, always the last."""
    return {max(1, round(n_calls * (i + 1) / evals)) for i in range(evals)}


def _timing(windows: list[float], schedule_: Schedule, xla: bool) -> dict[str, Any]:
    steady = windows[1:] or windows
    median = statistics.median(steady)
    q = np.percentile(steady, [25, 75]) if len(steady) > 1 else [median, median]
    spc = schedule_.steps_per_call
    return {
        "xla": xla,
        "compile_seconds": max(windows[0] - median, 0.0),
        "first_call_seconds": windows[0],
        "steps_per_second": spc / median,
        "steps_per_second_iqr": [spc / q[1], spc / q[0]],
        "samples_per_second": spc * schedule_.batch_size / median,
        "timed_windows": len(steady),
        "steps_per_call": spc,
    }


def run_cell(cell: Cell, profile: str, *, xla: bool = True, steps: int | None = None,
             command: str = "") -> dict[str, Any]:
    """Train and evaluate one cell; never raises for a failure of the cell itself."""
    dataset = datasets.get(cell.dataset)
    registration = methods.get(cell.method.name)
    sched = schedule(profile, dataset.family)
    if steps is not None:
        sched = Schedule(steps=steps, batch_size=sched.batch_size,
                         steps_per_call=min(sched.steps_per_call, steps), evals=sched.evals,
                         eval_samples=sched.eval_samples, seeds=sched.seeds)
    hyperparameters, prescribed = resolve_hyperparameters(cell)
    record: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "cell_id": cell.cell_id,
        "method": {"name": cell.method.name, "label": cell.method.label,
                   "paper": registration.paper, "hyperparameters": hyperparameters,
                   "overrides": cell.method.overrides, "dataset_settings": prescribed},
        "dataset": dataset.describe(),
        "seed": cell.seed,
        "profile": profile,
        "steps": sched.steps,
        "batch_size": sched.batch_size,
        "eval_samples": sched.eval_samples,
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "status": "ok",
        "error": None,
        "metrics": {},
        "history": [],
        "timing": {},
    }
    start = time.perf_counter()
    trainer = None
    try:
        record["evaluation"] = dataset.evaluation_info(sched.eval_samples)
        method = registration.build(**hyperparameters)
        trainer = Trainer(method, dataset, seed=cell.seed, batch_size=sched.batch_size,
                          steps_per_call=sched.steps_per_call, xla=xla)
        record["timing"]["xla"] = trainer.xla
        if xla and not trainer.xla:
            record["timing"]["xla_note"] = method.xla_note
        n_calls = sched.steps // sched.steps_per_call
        evaluate_after = _eval_calls(n_calls, sched.evals)
        windows = []
        for call in range(1, n_calls + 1):
            stats, seconds = trainer.timed_call()
            windows.append(seconds)
            if call in evaluate_after:
                metrics = dataset.evaluate(trainer.generate(sched.eval_samples, EVAL_SEED))
                record["history"].append({"step": call * sched.steps_per_call, **metrics, **stats})
        record["metrics"] = {k: v for k, v in record["history"][-1].items() if k != "step"}
        record["timing"].update(_timing(windows, sched, trainer.xla))
    except Diverged as exc:
        record.update(status="diverged",
                      error={"type": "Diverged", "message": str(exc), "step": exc.step})
    except FloatingPointError as exc:
        step = int(trainer.step.numpy()) if trainer is not None else 0
        record.update(status="diverged",
                      error={"type": type(exc).__name__, "message": str(exc), "step": step})
    except Exception as exc:  # a failed cell is data; the matrix goes on
        step = int(trainer.step.numpy()) if trainer is not None else 0
        log.debug("cell %s failed", cell.cell_id, exc_info=True)
        record.update(status="failed", error={
            "type": type(exc).__name__, "message": str(exc), "step": step,
            "traceback": traceback.format_exc(limit=8)})
    record["timing"]["wall_seconds"] = time.perf_counter() - start
    return record
