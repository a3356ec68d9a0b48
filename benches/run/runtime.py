"""Process-level TensorFlow/XLA runtime settings: the one place they are chosen.

Measured on the suite's 2-core CPU with the ring8 ``nsgan`` step (batch 512, 100 steps
per call, XLA on and off interleaved in one process): with TensorFlow's default thread
pools the XLA:CPU thunk executor spends ~3,700 us of CPU per step against ~2,900 us with
one intra-op thread, because it spreads the step's ~240 small kernels (10-100 us each)
over the pool and pays for wake-ups and spinning; the non-XLA step costs ~2,900 us either
way. On a shared machine that CPU is wall-clock time, so the suite runs one intra-op and
one inter-op thread by default. ``GANBENCH_INTRA_OP_THREADS`` / ``GANBENCH_INTER_OP_THREADS``
override it (``0`` keeps TensorFlow's default: all cores). No ``XLA_FLAGS`` are set: the
legacy (non-thunk) runtime, oneDNN or XNNPACK/YNNPACK dot fusions, 512-bit vectors and
single-threaded Eigen showed no reliable gain; a user's ``XLA_FLAGS`` pass through.
:func:`configure` must run before TensorFlow executes its first op; the CLI and the test
suites call it first thing. Every record and timing table stores :func:`settings`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_THREADS = {"GANBENCH_INTRA_OP_THREADS": 1, "GANBENCH_INTER_OP_THREADS": 1}
_applied: dict[str, Any] | None = None


def _threads(var: str) -> int:
    text = os.environ.get(var, str(DEFAULT_THREADS[var]))
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{var}={text!r}: expected a non-negative integer "
                         "(0 keeps TensorFlow's default)") from None
    if value < 0:
        raise ValueError(f"{var}={value}: expected a non-negative integer")
    return value


def configure(intra_op: int | None = None) -> dict[str, Any]:
    """Apply the thread settings (once per process) and return what is in effect.

    ``intra_op`` overrides the environment's intra-op threads (a pool worker's share).
    """
    global _applied
    if _applied is not None:
        return _applied
    intra = _threads("GANBENCH_INTRA_OP_THREADS") if intra_op is None else intra_op
    inter = _threads("GANBENCH_INTER_OP_THREADS")
    import tensorflow as tf

    try:
        if intra:
            tf.config.threading.set_intra_op_parallelism_threads(intra)
        if inter:
            tf.config.threading.set_inter_op_parallelism_threads(inter)
    except RuntimeError:  # TF already initialized: keep going, record what is in effect
        log.warning("TensorFlow was initialized before benches.run.runtime.configure(); "
                    "thread settings left at %s/%s",
                    tf.config.threading.get_intra_op_parallelism_threads(),
                    tf.config.threading.get_inter_op_parallelism_threads())
    _applied = settings()
    return _applied


def settings() -> dict[str, Any]:
    """The runtime settings in effect (stored in every record and timing table)."""
    import tensorflow as tf

    return {
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }
