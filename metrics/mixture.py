"""Mode-collapse metrics for mixtures of Gaussians.

As in Unrolled GAN (Metz et al. 2017, arXiv:1611.02163) and PacGAN (Lin et al. 2018,
arXiv:1712.04086): a sample is *high quality* when it lies within three standard
deviations (Euclidean distance) of its nearest mode; a mode is *captured* when it is the
nearest mode of at least one high-quality sample; and the KL divergence compares the
histogram of samples over their nearest modes with the uniform distribution over modes.

For a sampler drawing from the true 2D mixture the expected high-quality fraction is
P(chi_2 <= 3) = 1 - exp(-9/2) ~ 0.989.
"""

from __future__ import annotations

import numpy as np


def nearest_modes(samples: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and Euclidean distance to each sample's nearest mode."""
    samples = np.asarray(samples, dtype=np.float64)
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    idx = d2.argmin(1)
    return idx, np.sqrt(d2[np.arange(len(samples)), idx])


def mode_kl(mode_index: np.ndarray, n_modes: int) -> float:
    """KL(p || uniform) of the histogram of ``mode_index`` over ``n_modes`` modes, in nats."""
    p = np.bincount(mode_index, minlength=n_modes) / max(len(mode_index), 1)
    nz = p > 0
    return float((p[nz] * np.log(p[nz] * n_modes)).sum())


def mixture_metrics(samples: np.ndarray, means: np.ndarray, std: float) -> dict[str, float]:
    """High-quality fraction, modes captured and mode KL of ``samples`` (shape (n, 2))."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise ValueError(f"samples must have shape (n, {means.shape[1]}), got {samples.shape}")
    if not np.isfinite(samples).all():
        raise FloatingPointError("generated samples contain NaN or Inf")
    idx, dist = nearest_modes(samples, means)
    high_quality = dist <= 3.0 * std
    return {
        "high_quality": float(high_quality.mean()),
        "modes": float(len(np.unique(idx[high_quality]))),
        "kl": mode_kl(idx, len(means)),
    }
