"""Discriminator regularizers ``f(ctx) -> scalar`` added to D's loss.

``ctx`` is a :class:`DiscriminatorContext`, built by the trainer. Gradient norms are taken per
sample with respect to D's input; every penalty differentiates through them (double
backprop), which XLA compiles like any other gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import tensorflow as tf

from methods.parts import rng


@dataclass(frozen=True)
class DiscriminatorContext:
    """What a discriminator regularizer sees inside the compiled step.

    ``discriminator`` evaluates D as the method sees it (packed, reparametrized);
    ``real``/``fake`` are the samples D's loss used (after input noise) and
    ``real_out``/``fake_out`` its outputs on them; ``state`` holds the variables the
    trainer created from ``Method.d_state``.
    """

    discriminator: Callable[[tf.Tensor], tf.Tensor]
    params: Sequence[tf.Variable]
    real: tf.Tensor
    fake: tf.Tensor
    seed: tf.Tensor
    step: tf.Tensor
    real_out: tf.Tensor | None = None
    fake_out: tf.Tensor | None = None
    state: Mapping[str, tf.Variable] = field(default_factory=dict)


Regularizer = Callable[[DiscriminatorContext], tf.Tensor]


def input_gradients(discriminator: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> tf.Tensor:
    """grad_x D(x) for every sample (samples are independent, so grad of the sum)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = discriminator(x)
    return tape.gradient(out, x)


def _norms(g: tf.Tensor) -> tf.Tensor:
    # The epsilon keeps the norm differentiable where a gradient is exactly zero.
    return tf.sqrt(tf.reduce_sum(tf.square(g), axis=list(range(1, g.shape.rank))) + 1e-12)


def _per_sample(u: tf.Tensor, x: tf.Tensor) -> tf.Tensor:
    return tf.reshape(u, [-1] + [1] * (x.shape.rank - 1))


def interpolates(real: tf.Tensor, fake: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """eps * real + (1 - eps) * fake, eps ~ U[0, 1] per sample (WGAN-GP, Algorithm 1)."""
    eps = _per_sample(rng.uniform([tf.shape(real)[0]], seed), real)
    return eps * real + (1.0 - eps) * fake


def gradient_penalty(weight: float, target: float = 1.0) -> Regularizer:
    """weight * E[(||grad D(x_hat)|| - target)^2] at interpolates (Gulrajani et al. 2017)."""

    def regularize(ctx: DiscriminatorContext) -> tf.Tensor:
        x_hat = interpolates(ctx.real, ctx.fake, ctx.seed)
        norms = _norms(input_gradients(ctx.discriminator, x_hat))
        return weight * tf.reduce_mean(tf.square(norms - target))

    return regularize


def lipschitz_penalty(weight: float) -> Regularizer:
    """weight * E[max(0, ||grad D(x_hat)|| - 1)^2] at interpolates (Petzka et al. 2018).

    One-sided: only gradients steeper than 1 are penalized, which is what the
    Lipschitz constraint asks for.
    """

    def regularize(ctx: DiscriminatorContext) -> tf.Tensor:
        x_hat = interpolates(ctx.real, ctx.fake, ctx.seed)
        norms = _norms(input_gradients(ctx.discriminator, x_hat))
        return weight * tf.reduce_mean(tf.square(tf.nn.relu(norms - 1.0)))

    return regularize


def dragan_points(real: tf.Tensor, seed: tf.Tensor, scale: float) -> tf.Tensor:
    """x + alpha * delta, delta = scale * std(x) * U[0,1]^d, alpha ~ U[0,1] per sample.

    The local perturbation of real data from Kodali et al. 2017 (their released code's
    form of the N(0, cI) perturbation in eq. 4), with std over the whole real batch.
    """
    seeds = rng.split(seed, 2)
    std = tf.math.reduce_std(real)
    delta = scale * std * rng.uniform(tf.shape(real), seeds[0])
    alpha = _per_sample(rng.uniform([tf.shape(real)[0]], seeds[1]), real)
    return real + alpha * delta


def dragan_penalty(weight: float, target: float = 1.0, scale: float = 0.5) -> Regularizer:
    """weight * E[(||grad D(x + delta)|| - target)^2] around real data (Kodali et al. 2017)."""

    def regularize(ctx: DiscriminatorContext) -> tf.Tensor:
        x_hat = dragan_points(ctx.real, ctx.seed, scale)
        norms = _norms(input_gradients(ctx.discriminator, x_hat))
        return weight * tf.reduce_mean(tf.square(norms - target))

    return regularize


def _zero_centred(gamma: float, on_real: bool) -> Regularizer:
    def regularize(ctx: DiscriminatorContext) -> tf.Tensor:
        g = input_gradients(ctx.discriminator, ctx.real if on_real else ctx.fake)
        sq = tf.reduce_sum(tf.square(g), axis=list(range(1, g.shape.rank)))
        return 0.5 * gamma * tf.reduce_mean(sq)

    return regularize


def r1_penalty(gamma: float) -> Regularizer:
    """gamma/2 * E_real[||grad D(x)||^2] (Mescheder et al. 2018, eq. 9).

    The paper's convention: the reference code's ``reg_param`` (LMescheder/GAN_stability
    ``gan_training/train.py``, no 1/2) equals gamma/2.
    """
    return _zero_centred(gamma, on_real=True)


def r2_penalty(gamma: float) -> Regularizer:
    """gamma/2 * E_fake[||grad D(x)||^2] (Mescheder et al. 2018, eq. 10); convention as
    :func:`r1_penalty`."""
    return _zero_centred(gamma, on_real=False)


LECAM_STATE = {"ema_real": 0.0, "ema_fake": 0.0}


def lecam_regularizer(weight: float, decay: float = 0.9, start: int = 1000) -> Regularizer:
    """LeCam regularization (Tseng, Jiang, Liu, Yang & Yang 2021, arXiv:2104.03310), as the
    authors' code computes it (google/lecam-gan ``biggan_cifar/losses.py`` ``lecam_reg``):

        weight * (E[relu(D(x) - a_F)^2] + E[relu(a_R - D(G(z)))^2]).

    The paper's eq. 3 writes two-sided squares; the released code behind its experiments
    penalizes only real outputs above the fake anchor and fake outputs below the real
    one, and that is followed here. a_R, a_F are moving averages of D's mean output on
    real and fake batches (``ctx.state``, initial values :data:`LECAM_STATE`), updated
    with the current batch first and then used as constants (``loss_hinge_dis``). With
    the generator iteration ``itr = ctx.step + 1``, as ``third_party/utils.py``
    ``ema_losses`` and ``third_party/train_fns.py`` do: while ``itr < start`` the
    average's decay is 0 (the anchors are the last batch means: the warm-up), and the
    penalty is added only once ``itr > start``.
    """
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"LeCam decay must be in [0, 1), got {decay}")
    if start < 0:
        raise ValueError(f"LeCam start must be >= 0 iterations, got {start}")

    def regularize(ctx: DiscriminatorContext) -> tf.Tensor:
        ema_real, ema_fake = ctx.state["ema_real"], ctx.state["ema_fake"]
        itr = tf.cast(ctx.step, tf.float32) + 1.0
        d = tf.where(itr < float(start), 0.0, decay)
        real_mean = tf.stop_gradient(tf.reduce_mean(ctx.real_out))
        fake_mean = tf.stop_gradient(tf.reduce_mean(ctx.fake_out))
        a_r = ema_real.assign(d * ema_real + (1.0 - d) * real_mean)
        a_f = ema_fake.assign(d * ema_fake + (1.0 - d) * fake_mean)
        penalty = (tf.reduce_mean(tf.square(tf.nn.relu(ctx.real_out - a_f)))
                   + tf.reduce_mean(tf.square(tf.nn.relu(a_r - ctx.fake_out))))
        return tf.where(itr > float(start), weight * penalty, 0.0)

    return regularize
