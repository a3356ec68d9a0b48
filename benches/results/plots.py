"""Dependency-free SVG charts for the HTML report: lines, scatters and bars.

Each function returns one standalone ``<svg>`` element as text. Every data mark carries
``class="mark"`` so a browser check can tell a drawn chart from an empty frame.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Mapping, Sequence

WIDTH, HEIGHT = 520, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 34, 48
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str:
    """Series past the palette's length repeat its colours with a dashed line."""
    return "" if i < len(PALETTE) else ' stroke-dasharray="6 3"'


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 times a power of ten) covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step + 1e-9)
    last = max(math.ceil(hi / step - 1e-9), first + 1)
    return [round(k * step, 12) for k in range(first, last + 1)]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.0e}"
    return f"{value:g}"


class _Frame:
    """Axes with linear or log10 scales mapping data to pixels."""

    def __init__(self, xs: Sequence[float], ys: Sequence[float], *, log_y: bool,
                 y_zero: bool = False):
        self.log_y = log_y
        if log_y:
            ys = [y for y in ys if y > 0]
        xs = [x for x in xs if math.isfinite(x)] or [0.0, 1.0]
        ys = [y for y in ys if math.isfinite(y)] or [1.0 if log_y else 0.0]
        if log_y:
            lo = math.floor(math.log10(min(ys)))
            hi = math.ceil(math.log10(max(ys)))
            if hi == lo:
                hi += 1
            self.yticks = [10.0 ** e for e in range(lo, hi + 1)]
            self.ylo, self.yhi = float(lo), float(hi)
        else:
            lo_y = min(0.0, min(ys)) if y_zero else min(ys)
            self.yticks = nice_ticks(lo_y, max(ys))
            self.ylo, self.yhi = self.yticks[0], self.yticks[-1]
        self.xticks = nice_ticks(min(xs), max(xs))
        self.xlo, self.xhi = self.xticks[0], self.xticks[-1]

    def x(self, value: float) -> float:
        span = (self.xhi - self.xlo) or 1.0
        return LEFT + (value - self.xlo) / span * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        v = math.log10(value) if self.log_y else value
        span = (self.yhi - self.ylo) or 1.0
        return HEIGHT - BOTTOM - (v - self.ylo) / span * (HEIGHT - TOP - BOTTOM)

    def axes(self, xlabel: str, ylabel: str, *, x_ticks: bool = True) -> list[str]:
        x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP
        out = [f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" '
               'fill="none" stroke="#999"/>']
        for t in self.yticks:
            py = self.y(t)
            out.append(f'<line x1="{x0}" x2="{x1}" y1="{py:.1f}" y2="{py:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{x0 - 6}" y="{py + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
        if x_ticks:
            for t in self.xticks:
                px = self.x(t)
                out.append(f'<text x="{px:.1f}" y="{y0 + 16}" text-anchor="middle">'
                           f'{_fmt(t)}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{HEIGHT - 10}" text-anchor="middle">'
                   f'{_esc(xlabel)}</text>')
        out.append(f'<text transform="translate(14 {(y0 + y1) / 2}) rotate(-90)" '
                   f'text-anchor="middle">{_esc(ylabel)}</text>')
        return out


_CLIP = (f'<clipPath id="{{id}}"><rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
         f'height="{HEIGHT - TOP - BOTTOM}"/></clipPath>')


def _svg(title: str, body: list[str], marks: Sequence[str] = ()) -> str:
    """The chart element: ``body`` (axes, legend) and ``marks`` clipped to the plot area."""
    digest = hashlib.sha1("".join([title, *body, *marks]).encode()).hexdigest()[:12]
    clip = f"clip-{digest}"
    return (f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
            f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'font-family="sans-serif" font-size="11"><title>{_esc(title)}</title>'
            f'<text x="{LEFT}" y="20" font-size="13" font-weight="bold">{_esc(title)}</text>'
            + "".join(body) + _CLIP.format(id=clip)
            + "".join(m.replace(" ", f' clip-path="url(#{clip})" ', 1) for m in marks)
            + "</svg>")


def _legend(names: Sequence[str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        y = TOP + 8 + 16 * i
        out.append(f'<line x1="{WIDTH - RIGHT + 8}" x2="{WIDTH - RIGHT + 22}" y1="{y - 3}" '
                   f'y2="{y - 3}" stroke="{color(i)}" stroke-width="6"{dash(i)}/>')
        out.append(f'<text x="{WIDTH - RIGHT + 25}" y="{y + 1}"><title>{_esc(name)}</title>'
                   f'{_esc(_short(name))}</text>')
    return out


def _no_data(title: str) -> str:
    return _svg(title, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                        'class="no-data">no data</text>'])


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, xlabel: str,
               ylabel: str, log_y: bool = False) -> str:
    """One polyline per named series of ``(x, y)`` points; ``log_y`` plots y on log10.

    Non-finite points (and non-positive ones on a log axis) are dropped.
    """
    clean = {name: [(float(x), float(y)) for x, y in pts
                    if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)]
             for name, pts in series.items()}
    clean = {k: v for k, v in clean.items() if v}
    if not clean:
        return _no_data(title)
    frame = _Frame([x for p in clean.values() for x, _ in p],
                   [y for p in clean.values() for _, y in p], log_y=log_y)
    body, marks = frame.axes(xlabel, ylabel), []
    for i, (name, pts) in enumerate(clean.items()):
        coords = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in sorted(pts))
        marks.append(f'<polyline class="mark" fill="none" stroke="{color(i)}" stroke-width="2" '
                     f'points="{coords}"{dash(i)}><title>{_esc(name)}</title></polyline>')
        if len(pts) == 1:
            (x, y), = pts
            marks.append(f'<circle class="mark" cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" '
                         f'r="3" fill="{color(i)}"/>')
    return _svg(title, body + _legend(list(clean)), marks)


def scatter_chart(series: dict[str, list[tuple[float, float]]], *, title: str, xlabel: str,
                  ylabel: str, reference: Sequence[tuple[float, float]] = (),
                  reference_label: str = "reference") -> str:
    """Points per named series, over optional ``reference`` points drawn as black crosses."""
    clean = {name: [(float(x), float(y)) for x, y in pts if math.isfinite(x + y)]
             for name, pts in series.items()}
    ref = [(float(x), float(y)) for x, y in reference]
    every = [p for pts in clean.values() for p in pts] + ref
    if not every:
        return _no_data(title)
    frame = _Frame([x for x, _ in every], [y for _, y in every], log_y=False)
    body, marks, names = frame.axes(xlabel, ylabel), [], []
    for i, (name, pts) in enumerate(clean.items()):
        names.append(name)
        if pts:  # one path per series, a dot per point (zero-length round-capped segments)
            dots = "".join(f"M{frame.x(x):.1f},{frame.y(y):.1f}h0" for x, y in pts)
            marks.append(f'<path class="mark" d="{dots}" stroke="{color(i)}" stroke-width="3.2" '
                         'stroke-linecap="round" stroke-opacity="0.6" fill="none"/>')
    for x, y in ref:
        px, py = frame.x(x), frame.y(y)
        marks.append(f'<path d="M{px - 4:.1f},{py - 4:.1f}L{px + 4:.1f},{py + 4:.1f}'
                    f'M{px - 4:.1f},{py + 4:.1f}L{px + 4:.1f},{py - 4:.1f}" stroke="#000" '
                    'stroke-width="1.5"/>')
    legend = _legend(names)
    if ref:
        y = TOP + 8 + 16 * len(names)
        legend.append(f'<text x="{WIDTH - RIGHT + 10}" y="{y + 1}">× {_esc(reference_label)}'
                      '</text>')
    return _svg(title, body + legend, marks)


def bar_chart(bars: Mapping[str, float], *, title: str, ylabel: str,
              errors: Mapping[str, tuple[float, float]] | None = None) -> str:
    """One bar per name, with optional ``(low, high)`` error bars (e.g. a 95% interval)."""
    errors = errors or {}
    clean = {k: float(v) for k, v in bars.items() if math.isfinite(v)}
    if not clean:
        return _no_data(title)
    ys = [*clean.values()] + [v for lo_hi in errors.values() for v in lo_hi if math.isfinite(v)]
    frame = _Frame([0.0, 1.0], ys, log_y=False, y_zero=True)
    body, marks = frame.axes("", ylabel, x_ticks=False), []
    slot = (WIDTH - LEFT - RIGHT) / len(clean)
    base = frame.y(max(frame.ylo, 0.0))
    for i, (name, value) in enumerate(clean.items()):
        x = LEFT + slot * i + slot * 0.15
        top = frame.y(value)
        marks.append(f'<rect class="mark" x="{x:.1f}" y="{min(top, base):.1f}" '
                    f'width="{slot * 0.7:.1f}" height="{abs(base - top):.1f}" fill="{color(i)}">'
                    f'<title>{_esc(name)}: {value:.4g}</title></rect>')
        lo, hi = errors.get(name, (math.nan, math.nan))
        if math.isfinite(lo) and math.isfinite(hi):
            cx = x + slot * 0.35
            marks.append(f'<path d="M{cx:.1f},{frame.y(lo):.1f}V{frame.y(hi):.1f}'
                        f'M{cx - 5:.1f},{frame.y(lo):.1f}h10M{cx - 5:.1f},{frame.y(hi):.1f}h10" '
                        'stroke="#000"/>')
    return _svg(title, body + _legend(list(clean)), marks)
