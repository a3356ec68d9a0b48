"""GAN loss pairs: what the discriminator minimizes and what the generator minimizes.

A loss pair maps discriminator outputs (raw logits or critic values) to the two players'
scalar losses. ``probability`` turns an output into D's probability that the input is
real, for diagnostics; it is ``None`` for critics whose outputs are not probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class LossPair:
    """A named pair of player losses over discriminator outputs."""

    name: str
    d_loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
    g_loss: Callable[[tf.Tensor], tf.Tensor]
    probability: Callable[[tf.Tensor], tf.Tensor] | None = tf.sigmoid


def _d_cross_entropy(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    # -log D(x) - log(1 - D(G(z))) with D = sigmoid(logit); softplus keeps it stable.
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
        tf.nn.softplus(fake_logits)
    )


def _g_saturating(fake_logits: tf.Tensor) -> tf.Tensor:
    # log(1 - D(G(z))) = -softplus(logit): its gradient vanishes when D rejects fakes.
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def _g_non_saturating(fake_logits: tf.Tensor) -> tf.Tensor:
    # -log D(G(z)) = softplus(-logit).
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


minimax = LossPair("minimax", _d_cross_entropy, _g_saturating)
non_saturating = LossPair("non-saturating", _d_cross_entropy, _g_non_saturating)
