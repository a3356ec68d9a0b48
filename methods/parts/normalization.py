"""Discriminator reparametrizations: spectral normalization and gradient normalization.

A wrapper is a frozen spec; ``bind(network, params)`` gives the trainer a
:class:`WrappedDiscriminator` whose ``variables`` (non-trainable state, created once per
cell), ``update(params)`` (once per discriminator step, before it) and
``apply(params, x)`` (every evaluation of D, by both players) the trainer uses in place
of the raw network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import tensorflow as tf

from methods.parts import rng


class WrappedDiscriminator(Protocol):
    variables: list[tf.Variable]

    def update(self, params: Sequence[tf.Tensor]) -> None: ...

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor: ...


class DiscriminatorWrapper(Protocol):
    def bind(self, network: Any, params: Sequence[tf.Variable]) -> WrappedDiscriminator: ...


def _unit(x: tf.Tensor) -> tf.Tensor:
    return x / (tf.norm(x) + 1e-12)


def kernel_matrix(kernel: tf.Tensor) -> tf.Tensor:
    """A kernel as the matrix ``[fan_in, out]`` whose spectral norm SN-GAN divides by.

    Dense kernels ``[in, out]`` stay as they are; conv kernels ``[h, w, in, out]``
    become ``[h * w * in, out]``, the reshape of Miyato et al. 2018 (section 3, and
    ``W.reshape(out, -1)`` in pfnet-research/sngan_projection
    ``source/links/sn_convolution_2d.py``: the same matrix transposed, so the same
    singular values).
    """
    return tf.reshape(kernel, [-1, kernel.shape[-1]])


def spectral_norm_estimate(kernel: tf.Tensor, u: tf.Tensor) -> tf.Tensor:
    """sigma ~ v^T W u with v = W u / ||W u||, for ``W = kernel_matrix(kernel)`` and u in
    R^out.

    u and v are constants for differentiation, as in Miyato et al. 2018 (Appendix A).
    """
    w = kernel_matrix(kernel)
    u = tf.stop_gradient(u)
    v = tf.stop_gradient(_unit(tf.linalg.matvec(w, u)))
    return tf.tensordot(v, tf.linalg.matvec(w, u), 1)


def power_iteration(kernel: tf.Tensor, u: tf.Tensor) -> tf.Tensor:
    """One power-iteration step u <- W^T W u / ||W^T W u|| toward the top right singular
    vector of ``W = kernel_matrix(kernel)``."""
    w = kernel_matrix(kernel)
    v = _unit(tf.linalg.matvec(w, u))
    return _unit(tf.linalg.matvec(w, v, transpose_a=True))


class SpectrallyNormalized:
    """A network whose every kernel (parameter of rank >= 2: dense and conv kernels) is
    divided by the spectral norm of its :func:`kernel_matrix`; biases are left alone."""

    def __init__(self, network: Any, params: Sequence[tf.Variable], iterations: int, seed: int):
        self.network = network
        self.iterations = iterations
        self.kernels = [i for i, p in enumerate(params) if p.shape.rank >= 2]
        self.u = {
            i: tf.Variable(_unit(rng.normal([params[i].shape[-1]], tf.constant([seed, i]))),
                           trainable=False, name=f"sn_u{i}")
            for i in self.kernels
        }
        self.variables = list(self.u.values())

    def update(self, params: Sequence[tf.Tensor]) -> None:
        for i in self.kernels:
            u = self.u[i]
            for _ in range(self.iterations):
                u.assign(power_iteration(tf.stop_gradient(params[i]), u))

    def normalized(self, params: Sequence[tf.Tensor]) -> list[tf.Tensor]:
        return [p / spectral_norm_estimate(p, self.u[i]) if i in self.u else p
                for i, p in enumerate(params)]

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        return self.network.apply(self.normalized(params), x)


@dataclass(frozen=True)
class SpectralNormalization:
    """Spectral normalization (Miyato, Kataoka, Koyama & Yoshida 2018, arXiv:1802.05957;
    reference code pfnet-research/sngan_projection ``source/links/sn_linear.py``,
    ``source/links/sn_convolution_2d.py``, ``source/functions/max_sv.py``).

    Each kernel W, conv kernels reshaped to ``[h * w * in, out]``, is used as
    W / sigma(W), with sigma estimated by ``iterations`` power iterations per
    discriminator step from vectors that persist across steps, so one iteration per step
    suffices as the weights move slowly. The reference updates u on every training-mode
    forward pass (several per step); here it is updated once per D step, before it.
    """

    iterations: int = 1
    seed: int = 0

    def bind(self, network: Any, params: Sequence[tf.Variable]) -> SpectrallyNormalized:
        return SpectrallyNormalized(network, params, self.iterations, self.seed)


class GradientNormalized:
    """D_hat(x) = f(x) / (||grad_x f(x)|| + |f(x)|), per sample."""

    def __init__(self, network: Any):
        self.network = network
        self.variables: list[tf.Variable] = []

    def update(self, params: Sequence[tf.Tensor]) -> None:
        return None

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(x)
            f = self.network.apply(params, x)
        g = tape.gradient(f, x)
        g_norm = tf.sqrt(tf.reduce_sum(tf.square(g), axis=list(range(1, g.shape.rank))))
        return f / (tf.reshape(g_norm, [-1, 1]) + tf.abs(f))


@dataclass(frozen=True)
class GradientNormalization:
    """Gradient normalization (Wu et al. 2021, arXiv:2109.02235, eq. 7).

    Makes D piecewise K-Lipschitz with K = 1 by dividing its output by its own input
    gradient norm; unlike spectral normalization the bound is tight and layer-free.
    """

    def bind(self, network: Any, params: Sequence[tf.Variable]) -> GradientNormalized:
        return GradientNormalized(network)
