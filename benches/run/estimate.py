"""How long a matrix will take: cell-minutes per dataset and wall time for ``--jobs N``.

The estimate combines each cell's schedule with a cost table of (dataset, method, batch)
rows: steady-state steps/s, compile seconds, and the seconds a cell spends outside
training (evaluation, setup) per evaluation of ``eval_samples`` samples. Rows come from
records (``costs_from_records``: any finished run, e.g. ``--out`` itself or the shipped
``results/``) or from ``python -m benches timing --estimate``, and the suite ships one
table (``costs.json`` beside this module, made from the shipped results).

A cell then costs ``steps / steps_per_second + evals * eval_seconds * (its eval samples
/ the row's)`` plus ``compile_seconds`` when its worker has not compiled its program
yet. The wall time replays the process pool's own dispatch rule
(:func:`benches.run.executors.local.next_task`) over ``jobs`` workers; with more workers
than CPUs every cell is slowed by ``jobs / cpus``, and with fewer the extra threads are
assumed to give nothing (a conservative estimate). Methods or datasets missing from
the table borrow ``nsgan``'s row on the same dataset; cells with no row at all are
counted and named, not guessed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benches.run.plan import CellPlan

STORED_TABLE = Path(__file__).with_name("costs.json")
REFERENCE_METHOD = "nsgan"


@dataclass(frozen=True)
class Cost:
    """What one (dataset, method, batch) costs on the machine that measured it."""

    dataset: str
    method: str  # the method's label (name plus overrides)
    batch_size: int
    steps_per_second: float
    compile_seconds: float
    eval_seconds: float  # outside training, per evaluation of eval_samples samples
    eval_samples: int


@dataclass
class Estimate:
    """The predicted cost of a list of cells."""

    cells: int
    cell_minutes: dict[str, float]  # per dataset, compilation as the pool would pay it
    wall_minutes: float
    jobs: int
    compile_minutes: float
    borrowed: list[str] = field(default_factory=list)  # cells priced with nsgan's row
    unknown: list[str] = field(default_factory=list)  # cells with no row: not counted

    @property
    def total_cell_minutes(self) -> float:
        return sum(self.cell_minutes.values())

    def summary(self) -> str:
        """One paragraph for the log: totals, per dataset, and what was not priced."""
        per = ", ".join(f"{d} {m:.1f}" for d, m in self.cell_minutes.items())
        text = (f"estimate for {self.cells} cells: {self.total_cell_minutes:.1f} "
                f"cell-minutes ({per}; compilation {self.compile_minutes:.1f}), about "
                f"{_clock(self.wall_minutes)} wall with --jobs {self.jobs}")
        if self.borrowed:
            text += f"; {len(self.borrowed)} cells priced as {REFERENCE_METHOD}"
        if self.unknown:
            text += (f"; {len(self.unknown)} cells without a cost row, not counted "
                     f"(e.g. {self.unknown[0]})")
        return text


def _clock(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{minutes:.1f} min"


def costs_from_records(records: Iterable[Mapping[str, Any]]) -> list[Cost]:
    """One row per (dataset, method label, batch): medians over the ``ok`` records.

    A record's time outside training is its wall time less its compile seconds and its
    steps at the steady rate; divided by its evaluations, that is ``eval_seconds``.
    """
    from benches import datasets

    groups: dict[tuple[str, str, int, int], list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        t = r.get("timing") or {}
        if r.get("status") != "ok" or not t.get("steps_per_second") or "wall_seconds" not in t:
            continue
        samples = datasets.get(r["dataset"]["name"]).samples_per_evaluation(
            int(r["eval_samples"]), int((r.get("settings") or {}).get("mode_samples", 0)))
        key = (r["dataset"]["name"], r["method"]["label"], int(r["batch_size"]), samples)
        groups[key].append(r)
    rows = []
    for (dataset, method, batch, eval_samples), rs in sorted(groups.items()):
        rate = statistics.median(r["timing"]["steps_per_second"] for r in rs)
        # A reused program's cell compiled nothing: take compile time from the others.
        compiled = [r["timing"]["compile_seconds"] for r in rs
                    if not r["timing"].get("program_reused")] or [0.0]
        other = [max(r["timing"]["wall_seconds"] - r["timing"]["compile_seconds"]
                     - r["steps"] / rate, 0.0) / max(len(r["history"]), 1) for r in rs]
        rows.append(Cost(dataset, method, batch, rate, statistics.median(compiled),
                         statistics.median(other), eval_samples))
    return rows


def load_table(path: Path = STORED_TABLE) -> list[Cost]:
    """A cost table written by :func:`save_table` (empty if the file does not exist)."""
    if not Path(path).is_file():
        return []
    data = json.loads(Path(path).read_text())
    return [Cost(**row) for row in data["rows"]]


def save_table(path: Path, rows: Sequence[Cost], header: Mapping[str, Any]) -> None:
    from benches.results.records import write_atomic

    write_atomic(Path(path), json.dumps({**header, "rows": [asdict(r) for r in rows]},
                                        indent=1) + "\n")


def for_run(out: Path) -> tuple[dict[tuple[str, str, int], Cost], str]:
    """The cost table ``run`` estimates with: the stored table, overridden by rows from
    the records already in ``out`` (same machine, same settings); and its source."""
    from benches.results.records import iter_records, records_dir

    own = costs_from_records(iter_records(out)) if records_dir(out).is_dir() else []
    source = f"{len(own)} cost rows from {out} over {STORED_TABLE.name}" if own \
        else STORED_TABLE.name
    return merged(load_table(), own), source


def merged(*tables: Sequence[Cost]) -> dict[tuple[str, str, int], Cost]:
    """Rows by (dataset, method, batch); a later table's rows replace an earlier one's."""
    return {(r.dataset, r.method, r.batch_size): r for table in tables for r in table}


def _row(table: Mapping[tuple[str, str, int], Cost], plan: CellPlan
         ) -> tuple[Cost | None, bool]:
    """The plan's cost row and whether it was borrowed from the reference method. A row
    measured at another batch size is rescaled to the plan's at equal samples/s (the
    steps are bound by their dense products from batch 128 up; README, "Where XLA pays
    off")."""
    batch, dataset = plan.schedule.batch_size, plan.cell.dataset
    for method in (plan.cell.method.label, plan.cell.method.name, REFERENCE_METHOD):
        rows = [r for (d, m, _), r in table.items() if d == dataset and m == method]
        if rows:
            row = min(rows, key=lambda r: abs(r.batch_size - batch))
            if row.batch_size != batch:
                row = replace(row, batch_size=batch,
                              steps_per_second=row.steps_per_second * row.batch_size / batch)
            return row, method == REFERENCE_METHOD != plan.cell.method.name
    return None, False


def cell_seconds(cost: Cost, plan: CellPlan) -> tuple[float, float]:
    """(compile seconds, seconds besides compiling) of ``plan`` at ``cost``; evaluation
    time scales with the samples one evaluation generates."""
    from benches import datasets

    sched = plan.schedule
    samples = datasets.get(plan.cell.dataset).samples_per_evaluation(sched.eval_samples,
                                                                     sched.mode_samples)
    run = (sched.steps / cost.steps_per_second
           + sched.evals * cost.eval_seconds * samples / cost.eval_samples)
    return cost.compile_seconds, run


def estimate(plans: Sequence[CellPlan], table: Mapping[tuple[str, str, int], Cost],
             jobs: int = 1, cpus: int | None = None, reuse: bool = True) -> Estimate:
    """Replay the pool's dispatch over ``jobs`` workers with the table's costs
    (``reuse=False``: every cell compiles, as before programs were kept)."""
    from benches.run.cell import KEPT_TRAINERS
    from benches.run.executors.local import next_task, threads_per_worker

    cpus = cpus or jobs * threads_per_worker(jobs)
    slowdown = max(jobs / cpus, 1.0)
    priced, result = [], Estimate(len(plans), {}, 0.0, jobs, 0.0)
    for plan in plans:
        cost, borrowed = _row(table, plan)
        if cost is None:
            result.unknown.append(plan.cell_id)
            continue
        if borrowed:
            result.borrowed.append(plan.cell_id)
        priced.append((plan, cell_seconds(cost, plan)))
    seconds = {id(p): s for p, s in priced}
    pending = [p for p, _ in priced]
    workers = [(0.0, i, None) for i in range(min(jobs, len(pending)))]  # (free at, id, key)
    running: list[tuple[float, Any]] = []  # (finish time, program key)
    minutes: dict[str, float] = defaultdict(float)
    kept: dict[int, list[Any]] = defaultdict(list)  # each worker's compiled programs
    end = 0.0
    while pending:
        now, worker, last_key = heapq.heappop(workers)
        running = [(t, k) for t, k in running if t > now]
        index = next_task(pending, last_key, [k for _, k in running])
        if index is None:  # wait for the next cell to finish
            heapq.heappush(workers, (min(t for t, _ in running), worker, last_key))
            continue
        plan = pending.pop(index)
        compile_s, run_s = seconds[id(plan)]
        if reuse and plan.program_key in kept[worker]:
            compile_s = 0.0
            kept[worker].remove(plan.program_key)
        kept[worker] = [*kept[worker], plan.program_key][-KEPT_TRAINERS:]
        took = (compile_s + run_s) * slowdown
        minutes[plan.cell.dataset] += took / 60
        result.compile_minutes += compile_s * slowdown / 60
        running.append((now + took, plan.program_key))
        end = max(end, now + took)
        heapq.heappush(workers, (now + took, worker, plan.program_key))
    result.cell_minutes = dict(minutes)
    result.wall_minutes = end / 60
    return result


@dataclass
class Spent:
    """What a finished run cost, read from its records (the check on an estimate)."""

    cells: int
    cell_minutes: dict[str, float]  # per dataset, the records' wall_seconds
    compile_minutes: float
    unreused_compile_minutes: float  # had every cell compiled its own program
    busy_minutes: float  # wall time with at least one cell running

    def summary(self) -> str:
        total = sum(self.cell_minutes.values())
        per = ", ".join(f"{d} {m:.1f}" for d, m in self.cell_minutes.items())
        unreused = total + self.unreused_compile_minutes - self.compile_minutes
        return (f"spent by {self.cells} cells: {total:.1f} cell-minutes ({per}; compilation "
                f"{self.compile_minutes:.1f}, {_share(self.compile_minutes, total)}), "
                f"{_clock(self.busy_minutes)} wall with a cell running; every cell "
                f"compiling would have cost {unreused:.1f} cell-minutes (compilation "
                f"{_share(self.unreused_compile_minutes, unreused)})")


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def spent(records: Iterable[Mapping[str, Any]]) -> Spent:
    """Cell-minutes, compile minutes and busy wall time of ``records`` (any status).

    A cell that reused a kept program compiled nothing; had it compiled, it would have
    paid its program's compile seconds as measured by the cells of the same (dataset,
    method label) that did compile (their median). The busy wall time is the union of the
    cells' [created, created + wall_seconds] intervals: it leaves out time between
    interrupted and resumed runs, and cells whose records were replaced.
    """
    records = [r for r in records if "wall_seconds" in (r.get("timing") or {})]
    minutes: dict[str, float] = defaultdict(float)
    compiled: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in records:
        t = r["timing"]
        minutes[r["dataset"]["name"]] += t["wall_seconds"] / 60
        if not t.get("program_reused"):
            compiled[r["dataset"]["name"], r["method"]["label"]].append(
                t.get("compile_seconds") or 0.0)
    compile_s = unreused_s = 0.0
    for r in records:
        own = r["timing"].get("compile_seconds") or 0.0
        compile_s += own
        key = r["dataset"]["name"], r["method"]["label"]
        unreused_s += (statistics.median(compiled[key]) if r["timing"].get("program_reused")
                       and compiled[key] else own)
    intervals = sorted((dt.datetime.fromisoformat(r["created"]).timestamp(),
                        r["timing"]["wall_seconds"]) for r in records)
    busy, end = 0.0, float("-inf")
    for start, seconds in intervals:
        busy += max(start + seconds - max(start, end), 0.0)
        end = max(end, start + seconds)
    by_cost = dict(sorted(minutes.items(), key=lambda item: item[1]))
    return Spent(len(records), by_cost, compile_s / 60, unreused_s / 60, busy / 60)
