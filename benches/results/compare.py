"""Compare two result folders: a regression gate on the primary metrics.

``python -m benches compare A B`` compares, for every (dataset, method label) present in
both folders, each primary metric of the dataset (mean over the seeds that finished)
and the failure rate. Two verdicts stand side by side:

- **change**, the gate: B is worse than A by more than a tolerance (``REGRESSION``),
  better by more than it (``better``), or ``within tolerance``. Like pytest-benchmark's
  ``--benchmark-compare-fail``, a tolerance is relative (``10%`` of A's mean) or
  absolute (``0.5``), per metric (``--tolerance kl:25%``) or for every metric
  (``--tolerance 5%``). It works at any seed count, one seed included.
- **significance**: a two-sided Mann-Whitney U test of the per-seed values
  (:mod:`benches.results.significance`; Fisher's exact test for failure counts, Fisher
  1922). When the seed counts cannot reach ``p < alpha`` at all, it says "too few seeds
  to test" instead of a p-value that looks like "no change".

``--fail-on-regression`` turns any ``REGRESSION`` into exit status 1, so the command
can guard CI.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scipy import stats

from benches.results.aggregate import Entry, group, primary_metrics
from benches.results.records import iter_records
from benches.results.significance import ALPHA, mann_whitney_p, min_p_value

FAILURE_RATE = "failure_rate"


@dataclass(frozen=True)
class Tolerance:
    """How far B may move the wrong way: ``value`` x |A's mean| if ``relative``, else
    ``value`` in the metric's units."""

    value: float
    relative: bool

    def allowed(self, reference: float) -> float:
        return self.value * abs(reference) if self.relative else self.value

    def __str__(self) -> str:
        return f"{self.value * 100:g}%" if self.relative else f"{self.value:g}"


# Defaults: a metric may move 10% of A's mean the wrong way (seed noise of the quick
# profile's means stays inside it on the shipped results); any rise in the failure
# rate is a regression (seeds are fixed, so a new failure is a change in the code).
DEFAULT_TOLERANCES: Mapping[str | None, Tolerance] = {
    None: Tolerance(0.10, relative=True), FAILURE_RATE: Tolerance(0.0, relative=False)}


def parse_tolerance(text: str) -> tuple[str | None, Tolerance]:
    """``[METRIC:]VALUE[%]`` -> (metric or None for every metric, tolerance)."""
    metric, _, value = text.rpartition(":")
    relative = value.endswith("%")
    try:
        number = float(value[:-1] if relative else value)
    except ValueError:
        number = math.nan
    if (not metric and ":" in text) or not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(
            f"expected [METRIC:]VALUE with VALUE >= 0, e.g. 5% (of A's mean), kl:25% or "
            f"modes:1 (absolute), got {text!r}")
    return metric or None, Tolerance(number / 100 if relative else number, relative)


def tolerances(specs: Iterable[tuple[str | None, Tolerance]] = ()
               ) -> dict[str | None, Tolerance]:
    """The default tolerances updated by ``--tolerance`` specs (later ones win)."""
    out = dict(DEFAULT_TOLERANCES)
    out.update(specs)
    return out


def tolerance_for(metric: str, table: Mapping[str | None, Tolerance]) -> Tolerance:
    return table.get(metric) or table[None]


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
    tolerance: Tolerance = field(default_factory=lambda: DEFAULT_TOLERANCES[None])
    alpha: float = ALPHA

    @property
    def delta(self) -> float:
        return self.mean_b - self.mean_a

    @property
    def worse_by(self) -> float:
        """How much worse B is than A in the metric's direction (negative: better)."""
        return -self.delta if self.direction == "max" else self.delta

    @property
    def change(self) -> str:
        """The gate's verdict: ``REGRESSION``, ``better``, ``within tolerance`` or why not."""
        if not (math.isfinite(self.mean_a) and math.isfinite(self.mean_b)):
            return "no values in " + ("A" if not math.isfinite(self.mean_a) else "B")
        allowed = self.tolerance.allowed(self.mean_a)
        if self.worse_by > allowed:
            return "REGRESSION"
        if -self.worse_by > allowed:
            return "better"
        return "within tolerance"

    @property
    def testable(self) -> bool:
        """Whether these seed counts can reach ``p < alpha`` at all."""
        return min_p_value(self.n_a, self.n_b) < self.alpha

    @property
    def significant(self) -> bool:
        return math.isfinite(self.p_value) and self.p_value < self.alpha

    @property
    def significance(self) -> str:
        if not math.isfinite(self.p_value):
            return "—"
        if not self.testable:
            return f"too few seeds to test ({self.n_a} vs {self.n_b})"
        return "significant" if self.significant else "not significant"

    @property
    def regression(self) -> bool:
        return self.change == "REGRESSION"


def compare_entries(a: Entry, b: Entry, keys: tuple[tuple[str, str], ...],
                    alpha: float = ALPHA,
                    table: Mapping[str | None, Tolerance] = DEFAULT_TOLERANCES) -> list[Delta]:
    out = []
    for metric, direction in keys:
        va, vb = a.values(metric), b.values(metric)
        out.append(Delta(
            a.dataset, a.label, metric, direction, int(va.size), int(vb.size),
            float(va.mean()) if va.size else math.nan, float(vb.mean()) if vb.size else math.nan,
            mann_whitney_p(va, vb), a.failure_rate, b.failure_rate,
            tolerance_for(metric, table), alpha))
    # A method that starts diverging is a regression even without metric values.
    counts = [[len(a.ok), len(a.records) - len(a.ok)], [len(b.ok), len(b.records) - len(b.ok)]]
    p = 1.0 if counts[0][1] == counts[1][1] == 0 else float(stats.fisher_exact(counts).pvalue)
    out.append(Delta(a.dataset, a.label, FAILURE_RATE, "min", len(a.records), len(b.records),
                     a.failure_rate, b.failure_rate, p, a.failure_rate, b.failure_rate,
                     tolerance_for(FAILURE_RATE, table), alpha))
    return out


def _setups(entries: Iterable[Entry]) -> set[tuple[str, int, int]]:
    return {(r["profile"], r.get("steps"), r.get("batch_size")) for e in entries
            for r in e.records}


def _only_in(where: str, missing: Counter) -> str:
    per_dataset = ", ".join(f"{ds} {n}" for ds, n in sorted(missing.items()))
    return f"{sum(missing.values())} only in {where} ({per_dataset})"


def compare(a_dir: Path, b_dir: Path, alpha: float = ALPHA,
            table: Mapping[str | None, Tolerance] = DEFAULT_TOLERANCES
            ) -> tuple[list[Delta], list[str]]:
    """Deltas for every shared (dataset, method label), and notes on what was not shared
    (the rows found in one folder only are one note)."""
    a, b = group(iter_records(a_dir)), group(iter_records(b_dir))
    deltas, notes = [], []
    only = {"A": Counter(), "B": Counter()}
    for dataset in sorted(set(a) | set(b)):
        ea, eb = a.get(dataset, {}), b.get(dataset, {})
        for label in set(ea) ^ set(eb):
            only["A" if label in ea else "B"][dataset] += 1
        setup_a, setup_b = _setups(ea.values()), _setups(eb.values())
        if ea and eb and setup_a != setup_b:
            notes.append(f"{dataset}: runs differ in (profile, steps, batch): A {sorted(setup_a)}"
                         f" vs B {sorted(setup_b)}; deltas mix schedule and method changes")
        keys = primary_metrics([*ea.values(), *eb.values()])
        for label in sorted(set(ea) & set(eb)):
            deltas += compare_entries(ea[label], eb[label], keys, alpha, table)
    missing = [_only_in(where, c) for where, c in only.items() if c]
    if missing:
        notes.insert(0, "(dataset, method) rows not compared: " + "; ".join(missing))
    return deltas, notes


_ORDER = {"REGRESSION": 0, "better": 1}


def format_deltas(deltas: list[Delta], *, all_rows: bool = False) -> str:
    """A plain-text table, changes first: regressions, improvements, then significant
    moves within tolerance; the remaining rows are counted in one line unless
    ``all_rows``."""
    shown = [d for d in deltas if all_rows or d.change in _ORDER or d.significant]
    shown.sort(key=lambda d: (_ORDER.get(d.change, 2), d.dataset, d.label))
    head = ("change", "dataset", "method", "metric", "A mean", "B mean", "delta", "tolerance",
            "p", "significance", "fail A/B")
    rows = [head]
    for d in shown:
        rows.append((d.change, d.dataset, d.label, f"{d.metric} ({d.direction})",
                     f"{d.mean_a:.4g}", f"{d.mean_b:.4g}", f"{d.delta:+.4g}",
                     f"±{d.tolerance}", f"{d.p_value:.3g}" if math.isfinite(d.p_value) else "—",
                     d.significance, f"{d.failure_a:.0%}/{d.failure_b:.0%}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows] if shown else []
    rest = len(deltas) - len(shown)
    if rest:
        lines.append(f"{rest} more comparisons within tolerance and not significant "
                     "(--all-rows lists them)")
    return "\n".join(lines)


def summary(deltas: list[Delta], table: Mapping[str | None, Tolerance]) -> str:
    """One line: how many regressions and improvements, under which tolerances."""
    changes = Counter(d.change for d in deltas)
    untestable = sum(not d.testable for d in deltas if math.isfinite(d.p_value))
    tol = ", ".join(f"{'every metric' if k is None else k} ±{v}" for k, v in table.items())
    text = (f"{changes['REGRESSION']} regression(s) and {changes['better']} improvement(s) "
            f"beyond tolerance ({tol}) in {len(deltas)} comparisons")
    if untestable:
        text += (f"; {untestable} have too few seeds for a significance test "
                 "(run at least 5 seeds per side)")
    return text
