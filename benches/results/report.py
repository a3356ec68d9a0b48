"""The static HTML report: every leaderboard with its plots, in one ``index.html``.

Per dataset: the ranked table; each method's generated samples (a scatter over the true
modes for point datasets, the saved image grid for image datasets); the mean over seeds
of every primary metric against training step; steps per second with 95% intervals;
and generator/discriminator gradient norms against step. It reads records only; image
grids are linked from the run folder's ``samples/``, so the report stays small.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from benches.results.aggregate import Entry
from benches.results.gradient_report import method_norm_series
from benches.results.leaderboard import Board, cells, columns
from benches.results.plots import bar_chart, line_chart, scatter_chart
from benches.results.records import write_atomic

log = logging.getLogger(__name__)

STYLE = """
body{font-family:sans-serif;margin:24px;color:#222}.wide{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 4px}td,th{border:1px solid #ccc;padding:3px 8px}
td.num{text-align:right;white-space:nowrap}th{background:#f4f4f4}.meta{color:#555;font-size:13px}
.plots{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px}
img.samples{image-rendering:pixelated;width:256px;border:1px solid #ccc}
.notes{font-size:12px;color:#555}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(board: Board) -> str:
    cols = columns(board)
    rows = ["<tr>" + "".join(f"<th>{_esc(title)}</th>" for title, _ in cols) + "</tr>"]
    for row in board.rows:
        rows.append("<tr>" + "".join(
            f'<td{" class=num" if numeric else ""}>{_esc(c)}</td>'
            for (_, numeric), c in zip(cols, cells(row, board), strict=True)) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _sample_figure(out: Path, entry: Entry) -> str:
    """The lowest-seed finished cell's samples: a scatter, an image grid, or a note."""
    for record in entry.ok:
        samples = record.get("samples")
        if not samples:
            continue
        caption = f"{entry.label}, seed {record['seed']}"
        if samples["kind"] == "points" and all(len(p) == 2 for p in samples["points"]):
            svg = scatter_chart({entry.label: samples["points"]}, title=caption, xlabel="x",
                                ylabel="y", reference=samples.get("reference") or (),
                                reference_label="true modes")
            return f"<figure>{svg}</figure>"
        if samples["kind"] == "images":
            path = out / samples["path"]
            if not path.is_file():
                log.warning("%s: sample grid %s is missing", record["cell_id"], path)
                return f"<figure><p>{_esc(caption)}: sample grid {_esc(path)} missing</p></figure>"
            return (f'<figure><img class="samples" alt="{_esc(caption)}" '
                    f'src="{_esc(samples["path"])}"><figcaption>{_esc(caption)}, '
                    f'{samples.get("count", "?")} samples</figcaption></figure>')
    return ""


def _curves(board: Board, key: str) -> dict[str, list[tuple[float, float]]]:
    return {row.entry.label: row.entry.curve(key) for row in board.rows}


def _plots(out: Path, board: Board) -> str:
    figures = [_sample_figure(out, row.entry) for row in board.rows]
    for metric, direction in board.primary:
        if metric not in board.metrics:
            continue
        better = "higher" if direction == "max" else "lower"
        figures.append(line_chart(_curves(board, metric), title=f"{metric} ({better} is better)",
                                  xlabel="training step", ylabel=f"{metric}, mean over seeds"))
    sps = {row.entry.label: row.steps_per_second for row in board.rows}
    figures.append(bar_chart(
        {k: s.mean for k, s in sps.items()}, title="training speed (95% interval)",
        ylabel="steps / second", errors={k: (s.ci_low, s.ci_high) for k, s in sps.items()}))
    for key, player in (("g_grad_norm", "generator"), ("d_grad_norm", "discriminator")):
        # the per-call gradient log (median over seeds) where records have one, else the
        # evaluation-time history (mean over seeds)
        dense = method_norm_series([r for row in board.rows for r in row.entry.ok], key)
        curves, stat = (dense, "median") if any(dense.values()) else (_curves(board, key), "mean")
        if any(curves.values()):
            figures.append(line_chart(curves, title=f"{player} gradient norm", log_y=True,
                                      xlabel="training step",
                                      ylabel=f"global L2 norm, {stat} over seeds"))
    return '<div class="plots">' + "".join(f for f in figures if f) + "</div>"


def _section(out: Path, board: Board) -> str:
    meta = "".join(f"<li><b>{_esc(k)}</b>: {_esc(v)}</li>" for k, v in board.header())
    notes = "".join(f"<li>{_esc(n)}</li>" for n in board.footnotes())
    links = (f'<a href="leaderboards/{_esc(board.dataset)}.md">Markdown</a> · '
             f'<a href="leaderboards/{_esc(board.dataset)}.csv">CSV</a>')
    return (f'<section id="{_esc(board.dataset)}"><h2>{_esc(board.dataset)}</h2>'
            f'<ul class="meta">{meta}</ul><div class="wide">{_table(board)}</div>'
            f'<ol class="notes">{notes}</ol>'
            f"<p class=meta>{links}</p>{_plots(out, board)}</section>")


def render(out: Path, boards: list[Board]) -> str:
    """The whole report as one HTML document."""
    toc = " · ".join(f'<a href="#{_esc(b.dataset)}">{_esc(b.dataset)}</a>' for b in boards)
    body = "".join(_section(out, b) for b in boards) or "<p>No records.</p>"
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            f"<title>ganbench report</title><style>{STYLE}</style></head><body>"
            f"<h1>ganbench report</h1><p>{toc}</p>{body}</body></html>\n")


def write_report(out: Path, boards: list[Board]) -> Path:
    """Write ``out/index.html`` atomically and return its path."""
    path = Path(out) / "index.html"
    write_atomic(path, render(Path(out), boards))
    return path


