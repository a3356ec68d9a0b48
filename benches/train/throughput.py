"""Throughput statistics of a compiled train step from per-call wall-clock windows.

The first call traces and compiles; the next ``warmup`` calls are discarded (allocator
and thread-pool warm-up); every later call is one timed window. Steady-state steps per
second is the median over the windows and its spread the interquartile range, both
taken over the per-window rates, so the IQR always brackets the median. A run of one
call has no window: its speed is not measured (``None``) rather than taken from the
compiling call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def warmup_calls(n_calls: int) -> int:
    """Calls after the first to discard: one when at least two windows remain, else none."""
    return 1 if n_calls >= 4 else 0


def call_timing(call_seconds: Sequence[float], *, steps_per_call: int, batch_size: int,
              xla: bool, warmup: int | None = None) -> dict[str, Any]:
    """Timing fields of a record from the wall-clock seconds of each compiled call."""
    if not call_seconds:
        raise ValueError("no timed calls: need at least the first (compiling) call")
    first = float(call_seconds[0])
    if len(call_seconds) == 1:
        # the only call also compiled: timing it would report compilation as speed
        return {"xla": bool(xla), "compile_seconds": None, "first_call_seconds": first,
                "steps_per_second": None, "steps_per_second_iqr": None,
                "steps_per_second_windows": [], "samples_per_second": None,
                "timed_windows": 0, "warmup_calls": 0, "steps_per_call": int(steps_per_call),
                "note": "not measured: the cell ran one compiled call (steps <= steps per "
                        "call), which includes compilation; run more steps to time it"}
    if warmup is None:
        warmup = warmup_calls(len(call_seconds))
    windows = np.asarray(call_seconds[1 + warmup:] or call_seconds[-1:], dtype=np.float64)
    rates = steps_per_call / windows
    median = float(np.median(rates))
    q25, q75 = (float(q) for q in np.percentile(rates, [25, 75]))
    median_seconds = steps_per_call / median
    return {
        "xla": bool(xla),
        "compile_seconds": max(first - median_seconds, 0.0),
        "first_call_seconds": first,
        "steps_per_second": median,
        "steps_per_second_iqr": [q25, q75],
        "steps_per_second_windows": [float(r) for r in rates],
        "samples_per_second": median * batch_size,
        "timed_windows": int(windows.size),
        "warmup_calls": int(warmup),
        "steps_per_call": int(steps_per_call),
    }
