"""A small sample of each cell's final generator output, kept for the report.

Points (2D datasets) go inside the record; images go to ``DIR/samples/<cell_id>.png``
as one grid, referenced from the record by its path relative to ``DIR``. Everything
downstream then reads records (and their sample files) only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from benches.datasets.base import Dataset
from benches.results.records import write_atomic

POINTS = 512
IMAGES = 64


def image_grid(images: np.ndarray, pixel_range: tuple[float, float]) -> np.ndarray:
    """``(n, h, w, c)`` floats in ``pixel_range`` -> one uint8 grid, 1-pixel white gutters."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (n, h, w, 1|3), got {images.shape}")
    lo, hi = pixel_range
    pixels = np.clip(np.rint((images - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    n, h, w, c = pixels.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.full((rows * (h + 1) + 1, cols * (w + 1) + 1, c), 255, np.uint8)
    for i, img in enumerate(pixels):
        r, k = divmod(i, cols)
        grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + k * (w + 1):1 + k * (w + 1) + w] = img
    return grid


def keep_samples(dataset: Dataset, generated: np.ndarray, out: Path | None,
                 cell_id: str) -> dict[str, Any] | None:
    """The record's ``samples`` entry for ``generated``; writes the image grid if any."""
    if dataset.sample_kind == "none":
        return None
    if dataset.sample_kind == "points":
        points = np.asarray(generated, dtype=np.float64)[:POINTS]
        reference = dataset.reference_points()
        return {"kind": "points",
                "points": np.round(points, 4).tolist(),
                "reference": None if reference is None else np.round(reference, 6).tolist()}
    if dataset.sample_kind == "images":
        if out is None:
            return None
        import tensorflow as tf

        grid = image_grid(np.asarray(generated)[:IMAGES], dataset.pixel_range)
        relative = f"samples/{cell_id}.png"
        write_atomic(Path(out) / relative, tf.io.encode_png(grid).numpy())
        return {"kind": "images", "path": relative, "count": min(len(generated), IMAGES)}
    raise ValueError(f"dataset {dataset.name}: unknown sample_kind {dataset.sample_kind!r}; "
                     "valid: points, images, none")
