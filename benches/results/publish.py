"""Everything a run folder shows, regenerated from its records: tables and report."""

from __future__ import annotations

from pathlib import Path

from benches.results.leaderboard import boards, csv_text, markdown
from benches.results.records import write_atomic
from benches.results.report import write_report


def write_leaderboards(out: Path, *, strict: bool = False) -> list[Path]:
    """(Re)generate ``leaderboards/<dataset>.{md,csv}`` and ``index.html`` under ``out``.

    A file among the records that is not a record is skipped with a warning naming it,
    or, with ``strict``, raises :class:`benches.results.records.RecordError` before
    anything is written.
    """
    out = Path(out)
    written = []
    all_boards = boards(out, strict=strict)
    for board in all_boards:
        for suffix, text in ((".md", markdown(board)), (".csv", csv_text(board))):
            path = out / "leaderboards" / f"{board.dataset}{suffix}"
            write_atomic(path, text)
            written.append(path)
    written.append(write_report(out, all_boards))
    return written
