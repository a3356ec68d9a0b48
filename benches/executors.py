"""Executors: where the cells of a matrix run.

- :class:`InProcess`: one after another in this process (the default).
- :class:`ProcessPool`: ``--jobs N`` spawned worker processes on this machine, each with
  its share of the CPU threads. A worker that dies (killed by the OOM killer, a crash in
  native code) becomes a ``failed`` record for the cell it was running, and is replaced.
  A worker whose memory has grown past its share of the machine's is replaced between
  cells: TensorFlow keeps every compiled XLA program of a process (hundreds of MB per
  image cell), so a long-lived worker would otherwise grow until the OOM killer hits.
- :class:`RayCluster`: ``--executor ray``, one Ray task per cell on a local or existing
  cluster (``--address``); records come back to the driver, which writes them.

Every executor yields records as cells finish, in any order; the caller writes them.
``close()`` stops outstanding work (after an interruption).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module; TensorFlow loads only when cells run
    from benches.matrix import Cell

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class CellTask:
    """One cell with everything needed to run it anywhere (picklable)."""

    cell: Cell
    profile: str
    xla: bool = True
    steps: int | None = None
    command: str = ""
    checkpoint_dir: Path | None = None
    checkpoint_every: int = 0
    out: Path | None = None

    def run(self) -> dict[str, Any]:
        from benches.cell import run_cell

        return run_cell(self.cell, self.profile, xla=self.xla, steps=self.steps,
                        command=self.command, checkpoint_dir=self.checkpoint_dir,
                        checkpoint_every=self.checkpoint_every, out=self.out)

    def lost(self, error_type: str, message: str) -> dict[str, Any]:
        """The ``failed`` record of a cell whose worker vanished before answering."""
        from benches.cell import new_record

        record = new_record(self.cell, self.profile, xla=self.xla, steps=self.steps,
                            command=self.command)
        record.update(status="failed",
                      error={"type": error_type, "message": message, "step": None})
        return record


def configure_threads(intra_op: int, inter_op: int) -> None:
    """Cap TensorFlow's thread pools; must run before TensorFlow executes anything."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:  # TensorFlow already initialized in this process (a reused worker)
        log.debug("thread pools already initialized; keeping them")


def threads_per_worker(jobs: int, cpus: int | None = None) -> int:
    """Each of ``jobs`` workers' share of the machine's CPU threads (at least one)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cpus or 1) // jobs)


class InProcess:
    """Runs the cells one after another in this process."""

    def __init__(self) -> None:
        self.closed = False

    def run(self, tasks: Sequence[CellTask]) -> Iterator[tuple[CellTask, dict[str, Any]]]:
        for task in tasks:
            if self.closed:
                return
            yield task, task.run()

    def close(self) -> None:
        self.closed = True


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker(conn: Connection, threads: int) -> None:
    """A pool worker: run the tasks received on ``conn`` until it sends ``None``."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C for the pool
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    configure_threads(threads, 1)
    while (task := conn.recv()) is not None:
        conn.send((task.run(), peak_memory_bytes()))


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


class _Slot:
    """One worker process and the task it is running."""

    def __init__(self, context: Any, threads: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, threads), daemon=True)
        self.process.start()
        child.close()
        self.task: CellTask | None = None

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
                 memory_limit: int | None = None):
        self.jobs = jobs
        self.threads = threads or threads_per_worker(jobs)
        self.memory_limit = memory_limit if memory_limit is not None else memory_per_worker(jobs)
        self._context = mp.get_context("spawn")
        self._slots: list[_Slot] = []

    def run(self, tasks: Sequence[CellTask]) -> Iterator[tuple[CellTask, dict[str, Any]]]:
        pending = list(reversed(tasks))
        self._slots = [_Slot(self._context, self.threads)
                       for _ in range(min(self.jobs, len(pending)))]
        log.info("%d workers with %d CPU threads each", len(self._slots), self.threads)
        while pending or any(s.task for s in self._slots):
            for slot in self._slots:
                if slot.task is None and pending:
                    slot.task = pending.pop()
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
        self._slots[index] = _Slot(self._context, self.threads)

    def _replace_dead(self, index: int, task: CellTask) -> dict[str, Any]:
        slot = self._slots[index]
        slot.process.join()
        code = slot.process.exitcode
        cause = (f"killed by signal {-code}" if code is not None and code < 0
                 else f"exited with code {code}")
        hint = " (SIGKILL: likely the out-of-memory killer)" if code == -signal.SIGKILL else ""
        log.warning("worker running %s %s%s; starting a new one", task.cell.cell_id, cause, hint)
        self._restart(index)
        return task.lost("WorkerDied", f"worker process {cause}{hint}")

    def close(self) -> None:
        for slot in self._slots:
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(None)
            slot.stop()
        self._slots = []


def _ray_run(task: CellTask, threads: int) -> dict[str, Any]:
    configure_threads(threads, 1)
    return task.run()


class RayCluster:
    """Runs each cell as a Ray task (one CPU each); the driver gathers the records.

    ``address=None`` starts a local Ray instance (``num_cpus`` CPUs, default all) and
    shuts it down on close; an address joins an existing cluster and leaves it running.
    Checkpoints resume across re-runs when ``--out`` is on storage every node shares.
    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        try:
            import ray
        except ImportError:
            raise RuntimeError("--executor ray needs Ray: pip install 'ganbench[ray]' "
                               "(or pip install 'ray[default]')") from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            here = str(Path(__file__).resolve().parent.parent)
            try:
                ray.init(address=address, num_cpus=None if address else num_cpus,
                         include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": {"PYTHONPATH": here,
                                                   "TF_CPP_MIN_LOG_LEVEL": "2"}})
            except (ConnectionError, ValueError) as exc:
                raise RuntimeError(f"--address {address}: cannot start or reach Ray "
                                   f"({exc})") from None
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_run)
        self._refs: dict[Any, CellTask] = {}

    def run(self, tasks: Sequence[CellTask]) -> Iterator[tuple[CellTask, dict[str, Any]]]:
        ray = self._ray
        self._refs = {self._remote.remote(t, 1): t for t in tasks}
        while self._refs:
            (ref,), _ = ray.wait(list(self._refs), num_returns=1)
            task = self._refs.pop(ref)
            try:
                record = ray.get(ref)
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.OutOfMemoryError,
                    ray.exceptions.RayTaskError) as exc:
                record = task.lost(type(exc).__name__, str(exc).splitlines()[0])
            yield task, record

    def close(self) -> None:
        for ref in self._refs:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref, force=True)
        self._refs = {}
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
            self._started = False
