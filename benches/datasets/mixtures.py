"""2D mixtures of Gaussians, the classic mode-collapse testbeds.

Setup of PacGAN (Lin et al. 2018, arXiv:1712.04086), after Metz et al. 2017
(arXiv:1611.02163): ``ring8`` has 8 modes on the unit circle with std 0.01; ``grid25``
has 25 modes on {-4,-2,0,2,4}^2 with std 0.05. Samples are drawn on the fly from a
stateless seed, inside the compiled training step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from benches.datasets.base import Dataset
from benches.datasets.registry import register
from benches.train.networks import MLP, BatchNormMLP, MaxoutMLP
from methods.parts import rng
from methods.parts.network import Network
from metrics.mixture import mixture_metrics


class GaussianMixture(Dataset):
    """An equal-weight mixture of isotropic 2D Gaussians.

    ``hidden`` gives the hidden-layer widths of both players' MLPs and ``latent_dim`` the
    generator's input size; the defaults are the suite's networks (3 x 128, latent 2, the
    depth the convergence study chose: results/studies/convergence_2d.md).
    """

    family = "mixture"
    primary_metrics = (("modes", "max"), ("kl", "min"), ("high_quality", "max"))

    def __init__(self, name: str, means: np.ndarray, std: float, description: str, *,
                 hidden: tuple[int, ...] = (128, 128, 128), latent_dim: int = 2):
        self.name = name
        self.means = np.asarray(means, dtype=np.float64)
        self.std = float(std)
        self.description = description
        self.hidden = tuple(int(h) for h in hidden)
        self.latent_dim = int(latent_dim)
        if not self.hidden or min(self.hidden) < 1 or self.latent_dim < 1:
            raise ValueError(f"need >= 1 hidden layer of width >= 1 and latent_dim >= 1, "
                             f"got hidden={self.hidden}, latent_dim={self.latent_dim}")

    architectures = ("default", "pacgan")

    def networks(self, architecture: str = "default") -> tuple[Network, Network]:
        """The suite's MLPs, or (``"pacgan"``) PacGAN's: a 4 x 400 batch-norm generator
        and a 3 x 200 maxout discriminator (``benches.train.networks``)."""
        if architecture == "pacgan":
            return (BatchNormMLP(self.latent_dim, (400,) * 4, 2, name="generator"),
                    MaxoutMLP(2, (200,) * 3, 1, name="discriminator", pieces=5))
        return (
            MLP(self.latent_dim, self.hidden, 2, name="generator"),
            MLP(2, self.hidden, 1, name="discriminator"),
        )

    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        seeds = rng.split(seed, 2)
        k = rng.integers([n], seeds[0], len(self.means))
        centres = tf.gather(tf.constant(self.means, tf.float32), k)
        return centres + self.std * rng.normal([n, 2], seeds[1])

    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        return mixture_metrics(samples, self.means, self.std)

    def reference_points(self) -> np.ndarray:
        return self.means

    def mode_coverage(self, metrics: Mapping[str, float]) -> float | None:
        """Modes captured / total modes."""
        return metrics["modes"] / len(self.means) if "modes" in metrics else None

    def sample_quality(self, metrics: Mapping[str, float]) -> float | None:
        """The high-quality fraction (within 3 std of a mode)."""
        return metrics.get("high_quality")


@register("ring8")
def ring8(**networks) -> GaussianMixture:
    """``networks``: ``hidden`` and ``latent_dim`` for :class:`GaussianMixture`."""
    angles = 2 * math.pi * np.arange(8) / 8
    return GaussianMixture(
        "ring8", np.stack([np.cos(angles), np.sin(angles)], 1), 0.01,
        "8 Gaussians on the unit circle, std 0.01 (PacGAN)", **networks,
    )


@register("grid25")
def grid25(**networks) -> GaussianMixture:
    """``networks``: ``hidden`` and ``latent_dim`` for :class:`GaussianMixture`."""
    axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    means = np.array([(x, y) for x in axis for y in axis])
    return GaussianMixture("grid25", means, 0.05, "25 Gaussians on a 5x5 grid, std 0.05 (PacGAN)",
                           **networks)
