"""One cell end to end: dataset -> networks -> method -> trainer -> evaluator -> record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import traceback
from pathlib import Path
from typing import Any

import methods
from benches import datasets, runtime, throughput
from benches.checkpoints import CellCheckpoint, CheckpointError, discard
from benches.matrix import Cell
from benches.profiles import Schedule, schedule
from benches.records import SCHEMA_VERSION, environment
from benches.samples import keep_samples
from benches.trainer import STAT_NAMES, Diverged, Trainer
from metrics import gradient_health

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


def _timing(call_seconds: list[float], schedule_: Schedule, xla: bool) -> dict[str, Any]:
    """Record timing fields: compile seconds, steady steps/s (median, IQR) and samples/s."""
    return {**throughput.summarize(call_seconds, steps_per_call=schedule_.steps_per_call,
                        batch_size=schedule_.batch_size, xla=xla),
            "runtime": runtime.settings()}


def cell_schedule(profile: str, family: str, steps: int | None = None) -> Schedule:
    """The profile's schedule for a dataset family, with ``steps`` overriding its length."""
    sched = schedule(profile, family)
    if steps is None:
        return sched
    return dataclasses.replace(sched, steps=steps, steps_per_call=min(sched.steps_per_call, steps))


def cell_settings(cell: Cell, profile: str, *, xla: bool = True,
                  steps: int | None = None) -> dict[str, Any]:
    """Everything a cell's result depends on besides its id; equal settings, equal result.

    A record or checkpoint made under other settings is not reused on resume.
    """
    sched = cell_schedule(profile, datasets.get(cell.dataset).family, steps)
    return {"profile": profile, "xla": xla, "hyperparameters": resolve_hyperparameters(cell)[0],
            **{k: getattr(sched, k) for k in
               ("steps", "batch_size", "steps_per_call", "evals", "eval_samples")}}


def _checkpoint_due(call: int, steps_per_call: int, every: int) -> bool:
    """Whether call ``call`` crossed a multiple of ``every`` steps (call boundaries only)."""
    return (call * steps_per_call) // every > ((call - 1) * steps_per_call) // every


def new_record(cell: Cell, profile: str, *, xla: bool = True, steps: int | None = None,
               command: str = "") -> dict[str, Any]:
    """A cell's record before it runs: what it is and under which settings (status ok)."""
    dataset = datasets.get(cell.dataset)
    sched = cell_schedule(profile, dataset.family, steps)
    hyperparameters, prescribed = resolve_hyperparameters(cell)
    return {
        "schema": SCHEMA_VERSION,
        "cell_id": cell.cell_id,
        "method": {"name": cell.method.name, "label": cell.method.label,
                   "paper": methods.get(cell.method.name).paper,
                   "hyperparameters": hyperparameters,
                   "overrides": cell.method.overrides, "dataset_settings": prescribed},
        "dataset": dataset.describe(),
        "seed": cell.seed,
        "profile": profile,
        "steps": sched.steps,
        "batch_size": sched.batch_size,
        "eval_samples": sched.eval_samples,
        "settings": cell_settings(cell, profile, xla=xla, steps=steps),
        "command": command,
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


def run_cell(cell: Cell, profile: str, *, xla: bool = True, steps: int | None = None,
             command: str = "", checkpoint_dir: Path | None = None,
             checkpoint_every: int = 0, out: Path | None = None) -> dict[str, Any]:
    """Train and evaluate one cell; never raises for a failure of the cell itself.

    ``out`` is the run folder, where image datasets' sample grids are written.
    With ``checkpoint_dir`` and ``checkpoint_every`` (steps), the cell saves a checkpoint at
    the first call boundary past each multiple of ``checkpoint_every`` and, when one exists,
    resumes from it, ending with the record an uninterrupted run gives.
    """
    record = new_record(cell, profile, xla=xla, steps=steps, command=command)
    dataset = datasets.get(cell.dataset)
    sched = cell_schedule(profile, dataset.family, steps)
    settings = record["settings"]
    start = time.perf_counter()
    trainer = method = None
    try:
        record["evaluation"] = dataset.evaluation_info(sched.eval_samples)
        method = methods.get(cell.method.name).build(**record["method"]["hyperparameters"])

        def new_trainer() -> Trainer:
            return Trainer(method, dataset, seed=cell.seed, batch_size=sched.batch_size,
                           steps_per_call=sched.steps_per_call, xla=xla)

        trainer = new_trainer()
        record["timing"]["xla"] = trainer.xla
        if xla and not trainer.xla:
            record["timing"]["xla_note"] = method.xla_note
        n_calls = sched.steps // sched.steps_per_call
        evaluate_after = _eval_calls(n_calls, sched.evals)
        saver, done, windows = None, 0, []
        if checkpoint_dir is not None and checkpoint_every > 0:
            saver = CellCheckpoint(checkpoint_dir, trainer, settings)
            try:
                progress = saver.restore()
            except CheckpointError as exc:
                log.warning("starting %s afresh: %s", cell.cell_id, exc)
                discard(checkpoint_dir)
                trainer = new_trainer()
                saver, progress = CellCheckpoint(checkpoint_dir, trainer, settings), None
            if progress is not None:
                done, windows = progress["call"], progress["windows"]
                record["history"] = progress["history"]
                record["gradient_log"] = progress["gradient_log"]
                record["resumed_from_step"] = done * sched.steps_per_call
        for call in range(done + 1, n_calls + 1):
            stats, seconds = trainer.timed_call()
            windows.append(seconds)
            _log_call(record["gradient_log"], call * sched.steps_per_call, stats)
            if call in evaluate_after:
                generated = trainer.generate(sched.eval_samples, EVAL_SEED)
                metrics = {**dataset.evaluate(generated),
                           **dataset.player_metrics(trainer.g_params, trainer.d_params)}
                record["history"].append({"step": call * sched.steps_per_call, **metrics,
                                          **{k: stats[k] for k in STAT_NAMES}})
            if (saver is not None and call < n_calls
                    and _checkpoint_due(call, sched.steps_per_call, checkpoint_every)):
                saver.save({"call": call, "windows": windows, "history": record["history"],
                            "gradient_log": record["gradient_log"]},
                           call * sched.steps_per_call)
        record["metrics"] = {k: v for k, v in record["history"][-1].items() if k != "step"}
        record["samples"] = keep_samples(dataset, generated, out, cell.cell_id)
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
    if method is not None and record["status"] != "failed":
        record["gradient_health"] = gradient_health.summarize(
            record["gradient_log"], probability=method.loss.probability is not None,
            diverged_step=(record["error"] or {}).get("step"),
            mode_coverage=dataset.mode_coverage(record["metrics"]))
    return record


def _log_call(log: dict[str, list[float]], step: int, stats: dict[str, float]) -> None:
    """Append one call's last-step stats to the columnar gradient log."""
    log.setdefault("step", []).append(step)
    for name, value in stats.items():
        log.setdefault(name, []).append(value)
