"""The Ray executor: one Ray task per cell on a local or existing cluster.

``--executor ray`` runs each cell as a Ray task (one CPU each); records come back to
the driver, which writes them. Checkpoints resume across re-runs when ``--out`` is on
storage every node shares.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benches.run.executors.registry import register, run_plan, set_threads

if TYPE_CHECKING:
    from benches.run.plan import CellPlan


def _ray_run(plan: CellPlan, threads: int) -> dict[str, Any]:
    set_threads(threads)
    return run_plan(plan)


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
            here = str(Path(__file__).resolve().parents[3])
            try:
                ray.init(address=address, num_cpus=None if address else num_cpus,
                         include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": {"PYTHONPATH": here}})
            except (ConnectionError, ValueError) as exc:
                raise RuntimeError(f"--address {address}: cannot start or reach Ray "
                                   f"({exc})") from None
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_run)
        self._refs: dict[Any, CellPlan] = {}

    def run(self, plans: Sequence[CellPlan]) -> Iterator[tuple[CellPlan, dict[str, Any]]]:
        ray = self._ray
        self._refs = {self._remote.remote(p, 1): p for p in plans}
        while self._refs:
            (ref,), _ = ray.wait(list(self._refs), num_returns=1)
            task = self._refs.pop(ref)
            try:
                record = ray.get(ref)
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.OutOfMemoryError,
                    ray.exceptions.RayTaskError) as exc:
                record = task.failed_record(type(exc).__name__, str(exc).splitlines()[0])
            yield task, record

    def close(self) -> None:
        for ref in self._refs:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref, force=True)
        self._refs = {}
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
            self._started = False


@register("ray")
def ray_cluster(jobs: int, address: str | None = None) -> RayCluster:
    """Ray tasks on a local instance (``jobs`` CPUs) or the cluster at ``address``."""
    try:
        return RayCluster(address, num_cpus=jobs if jobs > 1 else None)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
