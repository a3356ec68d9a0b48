"""Result records: one JSON object per cell, written atomically, read back with checks."""

from __future__ import annotations

import functools
import json
import logging
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
RECORD_KEYS = ("schema", "cell_id", "method", "dataset", "seed", "profile", "status")
STATUSES = ("ok", "diverged", "failed")

log = logging.getLogger(__name__)


def _umask() -> int:
    """The process's file-creation mask (read without changing it where Linux allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` so readers see the old file or the whole new one.

    The file gets the permissions of any new file (0666 less the umask), not the 0600 of
    the temporary file it is renamed from, so shared results stay readable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def records_dir(out: Path) -> Path:
    return Path(out) / "records"


def write_record(out: Path, record: dict[str, Any]) -> Path:
    path = records_dir(out) / f"{record['cell_id']}.json"
    write_atomic(path, json.dumps(record, indent=1, sort_keys=True, allow_nan=True) + "\n")
    return path


class RecordError(ValueError):
    """A file among the records is not a ganbench record."""


def load_record(path: Path) -> dict[str, Any]:
    """Read and check one record; :class:`RecordError` names the file and the problem."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{path}: not a readable JSON record ({exc})") from None
    if not isinstance(record, dict):
        raise RecordError(f"{path}: expected a JSON object, got {type(record).__name__}")
    missing = [k for k in RECORD_KEYS if k not in record]
    if missing:
        raise RecordError(f"{path}: not a ganbench record (missing {', '.join(missing)})")
    if record["schema"] != SCHEMA_VERSION:
        raise RecordError(f"{path}: record schema {record['schema']}, expected {SCHEMA_VERSION}")
    if record["status"] not in STATUSES:
        raise RecordError(f"{path}: status {record['status']!r} is not one of {STATUSES}")
    return record


def iter_records(out: Path, *, strict: bool = False) -> Iterator[dict[str, Any]]:
    """Every record under ``out/records``; bad files are skipped with a warning, or raise."""
    folder = records_dir(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"{out}: no records folder (expected {folder})")
    for path in sorted(folder.glob("*.json")):
        try:
            yield load_record(path)
        except RecordError as exc:
            if strict:
                raise
            log.warning("skipping %s", exc)


def _git_commit() -> str | None:
    try:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5, check=False)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def environment() -> dict[str, Any]:
    """Versions and hardware, recorded with every cell."""
    import numpy as np
    import scipy
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": __import__("keras").__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
        "git_commit": _git_commit(),
    }
