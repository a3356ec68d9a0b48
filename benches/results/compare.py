"""Compare two result folders: per (dataset, method) deltas of the primary metrics.

``python -m benches compare A B`` tests, for every (dataset, method label) present in
both folders and every primary metric of the dataset, whether B's per-seed values
differ from A's (two-sided Mann-Whitney U, :mod:`benches.results.significance`). A regression
is a significant change in the worse direction, including a significantly higher
failure rate (Fisher's exact test on finished/failed seed counts; Fisher 1922).
``--fail-on-regression`` turns any regression into a non-zero exit so the command can
guard CI.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scipy import stats

from benches.results.aggregate import Entry, group, primary_metrics
from benches.results.records import iter_records
from benches.results.significance import ALPHA, mann_whitney_p, min_p_value


@dataclass(frozen=True)
class Delta:
    """One metric of one (dataset, method) in folder A against folder B."""

    dataset: str
    label: str
    metric: str
    direction: str
    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    p_value: float
    failure_a: float
    failure_b: float
    alpha: float = ALPHA

    @property
    def delta(self) -> float:
        return self.mean_b - self.mean_a

    @property
    def significant(self) -> bool:
        return math.isfinite(self.p_value) and self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        if not self.significant or self.delta == 0:
            return "no significant change"
        improved = (self.delta > 0) == (self.direction == "max")
        return "better" if improved else "REGRESSION"

    @property
    def regression(self) -> bool:
        return self.verdict == "REGRESSION"


def compare_entries(a: Entry, b: Entry, keys: tuple[tuple[str, str], ...],
                    alpha: float = ALPHA) -> list[Delta]:
    out = []
    for metric, direction in keys:
        va, vb = a.values(metric), b.values(metric)
        out.append(Delta(
            a.dataset, a.label, metric, direction, int(va.size), int(vb.size),
            float(va.mean()) if va.size else math.nan, float(vb.mean()) if vb.size else math.nan,
            mann_whitney_p(va, vb), a.failure_rate, b.failure_rate, alpha))
    # A method that starts diverging is a regression even without metric values.
    table = [[len(a.ok), len(a.records) - len(a.ok)], [len(b.ok), len(b.records) - len(b.ok)]]
    p = 1.0 if table[0][1] == table[1][1] == 0 else float(stats.fisher_exact(table).pvalue)
    out.append(Delta(a.dataset, a.label, "failure_rate", "min", len(a.records), len(b.records),
                     a.failure_rate, b.failure_rate, p, a.failure_rate, b.failure_rate, alpha))
    return out


def _setups(entries: Iterable[Entry]) -> set[tuple[str, int, int]]:
    return {(r["profile"], r.get("steps"), r.get("batch_size")) for e in entries
            for r in e.records}


def compare(a_dir: Path, b_dir: Path, alpha: float = ALPHA) -> tuple[list[Delta], list[str]]:
    """Deltas for every shared (dataset, method label), and notes on what was not shared."""
    a, b = group(iter_records(a_dir)), group(iter_records(b_dir))
    deltas, notes = [], []
    for dataset in sorted(set(a) | set(b)):
        ea, eb = a.get(dataset, {}), b.get(dataset, {})
        for label in sorted(set(ea) ^ set(eb)):
            where = "A" if label in ea else "B"
            notes.append(f"{dataset} / {label}: only in {where}, not compared")
        setup_a, setup_b = _setups(ea.values()), _setups(eb.values())
        if ea and eb and setup_a != setup_b:
            notes.append(f"{dataset}: runs differ in (profile, steps, batch): A {sorted(setup_a)}"
                         f" vs B {sorted(setup_b)}; deltas mix schedule and method changes")
        keys = primary_metrics([*ea.values(), *eb.values()])
        for label in sorted(set(ea) & set(eb)):
            deltas += compare_entries(ea[label], eb[label], keys, alpha)
    floor = [d for d in deltas if min_p_value(d.n_a, d.n_b) >= alpha]
    if floor:
        n = min(min(d.n_a, d.n_b) for d in floor)
        notes.append(f"{len(floor)} comparisons have too few seeds (down to {n}) to ever reach "
                     f"p < {alpha}; run at least 5 seeds per side")
    return deltas, notes


def format_deltas(deltas: list[Delta]) -> str:
    """A plain-text table of the deltas."""
    head = ("dataset", "method", "metric", "A mean", "B mean", "delta", "p", "fail A/B",
            "verdict")
    rows = [head]
    for d in deltas:
        rows.append((d.dataset, d.label, f"{d.metric} ({d.direction})", f"{d.mean_a:.4g}",
                     f"{d.mean_b:.4g}", f"{d.delta:+.4g}",
                     f"{d.p_value:.3g}" if math.isfinite(d.p_value) else "—",
                     f"{d.failure_a:.0%}/{d.failure_b:.0%}", d.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)
