"""TensorBoard scalars per cell, written from its record with ``tf.summary``.

``DIR/tensorboard/<cell_id>/`` gets every logged value of the cell against its training
step: the per-call gradient log where the record has one (``record["gradient_log"]``),
else the evaluation history. Tags are grouped by prefix: ``loss/`` (both players'
losses), ``grad_norm/`` (global and per-layer gradient norms before any transform),
``discriminator/`` (mean D output on real and fake), ``metric/`` (evaluation metrics)
and ``timing/`` (steps per second at the end).
Point TensorBoard at ``DIR/tensorboard`` to compare cells.

Writing needs TensorFlow only: each value is a float32 ``tf.summary.write`` tagged for
TensorBoard's scalars plugin, the same event TensorBoard's own ``scalar`` summary
writes. Viewing needs ``pip install 'ganbench[tensorboard]'``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

GROUPS = {"d_loss": "loss", "g_loss": "loss", "d_grad_norm": "grad_norm",
          "g_grad_norm": "grad_norm", "d_real": "discriminator", "d_fake": "discriminator"}


def tag(key: str) -> str:
    """The TensorBoard tag of a history or gradient-log key (``g_grad_norm/dense0`` too)."""
    return f"{GROUPS.get(key.split('/')[0], 'metric')}/{key}"


def write_cell_scalars(out: Path, record: dict[str, Any]) -> Path:
    """Write the record's history (and final speed) as scalars; return the log folder."""
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2

    scalar = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))

    def write(name: str, value: float, step: int) -> None:
        tf.summary.write(name, tf.constant(value, tf.float32), step=step, metadata=scalar)

    logdir = Path(out) / "tensorboard" / record["cell_id"]
    log = record.get("gradient_log") or {}
    dense = set(log) - {"step"}  # per-call series (gradient health) supersede the history's
    writer = tf.summary.create_file_writer(str(logdir))
    last = 0
    with writer.as_default():
        for point in record.get("history", []):
            last = int(point["step"])
            for key, value in point.items():
                if key != "step" and key not in dense and _finite(value):
                    write(tag(key), float(value), last)
        for key in sorted(dense):
            for step, value in zip(log["step"], log[key], strict=True):
                if _finite(value):
                    write(tag(key), float(value), int(step))
                    last = max(last, int(step))
        speed = record.get("timing", {}).get("steps_per_second")
        if speed is not None:
            write("timing/steps_per_second", float(speed), last)
    writer.flush()
    writer.close()
    return logdir


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
