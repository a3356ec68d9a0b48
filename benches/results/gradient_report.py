"""Gradient health read from records: a cell's text report and norm plots.

``python -m benches diagnose`` prints :func:`report` (the outcome label that
``metrics.gradient_health`` gave and the rule behind it, generator norm levels,
vanishing/exploding fractions, discriminator saturation) and writes :func:`norms_chart`;
the HTML report plots :func:`method_norm_series` per method.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from benches.results.plots import line_chart


def norms_chart(record: dict[str, Any]) -> str:
    """SVG of the gradient norms over steps (log scale) from a record's gradient log."""
    log = record["gradient_log"]
    names = ["g_grad_norm", "d_grad_norm", *sorted(k for k in log if k.startswith("g_grad_norm/"))]
    series = {name: list(zip(log["step"], log[name], strict=True)) for name in names}
    health = record["gradient_health"]
    title = (f"{record['method']['label']} on {record['dataset']['name']} "
             f"(seed {record['seed']}): {health['label']}")
    return line_chart(series, title=title, xlabel="step", ylabel="gradient norm", log_y=True)


def method_norm_series(records: Iterable[dict[str, Any]], name: str = "g_grad_norm"
                       ) -> dict[str, list[tuple[float, float]]]:
    """Per method label, the median over seeds of ``name`` at each logged step: the
    series the HTML report plots with :func:`benches.results.plots.line_chart`."""
    by_label: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        log = r.get("gradient_log") or {}
        for step, value in zip(log.get("step", []), log.get(name, []), strict=True):
            by_label[r["method"]["label"]][step].append(value)
    return {label: [(step, float(np.median(v))) for step, v in sorted(steps.items())]
            for label, steps in sorted(by_label.items())}


def _pct(value: float | None) -> str:
    return "n/a (D outputs are not probabilities)" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def report(record: dict[str, Any]) -> str:
    """A short plain-text gradient-health report of one cell's record."""
    h = record["gradient_health"]
    t = h["thresholds"]
    log = record["gradient_log"]
    lines = [
        f"{record['method']['label']} on {record['dataset']['name']} (seed {record['seed']}, "
        f"profile {record['profile']}, {record['steps']} steps): status {record['status']}",
        f"outcome: {h['label']}"
        + (f" at step {h['label_step']}" if h["label_step"] is not None else "")
        + f" ({h['reason']})",
    ]
    if h["logged_steps"]:
        lines += [
            f"generator gradient norm: initial {_num(h.get('g_grad_norm_initial'))}, start "
            f"{h['g_grad_norm_start']:.3g}, median "
            f"{h['g_grad_norm_median']:.3g}, max {h['g_grad_norm_max']:.3g}, final "
            f"{h['g_grad_norm_final']:.3g} ({h['logged_steps']} logged steps)",
            f"vanishing (< {t['vanishing']:g}x start): {_pct(h['vanishing_fraction'])}; "
            f"exploding (> {t['exploding']:g}x initial): {_pct(h['exploding_fraction'])}",
            f"discriminator saturated (D(fake) < {t['saturated']:g} or D(real) > "
            f"{1 - t['saturated']:g}): {_pct(h['saturation_fraction'])}",
        ]
        for player in ("g", "d"):
            layers = sorted(k for k in log if k.startswith(f"{player}_grad_norm/"))
            last = ", ".join(f"{k.split('/', 1)[1]} {log[k][-1]:.3g}" for k in layers)
            lines.append(f"final per-layer {player.upper()} norms: {last}")
    if h["mode_coverage"] is not None:
        lines.append(f"mode coverage: {h['mode_coverage']:.3g}")
    if h.get("quality") is not None:
        lines.append(f"sample quality: {h['quality']:.3g}")
    return "\n".join(lines)
