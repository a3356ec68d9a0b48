"""Mode-collapse metrics for mixtures of Gaussians.

The definitions of VEEGAN (Srivastava et al. 2017, arXiv:1705.07761) and PacGAN (Lin et
al. 2018, arXiv:1712.04086, Table 1), as computed by PacGAN's released code
(fjxmlzn/PacGAN, ``synthetic_data_experiments/PacGAN/pacgan/extensions.py``,
``MetricLogger``):

- a sample is *high quality* when its distance to the nearest mode, in units of that
  mode's standard deviation, is below 3 (strict, as the reference's ``dis_thre=3``);
  ``high_quality`` is their fraction among all samples;
- only high-quality samples enter the histogram over nearest modes;
- ``modes`` counts the non-empty bins (one high-quality sample captures a mode);
- ``kl`` is the "reverse KL" KL(p || uniform) of that high-quality histogram, in nats,
  empty bins contributing 0: the reference logs the histogram's entropy H (scipy, natural
  log), and KL(p || uniform over K) = ln K - H.

Without any high-quality sample the reference divides 0 by 0 (NaN). Here ``kl`` is then
ln K, the largest value KL(p || uniform) takes: a generator whose samples are all off the
data counts as no better than one collapsed onto a single mode, and one high-quality
sample gives exactly ln K too, so the value is continuous in the number of such samples.

A generator spread evenly but blurred around the modes is no longer scored by the balance
of its blur: its ``kl`` rests on the few samples near a mode (ln K / support when they are
very few), and ``high_quality`` states the blur. The modes are isotropic with one common
std, so the nearest mode in std units is the Euclidean nearest mode.

For a sampler drawing from the true 2D mixture the expected high-quality fraction is
P(chi_2 < 3) = 1 - exp(-9/2) ~ 0.989.
"""

from __future__ import annotations

import math

import numpy as np

HIGH_QUALITY_STDS = 3.0  # VEEGAN/PacGAN: within three standard deviations of a mode


def nearest_modes(samples: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and Euclidean distance to each sample's nearest mode."""
    samples = np.asarray(samples, dtype=np.float64)
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    idx = d2.argmin(1)
    return idx, np.sqrt(d2[np.arange(len(samples)), idx])


def mode_kl(mode_index: np.ndarray, n_modes: int) -> float:
    """KL(p || uniform) of the histogram of ``mode_index`` over ``n_modes`` modes, in nats.

    Empty bins contribute 0; an empty ``mode_index`` gives ln ``n_modes`` (see module doc).
    """
    if len(mode_index) == 0:
        return math.log(n_modes)
    p = np.bincount(mode_index, minlength=n_modes) / len(mode_index)
    nz = p > 0
    return float((p[nz] * np.log(p[nz] * n_modes)).sum())


def mixture_metrics(samples: np.ndarray, means: np.ndarray, std: float) -> dict[str, float]:
    """High-quality fraction, modes captured and reverse KL (PacGAN) of ``samples`` (n, 2)."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise ValueError(f"samples must have shape (n, {means.shape[1]}), got {samples.shape}")
    if not np.isfinite(samples).all():
        raise FloatingPointError("generated samples contain NaN or Inf")
    idx, dist = nearest_modes(samples, means)
    good = idx[dist < HIGH_QUALITY_STDS * std]
    return {
        "high_quality": float(len(good) / max(len(samples), 1)),
        "modes": float(len(np.unique(good))),
        "kl": mode_kl(good, len(means)),
    }
