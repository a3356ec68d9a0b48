"""Input noise for the discriminator."""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from methods.parts import rng


@dataclass(frozen=True)
class InstanceNoise:
    """Gaussian noise added to every input D sees, real and fake (Sønderby et al. 2017).

    Both distributions convolved with the same Gaussian overlap, so D cannot separate
    them perfectly and G's gradient stays informative (arXiv:1610.04490, section 3.2).
    The std anneals linearly from ``std`` to 0 over ``anneal_steps`` training steps
    (``anneal_steps = 0`` keeps it constant).
    """

    std: float
    anneal_steps: int = 0

    def __post_init__(self) -> None:
        if self.std < 0 or self.anneal_steps < 0:
            raise ValueError(f"instance noise needs std >= 0 and anneal_steps >= 0, got {self}")

    def std_at(self, step: tf.Tensor) -> tf.Tensor:
        if self.anneal_steps == 0:
            return tf.constant(self.std, tf.float32)
        frac = tf.cast(step, tf.float32) / float(self.anneal_steps)
        return self.std * tf.maximum(1.0 - frac, 0.0)

    def __call__(self, x: tf.Tensor, seed: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
        return x + self.std_at(step) * rng.normal(x.shape.as_list(), seed)
