"""GAN loss pairs: what the discriminator minimizes and what the generator minimizes.

A loss pair maps discriminator outputs (raw logits or critic values) to the two players'
scalar losses. ``probability`` turns an output into D's probability that the input is
real, for diagnostics; it is ``None`` for critics whose outputs are not probabilities.

Most generator losses see only D's outputs on fakes. A relativistic loss (RaGAN) also sees
D's outputs on a real batch: such a pair sets ``g_sees_real`` and its ``g_loss`` takes
``(real_out, fake_out)``; every step path then evaluates D on a real batch in the
generator's loss too (``LossPair.generator_loss`` is the one call they make).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class LossPair:
    """A named pair of player losses over discriminator outputs.

    ``d_loss(real_out, fake_out)``; ``g_loss(fake_out)``, or ``g_loss(real_out, fake_out)``
    when ``g_sees_real``.
    """

    name: str
    d_loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
    g_loss: Callable[..., tf.Tensor]
    probability: Callable[[tf.Tensor], tf.Tensor] | None = tf.sigmoid
    g_sees_real: bool = False

    def generator_loss(self, real_out: Callable[[], tf.Tensor] | None,
                       fake_out: tf.Tensor) -> tf.Tensor:
        """G's loss; ``real_out()`` (D's outputs on a real batch) is called only when the
        loss needs it, so losses over fakes alone never evaluate D on real data."""
        if not self.g_sees_real:
            return self.g_loss(fake_out)
        if real_out is None:
            raise ValueError(f"loss {self.name!r} needs D's outputs on real samples in the "
                             f"generator's loss, and none were given")
        return self.g_loss(real_out(), fake_out)


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


def _relativistic_average(real: tf.Tensor, fake: tf.Tensor, sign: float) -> tf.Tensor:
    # 1/2 [E_r BCE(C(x_r) - mean C(x_f), real) + E_f BCE(C(x_f) - mean C(x_r), fake)] with the
    # labels swapped for sign = -1. The batch means are not detached: gradients flow
    # through them, as in the reference code.
    real_rel = real - tf.reduce_mean(fake)
    fake_rel = fake - tf.reduce_mean(real)
    return 0.5 * (tf.reduce_mean(tf.nn.softplus(-sign * real_rel))
                  + tf.reduce_mean(tf.nn.softplus(sign * fake_rel)))


def _ra_d(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    return _relativistic_average(real, fake, 1.0)


def _ra_g(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    return _relativistic_average(real, fake, -1.0)


# Jolicoeur-Martineau 2018 (arXiv:1807.00734, RaSGAN, eqs. in section 4.2; reference
# AlexiaJM/RelativisticGAN code/GAN_losses_iter.py, loss_D 6): D judges whether a real
# sample is more realistic than the average fake, and G the converse, so G's loss also
# pushes D's outputs on real data down. C's raw outputs mean nothing alone (only their
# differences do), so they are reported as critic values, not probabilities.
relativistic_average = LossPair("relativistic average", _ra_d, _ra_g, probability=None,
                                g_sees_real=True)
