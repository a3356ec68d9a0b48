"""Mid-cell checkpoints, so a long cell resumes after an interruption instead of restarting.

A checkpoint is one ``tf.train.Checkpoint`` of the trainer's variables (parameters,
optimizer slots, step counter) plus a string variable holding the cell's host-side
progress (calls done, evaluation history, timings) and the settings it was made under.
Because the trainer's randomness is a function of the seed and the step counter, a cell
restored from a checkpoint continues the exact trajectory of an uninterrupted run.
``tf.train.CheckpointManager`` updates its index file atomically after the data files
are written, so an interruption during a save leaves the previous checkpoint in force.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import tensorflow as tf

from benches.train.trainer import Trainer

log = logging.getLogger(__name__)
logging.getLogger("absl").setLevel(logging.WARNING)  # per-save INFO chatter from TF's saver


class CheckpointError(RuntimeError):
    """A checkpoint exists but cannot be restored into this cell."""


def checkpoint_dir(out: Path, cell_id: str) -> Path:
    """Where the run folder ``out`` keeps the checkpoints of one cell."""
    return Path(out) / "checkpoints" / cell_id


def discard(directory: Path | None) -> None:
    """Remove a cell's checkpoints (after its record is written, or on ``--force``)."""
    if directory is None or not Path(directory).exists():
        return
    shutil.rmtree(directory)
    with contextlib.suppress(OSError):  # the run's checkpoints folder, once empty
        Path(directory).parent.rmdir()


class CellCheckpoint:
    """Periodic checkpoints of one cell's trainer and progress, restored on re-run."""

    def __init__(self, directory: Path, trainer: Trainer, settings: dict[str, Any]):
        self.directory = Path(directory)
        self.settings = settings
        self._meta = tf.Variable("", dtype=tf.string, trainable=False, name="progress")
        self._checkpoint = tf.train.Checkpoint(progress=self._meta, **trainer.variables)
        self._manager = tf.train.CheckpointManager(self._checkpoint, str(self.directory),
                                                   max_to_keep=1)

    def restore(self) -> dict[str, Any] | None:
        """The saved progress after restoring the trainer, or ``None`` with no checkpoint.

        Raises :class:`CheckpointError` (naming the path) when the checkpoint is unreadable
        or was made under other settings; the trainer is untouched in the second case.
        """
        path = self._manager.latest_checkpoint
        if path is None:
            return None
        meta = tf.Variable("", dtype=tf.string, trainable=False)
        try:
            tf.train.Checkpoint(progress=meta).read(path).expect_partial()
            saved = json.loads(meta.numpy().decode())
        except (tf.errors.OpError, ValueError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{path}: unreadable checkpoint ({exc})") from None
        if saved.get("settings") != self.settings:
            raise CheckpointError(f"{path}: made under other settings ({saved.get('settings')})")
        try:
            self._checkpoint.restore(path).assert_existing_objects_matched()
        except (tf.errors.OpError, AssertionError, ValueError) as exc:
            raise CheckpointError(f"{path}: does not match this trainer ({exc})") from None
        log.info("resumed %s at call %d", self.directory.name, saved["progress"]["call"])
        return saved["progress"]

    def save(self, progress: dict[str, Any], step: int) -> None:
        """Checkpoint the trainer now, with the host-side ``progress`` of the cell."""
        self._meta.assign(json.dumps({"settings": self.settings, "progress": progress}))
        self._manager.save(checkpoint_number=step)
