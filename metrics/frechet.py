"""Frechet distance between Gaussians fitted to two feature sets (FID and evaluator FD).

Heusel et al. 2017 (arXiv:1706.08500): for feature means m1, m2 and covariances S1, S2,
d^2 = |m1 - m2|^2 + tr S1 + tr S2 - 2 tr (S1 S2)^(1/2).
The trace term equals tr (A S2 A)^(1/2) with A = S1^(1/2), and A S2 A is symmetric
positive semi-definite, so two symmetric eigendecompositions give it exactly, in float64,
several times faster than the classic ``scipy.linalg.sqrtm`` of the non-symmetric S1 S2
(``benchmarks/test_metric_kernels.py`` measures both).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg


def moments(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance of ``features`` [n, d], in float64."""
    x = np.asarray(features, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"features must have shape (n >= 2, d), got {x.shape}")
    return x.mean(0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def _psd_sqrt(s: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(s1: np.ndarray, s2: np.ndarray) -> float:
    """tr (S1 S2)^(1/2) for symmetric PSD S1, S2, via eigh of S1^(1/2) S2 S1^(1/2)."""
    a = _psd_sqrt(s1)
    eig = np.linalg.eigvalsh(a @ s2 @ a)
    return float(np.sqrt(np.clip(eig, 0.0, None)).sum())


def trace_sqrt_product_sqrtm(s1: np.ndarray, s2: np.ndarray) -> float:
    """The classic formulation, tr sqrtm(S1 S2) with ``scipy.linalg.sqrtm`` (reference)."""
    return float(np.real(np.trace(scipy.linalg.sqrtm(s1 @ s2))))


def frechet_from_moments(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray,
                         s2: np.ndarray) -> float:
    """Frechet distance between N(mu1, s1) and N(mu2, s2)."""
    diff = np.asarray(mu1, np.float64) - np.asarray(mu2, np.float64)
    d2 = diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt_product(s1, s2)
    return float(max(d2, 0.0))


def frechet_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to feature sets ``x`` and ``y``."""
    return frechet_from_moments(*moments(x), *moments(y))
