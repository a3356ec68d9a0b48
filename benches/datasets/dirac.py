"""Dirac-GAN, the one-parameter game of Mescheder et al. 2018 (arXiv:1801.04406).

The generator is a point mass ``p = delta_theta``; the discriminator is linear,
``D(x) = psi * x``; the data is ``delta_0``. The unique equilibrium is
``theta = psi = 0``. Every run starts at ``theta = psi = 1`` and both players take plain
gradient steps of size 0.2 (the dataset's ``optimizer``, applied to every method), so the
table compares the methods' game dynamics, not their optimizers. The paper's per-method
settings for this toy are the methods' ``dirac`` family settings (``methods/*.py``).

Metric: the final distance from equilibrium ``sqrt(theta^2 + |psi|^2)``; the history
holds the ``theta`` and ``psi`` trajectories.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from benches.datasets.base import Dataset
from benches.datasets.registry import register
from methods.parts.optimizers import sgd

START = 1.0
STEP_SIZE = 0.2


@dataclass(frozen=True)
class PointMassGenerator:
    """``G(z) = theta`` for every latent ``z``: one parameter, the point mass's location."""

    name: str = "generator"
    layer_names: tuple[str, ...] = ("theta",)

    def init(self, seed: int) -> list[tf.Variable]:
        return [tf.Variable(tf.fill([1], START), name=f"{self.name}/theta")]

    def apply(self, params: Sequence[tf.Tensor], z: tf.Tensor) -> tf.Tensor:
        return tf.zeros_like(z[:, :1]) + params[0]

    def layer_of(self, param_index: int) -> str:
        return "theta"


@dataclass(frozen=True)
class LinearDiscriminator:
    """``D(x) = x @ psi``: a bias-free 1x1 linear layer, so psi is a kernel like any other.

    A wider input (e.g. packed samples) gets one psi per input feature.
    """

    input_dim: int = 1
    name: str = "discriminator"
    layer_names: tuple[str, ...] = ("psi",)

    def init(self, seed: int) -> list[tf.Variable]:
        return [tf.Variable(tf.fill([self.input_dim, 1], START), name=f"{self.name}/psi")]

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        return tf.matmul(x, params[0])

    def layer_of(self, param_index: int) -> str:
        return "psi"

    def widened(self, factor: int) -> LinearDiscriminator:
        """One psi per feature of a ``factor`` times wider input (packing)."""
        return dataclasses.replace(self, input_dim=self.input_dim * factor)


class DiracGAN(Dataset):
    """Data ``delta_0``; point-mass generator vs. linear discriminator."""

    name = "dirac"
    family = "dirac"
    sample_kind = "none"  # the generator is one point; history carries theta and psi
    description = "delta_theta vs. D(x) = psi * x, start (1, 1), GD step 0.2 (Mescheder 2018)"
    latent_dim = 1
    primary_metrics = (("distance", "min"),)
    optimizer = sgd(STEP_SIZE)

    def networks(self, architecture: str = "default"
                 ) -> tuple[PointMassGenerator, LinearDiscriminator]:
        return PointMassGenerator(), LinearDiscriminator()

    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        return tf.zeros([n, 1])

    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        """Where the generated mass sits: ``theta``, read off the generator's samples."""
        samples = np.asarray(samples, dtype=np.float64)
        if not np.isfinite(samples).all():
            raise FloatingPointError("generated samples contain NaN or Inf")
        return {"theta": float(samples.mean())}

    def player_metrics(self, g_params: Sequence[tf.Variable],
                       d_params: Sequence[tf.Variable]) -> dict[str, float]:
        theta = float(g_params[0].numpy()[0])
        psi = np.asarray(d_params[0].numpy(), dtype=np.float64).ravel()
        return {"psi": float(psi[0]), "distance": math.sqrt(theta**2 + float(psi @ psi))}


@register("dirac")
def dirac() -> DiracGAN:
    return DiracGAN()
