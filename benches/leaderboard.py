"""Leaderboards: per-dataset tables aggregated over seeds, built from records only."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benches import datasets
from benches.records import iter_records, write_atomic


@dataclass
class Entry:
    """One (dataset, method label) row: its records over seeds."""

    dataset: str
    label: str
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "ok"]

    @property
    def failure_rate(self) -> float:
        return 1.0 - len(self.ok) / len(self.records)

    def values(self, metric: str) -> np.ndarray:
        vals = [r["metrics"].get(metric) for r in self.ok]
        return np.array([v for v in vals if v is not None], dtype=np.float64)

    def timing(self, key: str) -> np.ndarray:
        vals = [r["timing"].get(key) for r in self.ok]
        return np.array([v for v in vals if v is not None], dtype=np.float64)


def group(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Entry]]:
    """Records grouped as ``{dataset: {label: Entry}}``."""
    table: dict[str, dict[str, Entry]] = defaultdict(dict)
    for r in records:
        ds, label = r["dataset"]["name"], r["method"]["label"]
        table[ds].setdefault(label, Entry(ds, label)).records.append(r)
    return table


def _primary(dataset: str) -> tuple[tuple[str, str], ...]:
    try:
        return datasets.get(dataset).primary_metrics
    except KeyError:
        return ()


def rank(entries: Iterable[Entry]) -> list[Entry]:
    """Entries ordered by the dataset's primary metrics (means over seeds); failures last."""
    entries = list(entries)
    keys = _primary(entries[0].dataset) if entries else ()

    def key(e: Entry) -> tuple[float, ...]:
        out = []
        for metric, direction in keys:
            v = e.values(metric)
            mean = float(v.mean()) if v.size else math.inf
            out.append(-mean if direction == "max" and v.size else mean)
        return (*out, e.failure_rate)

    return sorted(entries, key=key)


def mean_std(values: np.ndarray, digits: int = 3) -> str:
    if values.size == 0:
        return "—"
    if values.size == 1:
        return f"{values[0]:.{digits}g}"
    return f"{values.mean():.{digits}g} ± {values.std(ddof=1):.{digits}g}"


def metric_names(entries: Iterable[Entry]) -> list[str]:
    """Final-metric names present in the records, primary ones first."""
    entries = list(entries)
    primary = [m for m, _ in _primary(entries[0].dataset)] if entries else []
    seen = {k for e in entries for r in e.ok for k in r["metrics"]}
    skip = {"d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "d_real", "d_fake"}
    return [m for m in primary if m in seen] + sorted(seen - set(primary) - skip)


def _evaluation_line(record: dict[str, Any]) -> list[str]:
    ev = record.get("evaluation")
    if not ev or ev.get("backbone") is None:
        return []
    return [f"- evaluation: n_real {ev['n_real']} ({ev['real_split']} split), n_fake "
            f"{ev['n_fake']}, features: {ev['backbone']}"]


def markdown(dataset: str, entries: dict[str, Entry]) -> str:
    """The Markdown leaderboard of one dataset."""
    ranked = rank(entries.values())
    first = ranked[0].records[0]
    env = first["environment"]
    metrics = metric_names(ranked)
    lines = [
        f"# {dataset}",
        "",
        f"- dataset: {dataset} (source: {first['dataset']['source']})",
        f"- profile: {first['profile']}, steps: {first['steps']}, batch: {first['batch_size']}, "
        f"evaluated on {first.get('eval_samples', '?')} generated samples",
        *_evaluation_line(first),
        f"- command: `{first.get('command') or 'n/a'}`",
        f"- date: {max(r['created'] for e in ranked for r in e.records)}",
        f"- versions: TensorFlow {env['tensorflow']}, Keras {env['keras']}, Python {env['python']}",
        f"- hardware: {env['cpu']} ({env['cpu_count']} CPUs), GPUs: {env['gpus'] or 'none'}",
        f"- ranked by: {', '.join(f'{m} ({d})' for m, d in _primary(dataset))}; "
        "values are mean ± std over seeds that finished",
        "",
        "| rank | method | seeds ok | " + " | ".join(metrics) + " | steps/s | compile s |",
        "|---:|---|---:|" + "---:|" * len(metrics) + "---:|---:|",
    ]
    for i, e in enumerate(ranked, 1):
        cells = [mean_std(e.values(m)) for m in metrics]
        lines.append(
            f"| {i} | {e.label} | {len(e.ok)}/{len(e.records)} | " + " | ".join(cells)
            + f" | {mean_std(e.timing('steps_per_second'))} | "
            f"{mean_std(e.timing('compile_seconds'), 2)} |"
        )
    failures = [(e.label, r) for e in ranked for r in e.records if r["status"] != "ok"]
    if failures:
        lines += ["", "## Failed and diverged cells", ""]
        for label, r in failures:
            err = r.get("error") or {}
            lines.append(f"- {label} seed {r['seed']}: {r['status']} at step {err.get('step')}: "
                         f"{err.get('type')}: {err.get('message')}")
    return "\n".join(lines) + "\n"


def write_leaderboards(out: Path) -> list[Path]:
    """(Re)generate ``out/leaderboards/<dataset>.md`` from the records under ``out``."""
    written = []
    for dataset, entries in sorted(group(iter_records(out)).items()):
        path = Path(out) / "leaderboards" / f"{dataset}.md"
        write_atomic(path, markdown(dataset, entries))
        written.append(path)
    return written
