"""One cell end to end: plan -> dataset, networks, method -> trainer -> metrics -> record.

A process keeps the trainers of its last few cells (:data:`KEPT_TRAINERS`), keyed by
what the compiled program depends on (``CellPlan.program_key``: method and resolved
hyperparameters, dataset, batch size, steps per call, XLA). A later cell with the same
key (typically the next seed) resets the kept trainer to its seed instead of building
and compiling a new one; its record is bit-identical to a fresh trainer's and says
``timing.program_reused``.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import OrderedDict
from typing import Any

import methods
from benches import datasets
from benches.datasets import evaluators
from benches.datasets.base import Dataset
from benches.results.samples import keep_samples
from benches.run import runtime
from benches.run.checkpoints import CellCheckpoint, CheckpointError, discard
from benches.run.plan import CellPlan
from benches.train import throughput
from benches.train.stats import STAT_NAMES
from benches.train.trainer import Diverged, Trainer
from metrics import gradient_health

log = logging.getLogger(__name__)

EVAL_SEED = 12345
KEPT_TRAINERS = 2  # per process; a worker gets consecutive seeds of one (method, dataset)
_TRAINERS: OrderedDict[tuple[Any, ...], Trainer] = OrderedDict()


def _trainer(plan: CellPlan, dataset: Dataset) -> tuple[Trainer, bool]:
    """A trainer for the plan's seed, reused (reset) when this process has its program;
    returns it and whether it was reused."""
    key = plan.program_key
    trainer = _TRAINERS.pop(key, None)
    reused = trainer is not None
    if trainer is not None:
        trainer.reset(plan.cell.seed)
    else:
        method = methods.get(plan.cell.method.name).build(**plan.hyperparameters)
        trainer = Trainer(method, dataset, seed=plan.cell.seed,
                          batch_size=plan.schedule.batch_size,
                          steps_per_call=plan.schedule.steps_per_call, xla=plan.xla,
                          decay_steps=plan.decay_steps, architecture=plan.schedule.networks)
    _TRAINERS[key] = trainer
    while len(_TRAINERS) > KEPT_TRAINERS:
        _TRAINERS.popitem(last=False)
    return trainer, reused


def forget_trainers() -> None:
    """Drop every kept trainer: the next cell builds and compiles its own."""
    _TRAINERS.clear()


def _eval_calls(n_calls: int, evals: int) -> set[int]:
    """Call indices (1-based) after which to evaluate: evenly spaced, always the last."""
    return {max(1, round(n_calls * (i + 1) / evals)) for i in range(evals)}


def _checkpoint_due(call: int, steps_per_call: int, every: int) -> bool:
    """Whether call ``call`` crossed a multiple of ``every`` steps (call boundaries only)."""
    return (call * steps_per_call) // every > ((call - 1) * steps_per_call) // every


def run_cell(plan: CellPlan) -> dict[str, Any]:
    """Train and evaluate one cell; never raises for a failure of the cell itself.

    With ``plan.checkpoint_dir`` and ``plan.checkpoint_every`` (steps), the cell saves a
    checkpoint at the first call boundary past each multiple of ``checkpoint_every`` and,
    when one exists, resumes from it, ending with the record an uninterrupted run gives.
    """
    with evaluators.recipes_for(plan.profile):
        return _run_cell(plan)


def _run_cell(plan: CellPlan) -> dict[str, Any]:
    record = plan.new_record()
    dataset = datasets.get(plan.cell.dataset)
    start = time.perf_counter()
    trainer = method = None
    try:
        record["evaluation"] = dataset.evaluation_info(
            plan.schedule.eval_samples, plan.schedule.mode_samples, plan.schedule.fid)
        trainer, reused = _trainer(plan, dataset)
        method = trainer.method
        record["timing"].update(xla=trainer.xla, program_reused=reused)
        if plan.xla and not trainer.xla:
            record["timing"]["xla_note"] = method.xla_note
        trainer = _train(plan, trainer, record)
    except Diverged as exc:
        record.update(status="diverged",
                      error={"type": "Diverged", "message": str(exc), "step": exc.step})
    except FloatingPointError as exc:
        step = int(trainer.step.numpy()) if trainer is not None else 0
        record.update(status="diverged",
                      error={"type": type(exc).__name__, "message": str(exc), "step": step})
    except Exception as exc:  # a failed cell is data; the matrix goes on
        step = int(trainer.step.numpy()) if trainer is not None else 0
        log.debug("cell %s failed", plan.cell_id, exc_info=True)
        record.update(status="failed", error={
            "type": type(exc).__name__, "message": str(exc), "step": step,
            "traceback": traceback.format_exc(limit=8)})
    record["timing"]["wall_seconds"] = time.perf_counter() - start
    if record["status"] == "failed":  # its trainer's state is unknown: do not reuse it
        _TRAINERS.pop(plan.program_key, None)
    if method is not None and record["status"] != "failed":
        record["gradient_health"] = gradient_health.assess(
            record["gradient_log"], probability=method.loss.probability is not None,
            diverged_step=(record["error"] or {}).get("step"),
            mode_coverage=dataset.mode_coverage(record["metrics"]),
            quality=dataset.sample_quality(record["metrics"]))
    return record


def _resume(plan: CellPlan, trainer: Trainer, record: dict[str, Any]
            ) -> tuple[Trainer, CellCheckpoint | None, int, list[float]]:
    """The trainer restored from the cell's checkpoint, if any: (trainer, saver, calls
    done, call seconds so far); the record gets the progress saved with it."""
    if plan.checkpoint_dir is None or plan.checkpoint_every <= 0:
        return trainer, None, 0, []
    saver = CellCheckpoint(plan.checkpoint_dir, trainer, plan.settings)
    try:
        progress = saver.restore()
    except CheckpointError as exc:
        log.warning("starting %s afresh: %s", plan.cell_id, exc)
        discard(plan.checkpoint_dir)
        trainer.reset(trainer.seed)  # undo a partial restore
        return trainer, CellCheckpoint(plan.checkpoint_dir, trainer, plan.settings), 0, []
    if progress is None:
        return trainer, saver, 0, []
    record["history"] = progress["history"]
    record["gradient_log"] = progress["gradient_log"]
    record["resumed_from_step"] = progress["call"] * plan.schedule.steps_per_call
    return trainer, saver, progress["call"], progress["windows"]


def _train(plan: CellPlan, trainer: Trainer, record: dict[str, Any]) -> Trainer:
    """Run the schedule's compiled calls, evaluating and checkpointing on the way."""
    sched, dataset = plan.schedule, trainer.dataset
    trainer, saver, done, windows = _resume(plan, trainer, record)
    n_calls = sched.steps // sched.steps_per_call
    evaluate_after = _eval_calls(n_calls, sched.evals)
    if done == 0:  # step 0: the norms at initialization, gradient health's reference
        _log_call(record["gradient_log"], 0, trainer.initial_stats())
    for call in range(done + 1, n_calls + 1):
        stats, seconds = trainer.timed_call()
        windows.append(seconds)
        _log_call(record["gradient_log"], call * sched.steps_per_call, stats)
        if call in evaluate_after:
            generated = trainer.generate(
                dataset.samples_per_evaluation(sched.eval_samples, sched.mode_samples),
                EVAL_SEED)
            metrics = {**dataset.evaluate_schedule(generated, sched.eval_samples, sched.fid),
                       **dataset.player_metrics(trainer.g_params, trainer.d_params)}
            record["history"].append({"step": call * sched.steps_per_call, **metrics,
                                      **{k: stats[k] for k in STAT_NAMES}})
        if (saver is not None and call < n_calls
                and _checkpoint_due(call, sched.steps_per_call, plan.checkpoint_every)):
            saver.save({"call": call, "windows": windows, "history": record["history"],
                        "gradient_log": record["gradient_log"]},
                       call * sched.steps_per_call)
    record["metrics"] = {k: v for k, v in record["history"][-1].items() if k != "step"}
    record["samples"] = keep_samples(dataset, generated[:sched.eval_samples], plan.out,
                                     plan.cell_id)
    record["timing"].update(throughput.call_timing(
        windows, steps_per_call=sched.steps_per_call, batch_size=sched.batch_size,
        xla=trainer.xla), runtime=runtime.settings())
    if record["timing"].get("program_reused"):  # nothing compiled; first_call_seconds stays
        record["timing"]["compile_seconds"] = 0.0
    return trainer


def _log_call(log: dict[str, list[float]], step: int, stats: dict[str, float]) -> None:
    """Append one call's last-step stats to the columnar gradient log."""
    log.setdefault("step", []).append(step)
    for name, value in stats.items():
        log.setdefault(name, []).append(value)
