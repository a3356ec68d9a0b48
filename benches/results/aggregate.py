"""Per (dataset, method) statistics over seeds: mean, std, 95% t-interval, failure rate.

Every number in a leaderboard is an aggregate over all the seeds that ran; a best-of is
never reported. Seeds that diverged or failed have no metric values: they count in the
failure rate and are left out of the means.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """Mean, sample std (ddof=1) and two-sided t confidence interval of ``n`` values."""

    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float


def summarize(values: Iterable[float], confidence: float = CONFIDENCE) -> Summary:
    """Summary of ``values``; std and interval are NaN below two values."""
    x = np.asarray(list(values), dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Summary(1, mean, math.nan, math.nan, math.nan)
    std = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return Summary(n, mean, std, mean - half, mean + half)


@dataclass
class Entry:
    """One (dataset, method label) row: its records over seeds."""

    dataset: str
    label: str
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> list[dict[str, Any]]:
        return sorted((r for r in self.records if r["status"] == "ok"), key=lambda r: r["seed"])

    @property
    def failure_rate(self) -> float:
        return 1.0 - len(self.ok) / len(self.records)

    def values(self, metric: str) -> np.ndarray:
        vals = [r["metrics"].get(metric) for r in self.ok]
        return np.array([v for v in vals if v is not None], dtype=np.float64)

    def timing(self, key: str) -> np.ndarray:
        vals = [r["timing"].get(key) for r in self.ok]
        return np.array([v for v in vals if v is not None], dtype=np.float64)

    def summary(self, metric: str) -> Summary:
        return summarize(self.values(metric))

    def curve(self, key: str) -> list[tuple[float, float]]:
        """``(step, mean over ok seeds)`` of a history key, at steps every such seed logged."""
        by_step: dict[float, list[float]] = defaultdict(list)
        for r in self.ok:
            for point in r.get("history", []):
                value = point.get(key)
                if isinstance(value, int | float) and math.isfinite(value):
                    by_step[float(point["step"])].append(float(value))
        n = len(self.ok)
        return [(s, float(np.mean(v))) for s, v in sorted(by_step.items()) if len(v) == n]


def group(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Entry]]:
    """Records grouped as ``{dataset: {label: Entry}}``."""
    table: dict[str, dict[str, Entry]] = defaultdict(dict)
    for r in records:
        ds, label = r["dataset"]["name"], r["method"]["label"]
        table[ds].setdefault(label, Entry(ds, label)).records.append(r)
    return table


def primary_metrics(entries: Iterable[Entry]) -> tuple[tuple[str, str], ...]:
    """The ranking metrics ``(name, "max"|"min")`` of the entries' dataset.

    Taken from the records (every record names its dataset's), so folders from
    branches with other datasets still rank.
    """
    for e in entries:
        for r in e.records:
            declared = r["dataset"].get("primary_metrics")
            if declared:
                return tuple((str(m), str(d)) for m, d in declared)
    return ()
