"""Executors on this machine: in-process, or a pool of spawned worker processes.

- :class:`InProcess`: one cell after another in this process (``--jobs 1``).
- :class:`ProcessPool`: ``--jobs N`` spawned worker processes, each with its share of
  the CPU threads. A worker that dies (killed by the OOM killer, a crash in native code)
  becomes a ``failed`` record for the cell it was running, and is replaced. A worker
  whose memory has grown past its share of the machine's is replaced between cells:
  TensorFlow keeps every compiled XLA program of a process (hundreds of MB per image
  cell), so a long-lived worker would otherwise grow until the OOM killer hits.
  Cells go to workers by program (:func:`next_task`): a worker keeps compiled trainers
  across cells (:mod:`benches.run.cell`), so it gets the next seeds of the program it
  just ran, and an idle worker starts a program no other worker is running.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from benches.run.executors.registry import PlanRunner, register, run_plan, set_threads

if TYPE_CHECKING:
    from benches.run.plan import CellPlan

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")


def threads_per_worker(jobs: int, cpus: int | None = None) -> int:
    """Each of ``jobs`` workers' share of the machine's CPU threads (at least one)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cpus or 1) // jobs)


class InProcess:
    """Runs the cells one after another in this process."""

    def __init__(self, run: PlanRunner | None = None) -> None:
        self._run = run or run_plan
        self.closed = False

    def run(self, plans: Sequence[CellPlan]) -> Iterator[tuple[CellPlan, dict[str, Any]]]:
        for plan in plans:
            if self.closed:
                return
            yield plan, self._run(plan)

    def close(self) -> None:
        self.closed = True


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker(conn: Connection, threads: int, run: PlanRunner) -> None:
    """A pool worker: run the plans received on ``conn`` until it sends ``None``."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C for the pool
    set_threads(threads)
    while (plan := conn.recv()) is not None:
        conn.send((run(plan), peak_memory_bytes()))


def peak_memory_bytes() -> int:
    """This process's peak resident memory (0 where the platform does not report it)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def memory_per_worker(jobs: int, fraction: float = 0.6) -> int | None:
    """``fraction`` of the machine's physical memory shared among ``jobs`` workers."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
    return int(total * fraction / jobs)


def next_task(pending: Sequence[CellPlan], last_key: Any, running: Sequence[Any]
              ) -> int | None:
    """Index in ``pending`` (matrix order) of the cell an idle worker runs next, or None
    to wait for a busy worker.

    In order: the first cell of the program the worker ran last (``last_key``: it keeps
    that compilation); of a program no other worker is running (``running``); of a
    running program with at least two cells left (splitting them pays for compiling it
    twice). A last cell of a program another worker is running waits for that worker,
    unless no worker is busy.
    """
    keys = [plan.program_key for plan in pending]
    for wanted in (lambda k: k == last_key, lambda k: k not in running,
                   lambda k: keys.count(k) >= 2):
        for i, key in enumerate(keys):
            if wanted(key):
                return i
    return None if running else 0


class _Slot:
    """One worker process, the task it is running, and the program it ran last."""

    def __init__(self, context: Any, threads: int, run: PlanRunner):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, threads, run), daemon=True)
        self.process.start()
        child.close()
        self.task: CellPlan | None = None
        self.last_key: Any = None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class ProcessPool:
    """Runs cells in ``jobs`` spawned worker processes, each with its share of the threads."""

    def __init__(self, jobs: int, threads: int | None = None,
                 memory_limit: int | None = None, run: PlanRunner | None = None):
        self.jobs = jobs
        self._run = run or run_plan
        self.threads = threads or threads_per_worker(jobs)
        self.memory_limit = memory_limit if memory_limit is not None else memory_per_worker(jobs)
        self._context = mp.get_context("spawn")
        self._slots: list[_Slot] = []

    def run(self, plans: Sequence[CellPlan]) -> Iterator[tuple[CellPlan, dict[str, Any]]]:
        pending = list(plans)
        self._slots = [_Slot(self._context, self.threads, self._run)
                       for _ in range(min(self.jobs, len(pending)))]
        log.info("%d workers with %d CPU threads each", len(self._slots), self.threads)
        while pending or any(s.task for s in self._slots):
            for slot in self._slots:
                if slot.task is None and pending:
                    running = [s.task.program_key for s in self._slots if s.task is not None]
                    index = next_task(pending, slot.last_key, running)
                    if index is None:
                        continue
                    slot.task = pending.pop(index)
                    slot.last_key = slot.task.program_key
                    slot.conn.send(slot.task)
            busy = [s for s in self._slots if s.task is not None]
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy])
            for i, slot in enumerate(self._slots):
                if slot.task is None or (slot.conn not in ready
                                         and slot.process.sentinel not in ready):
                    continue
                task, slot.task = slot.task, None
                try:
                    record, peak_memory = slot.conn.recv()
                except (EOFError, OSError):
                    record = self._replace_dead(i, task)
                else:
                    if self.memory_limit and peak_memory > self.memory_limit:
                        log.info("worker %d reached %.1f GB (limit %.1f GB); starting a fresh "
                                 "one", i, peak_memory / 1e9, self.memory_limit / 1e9)
                        self._restart(i)
                yield task, record
        self.close()

    def _restart(self, index: int) -> None:
        self._slots[index].stop()
        self._slots[index] = _Slot(self._context, self.threads, self._run)

    def _replace_dead(self, index: int, task: CellPlan) -> dict[str, Any]:
        slot = self._slots[index]
        slot.process.join()
        code = slot.process.exitcode
        cause = (f"killed by signal {-code}" if code is not None and code < 0
                 else f"exited with code {code}")
        hint = " (SIGKILL: likely the out-of-memory killer)" if code == -signal.SIGKILL else ""
        log.warning("worker running %s %s%s; starting a new one", task.cell.cell_id, cause, hint)
        self._restart(index)
        return task.failed_record("WorkerDied", f"worker process {cause}{hint}")

    def close(self) -> None:
        for slot in self._slots:
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(None)
            slot.stop()
        self._slots = []


@register("local")
def local(jobs: int, address: str | None = None) -> InProcess | ProcessPool:
    """In this process (``--jobs 1``) or in ``jobs`` worker processes."""
    if address is not None:
        raise ValueError("--address is for --executor ray")
    return ProcessPool(jobs) if jobs > 1 else InProcess()
