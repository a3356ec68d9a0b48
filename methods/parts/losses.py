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


def _cross_entropy(logits: tf.Tensor, target: float) -> tf.Tensor:
    # Mean binary cross-entropy of sigmoid(logits) against a constant target;
    # -log sigmoid(l) = softplus(-l) and -log(1 - sigmoid(l)) = softplus(l) keep it stable.
    return tf.reduce_mean(target * tf.nn.softplus(-logits)
                          + (1.0 - target) * tf.nn.softplus(logits))


def _d_cross_entropy(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    # -log D(x) - log(1 - D(G(z))) with D = sigmoid(logit).
    return _cross_entropy(real_logits, 1.0) + _cross_entropy(fake_logits, 0.0)


def _g_saturating(fake_logits: tf.Tensor) -> tf.Tensor:
    # log(1 - D(G(z))) = -softplus(logit): its gradient vanishes when D rejects fakes.
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def _g_non_saturating(fake_logits: tf.Tensor) -> tf.Tensor:
    # -log D(G(z)) = softplus(-logit).
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


minimax = LossPair("minimax", _d_cross_entropy, _g_saturating)
non_saturating = LossPair("non-saturating", _d_cross_entropy, _g_non_saturating)


def one_sided_label_smoothing(real_target: float = 0.9) -> LossPair:
    """Non-saturating loss whose real label is ``real_target`` (Salimans et al. 2016).

    Only the real target is smoothed (arXiv:1606.03498, section 3.4): smoothing the fake
    target too would let fakes keep a non-zero optimal D where there is no data.
    """
    if not 0.0 < real_target <= 1.0:
        raise ValueError(f"real_target must be in (0, 1], got {real_target}")

    def d_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
        return _cross_entropy(real_logits, real_target) + _cross_entropy(fake_logits, 0.0)

    return LossPair(f"non-saturating, real label {real_target}", d_loss, _g_non_saturating)


def _critic_d(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(fake) - tf.reduce_mean(real)


def _critic_g(fake: tf.Tensor) -> tf.Tensor:
    return -tf.reduce_mean(fake)


# Arjovsky et al. 2017 (arXiv:1701.07875): the critic estimates W1 by
# max E[D(x)] - E[D(G(z))]; the generator minimizes -E[D(G(z))].
wasserstein = LossPair("wasserstein", _critic_d, _critic_g, probability=None)


def _ls_d(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    return 0.5 * tf.reduce_mean(tf.square(real - 1.0)) + 0.5 * tf.reduce_mean(tf.square(fake))


def _ls_g(fake: tf.Tensor) -> tf.Tensor:
    return 0.5 * tf.reduce_mean(tf.square(fake - 1.0))


# Mao et al. 2017 (arXiv:1611.04076), the 0-1 coding a=0, b=1, c=1 (their eq. 9).
least_squares = LossPair("least-squares", _ls_d, _ls_g, probability=None)


def _hinge_d(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))


# Lim & Ye 2017 (arXiv:1705.02894): margin loss for D, -E[D(G(z))] for G.
hinge = LossPair("hinge", _hinge_d, _critic_g, probability=None)
