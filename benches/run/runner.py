"""The run loop: plan the matrix, skip finished cells, run the rest, survive interruptions.

Resume rules (re-running the same command):
- a cell whose record has status ``ok`` or ``diverged`` and was made under the same
  settings (profile, steps, batch, evaluation, XLA, hyperparameters) is a result and is
  skipped; ``failed`` cells run again unless ``retry_failed`` is off (``--no-retry-failed``);
  ``force`` (``--force``) reruns every cell from scratch.
- a record file that does not load is moved aside (``*.json.corrupt-<time>``), never
  deleted, and its cell runs again.
- a cell interrupted mid-way resumes from its last checkpoint (``checkpoint_every`` > 0),
  ending with the record an uninterrupted run gives. Its checkpoints are removed once its
  record is written.

SIGINT and SIGTERM stop the run between file writes: every record on disk is whole, the
leaderboards are left as they were, and :class:`RunResult` says what finished.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import methods
from benches import datasets
from benches.results.publish import write_leaderboards
from benches.results.records import RecordError, load_record, records_dir, write_record
from benches.results.tensorboard import write_cell_scalars
from benches.run import estimate, executors
from benches.run.checkpoints import checkpoint_dir, discard
from benches.run.matrix import Cell
from benches.run.plan import CellPlan, cell_schedule, plan_cell, resolve_hyperparameters
from benches.run.progress import ProgressBar
from methods.parts.method import MethodError

log = logging.getLogger(__name__)


class SetupError(Exception):
    """The run cannot start as asked (impossible schedule, executor unavailable)."""


class Interrupted(KeyboardInterrupt):
    """The run received SIGINT or SIGTERM."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(frozen=True)
class RunOptions:
    """One ``run`` command: the cells and how to run them."""

    cells: list[Cell]
    profile: str
    out: Path
    xla: bool = True
    steps: int | None = None
    command: str = ""
    force: bool = False
    retry_failed: bool = True
    fail_fast: bool = False
    checkpoint_every: int | None = None  # None: the profile's
    jobs: int = 1
    executor: str = "local"
    address: str | None = None
    tensorboard: bool = False
    fid: bool = False  # FID on image datasets also where the profile leaves it off


@dataclass
class RunResult:
    """What a run did; ``signum`` is set when it was interrupted."""

    total: int
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"ok": 0, "diverged": 0, "failed": 0})
    signum: int | None = None
    stopped_on: str | None = None  # the failed cell that stopped a --fail-fast run
    leaderboards: list[Path] = field(default_factory=list)
    # the matrix's failed cells: those that failed in this run and, with retry_failed
    # off, the failed records kept from earlier runs
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return sum(self.counts.values())

    def add_failure(self, record: dict[str, Any]) -> None:
        err = record.get("error") or {}
        self.failures.append({"cell_id": record["cell_id"], "type": err.get("type"),
                              "message": err.get("message")})

    def failure_summary(self, shown: int = 3) -> str:
        """One line: how many cells failed, grouped by error, with some cell ids each."""
        by_error: dict[tuple[str, str], list[str]] = {}
        for f in self.failures:
            # the last line: TensorFlow wraps errors raised while tracing in "in user
            # code:" and a stack, and ends with the original error
            lines = [ln.strip() for ln in str(f["message"] or "").splitlines() if ln.strip()]
            text = lines[-1] if lines else ""
            text = text.removeprefix(f"{f['type']}: ")
            text = text if len(text) <= 160 else text[:157] + "..."
            by_error.setdefault((f["type"] or "Error", text), []).append(f["cell_id"])
        parts = []
        for (kind, text), ids in sorted(by_error.items(), key=lambda kv: -len(kv[1])):
            more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
            parts.append(f"{kind}: {text} ({', '.join(ids[:shown])}{more})")
        return (f"{len(self.failures)} of {self.total} cells failed: " + "; ".join(parts))


def validate(options: RunOptions) -> None:
    """Raise :class:`SetupError` naming the problem if a cell's schedule is impossible or
    its method cannot be built (parts that do not combine, a custom step that breaks its
    contract): such a method is a programming error, not a failed cell."""
    built = set()
    for cell in options.cells:
        hyperparameters = resolve_hyperparameters(cell).hyperparameters
        key = (cell.method.name, repr(sorted(hyperparameters.items())))
        if key not in built:
            built.add(key)
            try:
                methods.get(cell.method.name).build(**hyperparameters)
            except MethodError as exc:
                raise SetupError(str(exc)) from None
    for name in sorted({c.dataset for c in options.cells}):
        family = datasets.get(name).family
        sched = cell_schedule(options.profile, family)
        if options.steps is not None and options.steps > sched.steps_per_call \
                and options.steps % sched.steps_per_call:
            raise SetupError(f"--steps {options.steps}: must be a multiple of "
                             f"{sched.steps_per_call} (steps per compiled call of the "
                             f"{options.profile} profile for {family} datasets) or at most it")


def _quarantine(path: Path, reason: Exception) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(target)
    log.warning("%s; moved it to %s and will run the cell again", reason, target.name)


def complete_record(out: Path, plan: CellPlan, retry_failed: bool) -> dict[str, Any] | None:
    """The cell's existing record if it counts as a result for its settings, else None."""
    path = records_dir(out) / f"{plan.cell_id}.json"
    if not path.exists():
        return None
    try:
        record = load_record(path)
    except RecordError as exc:
        _quarantine(path, exc)
        return None
    if record.get("settings") != json.loads(json.dumps(plan.settings)):
        log.info("%s: record made under other settings; running it again", plan.cell_id)
        return None
    return None if record["status"] == "failed" and retry_failed else record


def plan(options: RunOptions, result: RunResult | None = None) -> tuple[list[CellPlan], int]:
    """The plans of the cells still to run and how many cells were skipped as complete;
    kept ``failed`` records go to ``result.failures``."""
    plans, skipped = [], 0
    for cell in options.cells:
        folder = checkpoint_dir(options.out, cell.cell_id)
        cell_plan = plan_cell(cell, options.profile, xla=options.xla, steps=options.steps,
                              command=options.command, out=options.out, fid=options.fid)
        every = options.checkpoint_every
        if every is None:
            every = cell_plan.schedule.checkpoint_every
        if options.force:
            discard(folder)
        elif (kept := complete_record(options.out, cell_plan, options.retry_failed)) is not None:
            discard(folder)  # left over if a run stopped between record and cleanup
            skipped += 1
            if kept["status"] == "failed" and result is not None:
                result.add_failure(kept)
            continue
        plans.append(dataclasses.replace(cell_plan, checkpoint_dir=folder if every else None,
                                         checkpoint_every=every))
    return plans, skipped


def make_executor(options: RunOptions) -> executors.Executor:
    try:
        return executors.create(options.executor, options.jobs, options.address)
    except ValueError as exc:
        raise SetupError(str(exc)) from None


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def handling_signals(handler: Any) -> Iterator[None]:
    """Handle SIGINT and SIGTERM with ``handler`` inside the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def run_matrix(options: RunOptions) -> RunResult:
    """Run the cells of ``options`` that are not complete; write records and leaderboards."""
    validate(options)
    result = RunResult(total=len(options.cells))
    with handling_signals(_raise_interrupted):
        try:
            tasks, result.skipped = plan(options, result)
            if result.skipped:
                log.info("skipping %d of %d cells with complete records (--force reruns them)",
                         result.skipped, result.total)
            log.info("running %d cells (profile %s) into %s", len(tasks), options.profile,
                     options.out)
            _log_estimate(options, tasks)
            _run_tasks(options, tasks, result)
        except Interrupted as exc:
            result.signum = exc.signum
            return result
    result.leaderboards = write_leaderboards(options.out)
    return result


def _log_estimate(options: RunOptions, tasks: list[CellPlan]) -> None:
    """Log the predicted cell-minutes and wall time of ``tasks`` (never fails the run)."""
    if not tasks:
        return
    try:
        table, source = estimate.for_run(options.out)
        log.info("%s (from %s)", estimate.estimate(tasks, table, options.jobs).summary(),
                 source)
    except Exception:  # an estimate is a courtesy; the run goes on without it
        log.debug("no time estimate", exc_info=True)


def _run_tasks(options: RunOptions, tasks: list[CellPlan], result: RunResult) -> None:
    bar = ProgressBar(len(tasks))
    bar.show()
    left = Counter(task.cell.dataset for task in tasks)
    executor = make_executor(options)
    try:
        for task, record in executor.run(tasks):
            write_record(options.out, record)
            left[task.cell.dataset] -= 1
            if not left[task.cell.dataset] and sum(left.values()):
                # a dataset is complete: its table is final, publish it while the rest runs
                log.info("%s complete; leaderboards regenerated", task.cell.dataset)
                write_leaderboards(options.out)
            if options.tensorboard:
                write_cell_scalars(options.out, record)
            discard(task.checkpoint_dir)
            result.counts[record["status"]] += 1
            if record["status"] == "failed":
                result.add_failure(record)
            if record["status"] != "ok":
                err = record["error"]
                log.warning("%s: %s at step %s (%s: %s)", task.cell_id, record["status"],
                            err.get("step"), err.get("type"), err.get("message"))
            bar.advance(f"{task.cell_id}: {record['status']}")
            if options.fail_fast and record["status"] == "failed":
                result.stopped_on = task.cell_id
                break
    except BaseException:
        with handling_signals(signal.SIG_IGN):  # let cleanup finish
            executor.close()
            bar.close()
        raise
    executor.close()
    bar.close()
