"""k-nearest-neighbour manifold metrics of generated samples, in a feature space.

Improved precision and recall (Kynkaanniemi et al. 2019, arXiv:1904.06991): each set's
manifold is the union of balls around its points with radius the distance to the k-th
nearest neighbour in the same set (k = 3). Precision is the fraction of fake samples
inside the real manifold, recall the fraction of real samples inside the fake one.

Density and coverage (Naeem et al. 2020, arXiv:2002.09797), k = 5, real balls only:
density = (1 / kM) sum_j sum_i 1[Y_j in B(X_i, r_i)] (about 1 when the distributions
match, unbounded above), coverage = fraction of real balls holding at least one fake.
"""

from __future__ import annotations

import numpy as np


def pairwise_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Euclidean distances [len(x), len(y)] in float64."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    d2 = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T
    return np.sqrt(np.clip(d2, 0.0, None))


def knn_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point of ``x`` to its k-th nearest other point of ``x``."""
    if len(x) <= k:
        raise ValueError(f"need more than k={k} points, got {len(x)}")
    d = pairwise_distances(x, x)
    return np.partition(d, k, axis=1)[:, k]  # column 0 is the point itself


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> dict[str, float]:
    d = pairwise_distances(real, fake)
    r_real, r_fake = knn_radii(real, k), knn_radii(fake, k)
    return {"precision": float((d <= r_real[:, None]).any(0).mean()),
            "recall": float((d <= r_fake[None, :]).any(1).mean())}


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    inside = pairwise_distances(real, fake) <= knn_radii(real, k)[:, None]
    return {"density": float(inside.sum() / (k * len(fake))),
            "coverage": float(inside.any(1).mean())}
