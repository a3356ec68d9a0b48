"""Minimal SVG line charts (no plotting dependency); the report's plots are built on this."""

from __future__ import annotations

import math
from html import escape

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
_W, _H, _L, _R, _T, _B = 640, 360, 70, 150, 30, 45  # size and margins in px


def _ticks(lo: float, hi: float, log_y: bool) -> list[float]:
    if log_y:
        return [10.0**e for e in range(math.floor(lo), math.ceil(hi) + 1)]
    step = 10 ** math.floor(math.log10((hi - lo) or 1.0))
    return [lo + i * (hi - lo) / 4 for i in range(5)] if (hi - lo) / step < 3 else [
        step * k for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, xlabel: str,
               ylabel: str, log_y: bool = False) -> str:
    """An SVG line chart of named ``(x, y)`` series; non-finite (and, on log axes,
    non-positive) points are dropped."""
    keep = {name: [(float(x), float(y)) for x, y in pts
                   if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)]
            for name, pts in series.items()}
    points = [p for pts in keep.values() for p in pts]
    if not points:
        raise ValueError(f"line_chart {title!r}: no finite points to plot")

    def ty(y: float) -> float:
        return math.log10(y) if log_y else y

    xs, ys = [p[0] for p in points], [ty(p[1]) for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1

    def px(x: float) -> float:
        return _L + (x - x0) / (x1 - x0) * (_W - _L - _R)

    def py(y: float) -> float:
        return _H - _B - (ty(y) - y0) / (y1 - y0) * (_H - _T - _B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{_W / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
           f'<rect x="{_L}" y="{_T}" width="{_W - _L - _R}" height="{_H - _T - _B}" '
           'fill="none" stroke="#999"/>',
           f'<text x="{(_L + _W - _R) / 2}" y="{_H - 8}" text-anchor="middle">'
           f'{escape(xlabel)}</text>',
           f'<text x="14" y="{_H / 2}" text-anchor="middle" '
           f'transform="rotate(-90 14 {_H / 2})">{escape(ylabel)}</text>']
    for t in _ticks(y0, y1, log_y):
        if y0 - 1e-9 <= ty(t) <= y1 + 1e-9:
            out.append(f'<text x="{_L - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{t:.3g}</text>')
    for x in (x0, (x0 + x1) / 2, x1):
        out.append(f'<text x="{px(x):.1f}" y="{_H - _B + 14}" text-anchor="middle">{x:.4g}</text>')
    for i, (name, pts) in enumerate(keep.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        if pts:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                       f'points="{path}"/>')
        out.append(f'<text x="{_W - _R + 8}" y="{_T + 14 * (i + 1)}" fill="{colour}">'
                   f'{escape(name)}</text>')
    return "\n".join([*out, "</svg>"]) + "\n"
