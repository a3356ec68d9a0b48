"""Leaderboards: per-dataset tables aggregated over seeds, built from records only.

Rows are ordered by the dataset's primary metrics (means over the seeds that finished,
lexicographically, then by failure rate). A row's rank is 1 plus the number of rows above
it that beat it significantly: on the first primary metric where the two differ
significantly (two-sided Mann-Whitney U, p < ALPHA), the other row is better. Rows whose
differences are seed noise share a rank, and the table lists rows by rank, then by that
order, so the rank column never goes down. A table whose seed counts cannot reach
p < ALPHA keeps the plain order and says it is untested. Each row below the leader also
shows its test against the leader.
Outputs per dataset: ``leaderboards/<dataset>.md`` and ``.csv``; plus ``index.html``.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benches.results.aggregate import CONFIDENCE, Entry, Summary, group, primary_metrics, summarize
from benches.results.records import iter_records
from benches.results.significance import ALPHA, mann_whitney_p, min_p_value
from benches.train.stats import STAT_NAMES

log = logging.getLogger(__name__)


def rank(entries: Iterable[Entry]) -> list[Entry]:
    """Entries ordered by the primary metrics' means over seeds; failures last."""
    entries = list(entries)
    keys = primary_metrics(entries)

    def key(e: Entry) -> tuple[float, ...]:
        out = []
        for metric, direction in keys:
            v = e.values(metric)
            # 12 significant digits: summation-order noise must not decide a rank
            mean = float(f"{v.mean():.12g}") if v.size else math.inf
            out.append(-mean if direction == "max" and v.size else mean)
        return (*out, e.failure_rate, e.label)

    return sorted(entries, key=key)


@dataclass(frozen=True)
class Versus:
    """A row against a better-ordered one: the deciding metric, its Mann-Whitney U p-value
    and whether the row's mean is the worse one on it."""

    metric: str
    p_value: float
    worse: bool = True

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    @property
    def beaten(self) -> bool:
        return self.significant and self.worse


def versus(reference: Entry, entry: Entry,
           keys: tuple[tuple[str, str], ...]) -> Versus | None:
    """The test that decides between two rows: the first primary metric on which they
    differ significantly; failing that, the first on which their means differ."""
    first: Versus | None = None
    for metric, direction in keys:
        a, b = reference.values(metric), entry.values(metric)
        if not (a.size and b.size):
            continue
        ref_mean, mean = float(a.mean()), float(b.mean())
        if math.isclose(ref_mean, mean, rel_tol=1e-12, abs_tol=1e-12):
            continue
        v = Versus(metric, mann_whitney_p(a, b), worse=(ref_mean > mean) == (direction == "max"))
        if v.significant:
            return v
        first = first or v
    if first is None and keys:
        metric = keys[0][0]
        return Versus(metric, mann_whitney_p(reference.values(metric), entry.values(metric)))
    return first


def tie_aware_ranks(ordered: list[Entry], keys: tuple[tuple[str, str], ...]) -> list[int | None]:
    """Rank of each row of ``ordered`` (best first): 1 + the rows above it that beat it
    significantly; ``None`` for rows without finished seeds."""
    ranks: list[int | None] = []
    for i, e in enumerate(ordered):
        if not e.ok:
            ranks.append(None)
            continue
        beaten_by = [b for b in ordered[:i] if b.ok and (v := versus(b, e, keys)) is not None
                     and v.beaten]
        ranks.append(1 + len(beaten_by))
    return ranks


@dataclass
class Row:
    """One ranked method: its per-metric summaries and its test against the leader."""

    rank: int | None  # None: no finished seeds
    entry: Entry
    summaries: dict[str, Summary]
    versus: Versus | None
    steps_per_second: Summary
    compile_seconds: Summary
    cost_vs_nsgan: float  # time per step relative to nsgan's on this dataset (NaN: no nsgan)
    leader: bool = False  # the best row with finished seeds; never a row without results


@dataclass
class Board:
    """Everything a leaderboard shows for one dataset."""

    dataset: str
    primary: tuple[tuple[str, str], ...]
    metrics: list[str]
    rows: list[Row]
    tested: bool  # the seed counts let the test reach p < ALPHA: ranks are tie-aware

    @property
    def records(self) -> list[dict[str, Any]]:
        return [r for row in self.rows for r in row.entry.records]

    def header(self) -> list[tuple[str, str]]:
        """``(field, value)`` pairs describing how the results were produced."""
        records = self.records
        first = min(records, key=lambda r: r.get("created", ""))
        env = first.get("environment", {})
        commands = sorted({r.get("command") or "n/a" for r in records})
        seeds = sorted({r["seed"] for r in records})
        samples = f"{first.get('eval_samples', '?')} generated samples per evaluation"
        evaluation = dict(first.get("evaluation") or {})
        fid = evaluation.pop("fid", None)  # its own row: what FID used, or why it is absent
        if evaluation:
            samples += ", " + ", ".join(f"{k} {v}" for k, v in sorted(evaluation.items()))
        ranked_by = ", ".join(f"{m} ({d})" for m, d in self.primary) or "(none declared)"
        return [
            ("dataset", f"{self.dataset} (source: {first['dataset'].get('source', '?')})"),
            ("command", " ; ".join(f"`{c}`" for c in commands)),
            ("date", max(r.get("created", "") for r in records)),
            ("versions", f"TensorFlow {env.get('tensorflow')}, Keras {env.get('keras')}, "
                         f"Python {env.get('python')}, numpy {env.get('numpy')}, "
                         f"scipy {env.get('scipy')}, git {env.get('git_commit') or 'n/a'}"),
            ("hardware", f"{env.get('cpu')} ({env.get('cpu_count')} CPUs), "
                         f"GPUs: {', '.join(env.get('gpus') or []) or 'none'}"),
            ("profile", f"{_schedules(records)}, seeds {_seed_list(seeds)}"),
            ("samples", samples),
            *([("FID", fid)] if fid else []),
            ("ranked by", ranked_by),
            ("ranking", self.ranking_text()),
            ("timing", f"median steps/s over each seed's timed windows, XLA {_xla_state(records)}; "
                       "cost = time per step relative to `nsgan` on this dataset"),
        ]

    def ranking_text(self) -> str:
        if self.tested:
            return (f"rank = 1 + the number of methods that beat the row significantly "
                    f"(Mann-Whitney p < {ALPHA} on the first primary metric where the two "
                    "differ significantly, each pair tested once, no multiplicity "
                    "correction); rows sharing a rank (marked =) are tied: their differences "
                    "are within seed noise; rows are listed by rank")
        return ("INDICATIVE AND UNTESTED: with fewer than 4 finished seeds per method no "
                f"difference can reach p < {ALPHA}; rows are in the order of their means and "
                "the ranks are positions in that order, not established differences")

    def footnotes(self) -> list[str]:
        n = [len(row.entry.ok) for row in self.rows]
        floor = min_p_value(min(n), min(n)) if n and min(n) else 1.0
        notes = [
            f"Values are mean ± std over the seeds that finished; [low, high] is the "
            f"{CONFIDENCE:.0%} t-interval of the mean. No best-of-seeds is ever reported.",
            "p: two-sided Mann-Whitney U test against the leader over seeds, on the first "
            "primary metric where they differ significantly, else the first where their "
            "means differ (exact permutation distribution, ties included); "
            f"* marks p < {ALPHA}; (row better): the difference favours the row.",
            "Gradient health (metrics.gradient_health, rules in the README): median generator "
            "gradient norm, fractions of logged steps vanishing/exploding/with D saturated "
            "(means over finished seeds), and each seed's outcome label.",
        ]
        if n and min(n):
            notes.append(
                f"With {_plural(min(n), 'seed')} per method the smallest attainable p is "
                f"{floor:.3g}"
                + (f", so no difference can reach p < {ALPHA}: run at least 5 seeds "
                   f"(--seeds 5) to separate methods." if floor >= ALPHA else ".")
            )
        return notes


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _schedules(records: list[dict[str, Any]]) -> str:
    """``quick, steps 2000, batch 512``; records made under several schedules are listed
    with their counts and flagged, since their rows are not comparable."""
    setups = Counter((r["profile"], r.get("steps"), r.get("batch_size")) for r in records)
    texts = {s: f"{s[0]}, steps {s[1]}, batch {s[2]}" for s in setups}
    if len(setups) == 1:
        return next(iter(texts.values()))
    log.warning("%s: records mix %d schedules (%s); rows are not comparable",
                records[0]["dataset"]["name"], len(setups), "; ".join(texts.values()))
    return ("MIXED SCHEDULES, rows are not comparable: "
            + "; ".join(f"{texts[s]} ({_plural(n, 'record')})"
                        for s, n in sorted(setups.items(), key=str)))


def _seed_list(seeds: list[int]) -> str:
    if seeds == list(range(len(seeds))):
        return f"0..{len(seeds) - 1} ({len(seeds)})"
    return ",".join(map(str, seeds))


def metric_names(entries: Iterable[Entry], primary: tuple[tuple[str, str], ...]) -> list[str]:
    """Final-metric names present in the records, primary ones first."""
    first = [m for m, _ in primary]
    seen = {k for e in entries for r in e.ok for k, v in r["metrics"].items()
            if isinstance(v, int | float)}
    return [m for m in first if m in seen] + sorted(seen - set(first) - set(STAT_NAMES))


HEALTH_COLUMNS = ("G grad median", "G vanishing", "G exploding", "D saturated", "outcome")
HEALTH_KEYS = ("g_grad_norm_median", "vanishing_fraction", "exploding_fraction",
               "saturation_fraction")


def health_values(e: Entry, key: str) -> list[float]:
    """A gradient-health summary value (``metrics.gradient_health``) over finished seeds."""
    return [r["gradient_health"][key] for r in e.ok
            if r.get("gradient_health") and r["gradient_health"].get(key) is not None]


def outcomes(e: Entry) -> str:
    """Gradient-health outcome labels of all seeds, most common first."""
    labels = Counter(r["gradient_health"]["label"] for r in e.records if r.get("gradient_health"))
    return ", ".join(f"{label} {n}" for label, n in labels.most_common()) or "—"


def health_cells(e: Entry) -> list[str]:
    """Gradient-health columns: means over seeds that finished; outcome labels of all seeds."""
    median, *fractions = (summarize(health_values(e, k)) for k in HEALTH_KEYS)
    return [mean_std(median), *("—" if not f.n else f"{f.mean:.0%}" for f in fractions),
            outcomes(e)]


def _xla_state(records: list[dict[str, Any]]) -> str:
    states = {r["timing"].get("xla") for r in records if r["status"] == "ok"}
    return {frozenset({True}): "on", frozenset({False}): "off"}.get(frozenset(states), "mixed")


def build_board(dataset: str, entries: dict[str, Entry]) -> Board:
    """Rank a dataset's entries and compute every row's statistics."""
    ranked = rank(entries.values())
    primary = primary_metrics(ranked)
    metrics = metric_names(ranked, primary)
    reference = summarize(entries["nsgan"].timing("steps_per_second")).mean \
        if "nsgan" in entries else math.nan
    leader = next((e for e in ranked if e.ok), None)
    seeds = [len(e.ok) for e in ranked if e.ok]
    tested = bool(seeds) and min_p_value(min(seeds), min(seeds)) < ALPHA
    ranks = (tie_aware_ranks(ranked, primary) if tested
             else [i if e.ok else None for i, e in enumerate(ranked, 1)])
    listed = sorted(zip(ranked, ranks, strict=True),
                    key=lambda pair: math.inf if pair[1] is None else pair[1])  # stable
    rows = []
    for e, position in listed:
        speed = summarize(e.timing("steps_per_second"))
        rows.append(Row(
            rank=position, entry=e, summaries={m: e.summary(m) for m in metrics},
            versus=versus(leader, e, primary) if e.ok and e is not leader else None,
            steps_per_second=speed,
            compile_seconds=summarize(e.timing("compile_seconds")),
            cost_vs_nsgan=reference / speed.mean if speed.n else math.nan,
            leader=e is leader,
        ))
    return Board(dataset, primary, metrics, rows, tested)


def fmt(value: float, digits: int = 3) -> str:
    """``digits`` significant digits; plain notation from 0.001 to a million (``1183``,
    ``889``, ``0.0123``), so a column never mixes ``1.18e+03`` with ``889``."""
    if not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    if magnitude == 0 or not 1e-3 <= magnitude < 1e6:
        return f"{value:.{digits}g}"
    decimals = max(digits - 1 - math.floor(math.log10(magnitude)), 0)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def mean_std(s: Summary, digits: int = 3) -> str:
    if s.n == 0:
        return "—"
    if s.n == 1:
        return fmt(s.mean, digits)
    return f"{fmt(s.mean, digits)} ± {fmt(s.std, digits)}"


def interval(s: Summary, digits: int = 3) -> str:
    if not math.isfinite(s.ci_low):
        return ""
    return f"[{fmt(s.ci_low, digits)}, {fmt(s.ci_high, digits)}]"


def cost_text(cost: float) -> str:
    return "—" if not math.isfinite(cost) else f"{cost:.2f}x"


def versus_text(row: Row) -> str:
    if row.leader:
        return "leader"
    if not row.entry.ok:
        return "no finished seeds"
    v = row.versus
    if v is None or not math.isfinite(v.p_value):
        return "—"
    better = " (row better)" if v.significant and not v.worse else ""
    return f"{v.metric} p={v.p_value:.3g}{'*' if v.significant else ''}{better}"


def columns(board: Board) -> list[tuple[str, bool]]:
    """The table's columns, ``(title, numeric)``: the same in Markdown and HTML."""
    return ([("rank", True), ("method", False), ("seeds ok", True), ("failure rate", True)]
            + [(m, True) for m in board.metrics]
            + [("vs leader", False), ("steps/s", True), ("cost vs nsgan", True),
               ("compile s", True)]
            + [(h, h != "outcome") for h in HEALTH_COLUMNS])


def rank_text(row: Row, board: Board) -> str:
    """``3``, or ``3=`` when tied with another row; ``—`` without finished seeds."""
    if row.rank is None:
        return "—"
    shared = board.tested and sum(r.rank == row.rank for r in board.rows) > 1
    return f"{row.rank}=" if shared else str(row.rank)


def cells(row: Row, board: Board) -> list[str]:
    """One row's cells, in the order of :func:`columns`."""
    e = row.entry
    return ([rank_text(row, board), e.label, f"{len(e.ok)}/{len(e.records)}",
             f"{e.failure_rate:.0%}"]
            + [f"{mean_std(row.summaries[m])} {interval(row.summaries[m])}".strip()
               for m in board.metrics]
            + [versus_text(row), mean_std(row.steps_per_second), cost_text(row.cost_vs_nsgan),
               mean_std(row.compile_seconds, 2)]
            + health_cells(e))


def markdown(board: Board) -> str:
    """The Markdown leaderboard of one dataset."""
    lines = [f"# {board.dataset}", ""]
    lines += [f"- {k}: {v}" for k, v in board.header()]
    cols = columns(board)
    lines += ["", "| " + " | ".join(title for title, _ in cols) + " |",
              "|" + "".join("---:|" if numeric else "---|" for _, numeric in cols)]
    lines += ["| " + " | ".join(cells(row, board)) + " |" for row in board.rows]
    lines += [""] + [f"{i}. {note}" for i, note in enumerate(board.footnotes(), 1)]
    failures = [(row.entry.label, r) for row in board.rows for r in row.entry.records
                if r["status"] != "ok"]
    if failures:
        lines += ["", "## Failed and diverged cells", ""]
        for label, r in failures:
            err = r.get("error") or {}
            lines.append(f"- {label} seed {r['seed']}: {r['status']} at step {err.get('step')}: "
                         f"{err.get('type')}: {err.get('message')}")
    return "\n".join(lines) + "\n"


def csv_text(board: Board) -> str:
    """The leaderboard as CSV: one row per method, full precision, header lines as comments."""
    buf = io.StringIO()
    for k, v in board.header():
        buf.write(f"# {k}: {v}\n")
    writer = csv.writer(buf, lineterminator="\n")
    stat_fields = ("mean", "std", "ci_low", "ci_high", "n")
    header = ["rank", "method", "seeds", "seeds_ok", "failure_rate"]
    for m in [*board.metrics, "steps_per_second", "compile_seconds"]:
        header += [f"{m}_{f}" for f in stat_fields]
    header += ["cost_vs_nsgan", "vs_leader_metric", "vs_leader_p", "vs_leader_significant",
               "vs_leader_beaten"]
    header += [f"{k}_mean" for k in HEALTH_KEYS] + ["outcomes"]
    writer.writerow(header)
    for row in board.rows:
        e = row.entry
        values: list[Any] = ["" if row.rank is None else row.rank, e.label, len(e.records),
                             len(e.ok), e.failure_rate]
        for s in [*(row.summaries[m] for m in board.metrics), row.steps_per_second,
                  row.compile_seconds]:
            values += [s.mean, s.std, s.ci_low, s.ci_high, s.n]
        values.append(row.cost_vs_nsgan)
        v = row.versus
        values += [v.metric, v.p_value, v.significant, v.beaten] if v else ["", "", "", ""]
        values += [summarize(health_values(e, k)).mean for k in HEALTH_KEYS] + [outcomes(e)]
        writer.writerow(["" if isinstance(x, float) and not math.isfinite(x) else x
                         for x in values])
    return buf.getvalue()


def boards(out: Path, *, strict: bool = False) -> list[Board]:
    """One board per dataset found among the records under ``out``."""
    records = iter_records(out, strict=strict)
    return [build_board(ds, entries) for ds, entries in sorted(group(records).items())]
