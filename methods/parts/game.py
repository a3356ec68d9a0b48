"""The GAN as a differentiable game: simultaneous updates and joint gradient transforms.

Each player minimizes its own loss; the game's vector field is
``xi(x) = (d L_G / d theta, d L_D / d psi)`` at the joint parameters ``x = (theta, psi)``,
and simultaneous gradient descent steps ``x <- x - h * xi(x)``. Its Jacobian
``H = d xi / dx`` has an antisymmetric part that makes plain gradient dynamics rotate
around equilibria (Mescheder et al. 2017; Balduzzi et al. 2018). The transforms here see
both players' gradients at once and can re-evaluate the field under nested gradient
tapes, which is how they get Jacobian-vector products inside the XLA-compiled step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from methods.parts.losses import LossPair
from methods.parts.method import JointTransform
from methods.parts.network import Network
from methods.parts.optimizers import Optimizer
from methods.parts.update import PlayerUpdate

_ZERO = tf.UnconnectedGradients.ZERO


@dataclass(frozen=True)
class Players:
    """Both players inside one compiled step: networks, parameters, optimizers, data.

    ``draw(i)`` returns the ``i``-th fresh ``(real batch, latent batch)`` of this step
    (stateless, from the cell's seed and step counter).
    """

    generator: Network
    discriminator: Network
    g_params: list[tf.Variable]
    d_params: list[tf.Variable]
    g_opt: Optimizer
    d_opt: Optimizer
    draw: Callable[[int], tuple[tf.Tensor, tf.Tensor]]

    @property
    def params(self) -> list[tf.Variable]:
        """Joint parameters: the generator's, then the discriminator's."""
        return [*self.g_params, *self.d_params]

    def g_update(self, method: Any) -> PlayerUpdate:
        """The generator's update chain under ``method`` (its gradient transform)."""
        return PlayerUpdate("g", self.generator, self.g_opt, method.g_transform)

    def d_update(self, method: Any) -> PlayerUpdate:
        """The discriminator's update chain under ``method`` (transform, constraint)."""
        return PlayerUpdate("d", self.discriminator, self.d_opt, method.d_transform,
                            method.d_constraint)


@dataclass(frozen=True)
class FieldValue:
    """The vector field at the current parameters: gradients (G's, then D's) and stats."""

    grads: list[tf.Tensor]
    stats: dict[str, tf.Tensor]


def vector_field(players: Players, loss: LossPair, real: tf.Tensor,
                 z: tf.Tensor) -> Callable[[], FieldValue]:
    """A function evaluating the game's vector field on a fixed minibatch.

    It reads the parameters when called, so transforms can call it under their own
    gradient tapes (second derivatives) or after moving the parameters (extrapolation).
    """

    def field() -> FieldValue:
        with tf.GradientTape(persistent=True) as tape:
            fake = players.generator.apply(players.g_params, z)
            real_out = players.discriminator.apply(players.d_params, real)
            fake_out = players.discriminator.apply(players.d_params, fake)
            d_loss = loss.d_loss(real_out, fake_out)
            g_loss = loss.g_loss(fake_out)
        g_grads = tape.gradient(g_loss, players.g_params, unconnected_gradients=_ZERO)
        d_grads = tape.gradient(d_loss, players.d_params, unconnected_gradients=_ZERO)
        del tape
        prob = loss.probability or tf.identity
        return FieldValue([*g_grads, *d_grads], {
            "g_loss": g_loss, "d_loss": d_loss,
            "d_real": tf.reduce_mean(prob(real_out)), "d_fake": tf.reduce_mean(prob(fake_out)),
        })

    return field


def _dot(a: Sequence[tf.Tensor], b: Sequence[tf.Tensor]) -> tf.Tensor:
    return tf.add_n([tf.reduce_sum(x * y) for x, y in zip(a, b, strict=True)])


def consensus(gamma: float) -> JointTransform:
    """Consensus optimization (Mescheder, Nowozin & Geiger 2017, arXiv:1705.10461;
    LMescheder/TheNumericsOfGANs ``consensus_gan/optimizer.py``).

    Follows ``xi + gamma * grad L`` with ``L = |xi|^2 / 2``, i.e. ``xi + gamma * H^T xi``:
    both players also descend the norm of the field, which pulls the Jacobian's
    eigenvalues away from the imaginary axis.
    """

    def transform(field: Callable[[], FieldValue],
                  params: Sequence[tf.Variable]) -> tuple[FieldValue, list[tf.Tensor]]:
        with tf.GradientTape() as tape:
            value = field()
            half_norm_sq = 0.5 * _dot(value.grads, value.grads)
        ht_xi = tape.gradient(half_norm_sq, params, unconnected_gradients=_ZERO)
        return value, [g + gamma * r for g, r in zip(value.grads, ht_xi, strict=True)]

    return transform


def symplectic_adjustment(lam: float, align: bool = True, epsilon: float = 0.1) -> JointTransform:
    """Symplectic gradient adjustment (Balduzzi, Racanière, Martens, Foerster, Tuyls &
    Graepel 2018, arXiv:1802.05642, Algorithm 1; deepmind/symplectic-gradient-adjustment
    ``Symplectic_Gradient_Adjustment.ipynb``, ``SymplecticOptimizer.apply_gradients``).

    Follows ``xi + lambda * A^T xi`` with ``A = (H - H^T) / 2`` the antisymmetric part of
    the game Jacobian, so ``A^T xi = (H^T xi - H xi) / 2``. ``H^T xi`` is a reverse-mode
    product; ``H xi`` comes from differentiating ``u -> H^T u`` once more. With ``align``
    lambda's sign is ``sign(<xi, grad Ham><A^T xi, grad Ham> / n + epsilon)`` where
    ``grad Ham = H^T xi``. Algorithm 1 writes the normalizer as the dimension; the
    reference code that ran the paper's experiments divides by ``n = len(vars)``, the
    number of parameter tensors, and so does this.
    """

    def transform(field: Callable[[], FieldValue],
                  params: Sequence[tf.Variable]) -> tuple[FieldValue, list[tf.Tensor]]:
        u = [tf.zeros_like(p) for p in params]
        with tf.GradientTape() as tape_u:
            tape_u.watch(u)
            with tf.GradientTape(persistent=True) as tape_x:
                value = field()
            ht_u = tape_x.gradient(value.grads, params, output_gradients=u,
                                   unconnected_gradients=_ZERO)
        xi = [tf.stop_gradient(g) for g in value.grads]
        h_xi = tape_u.gradient(ht_u, u, output_gradients=xi, unconnected_gradients=_ZERO)
        ht_xi = tape_x.gradient(value.grads, params, output_gradients=xi,
                                unconnected_gradients=_ZERO)
        del tape_x
        at_xi = [0.5 * (a - b) for a, b in zip(ht_xi, h_xi, strict=True)]
        scale = tf.constant(lam, tf.float32)
        if align:
            n = float(len(params))
            scale *= tf.sign(_dot(xi, ht_xi) * _dot(at_xi, ht_xi) / n + epsilon)
        return value, [g + scale * a for g, a in zip(value.grads, at_xi, strict=True)]

    return transform


def simultaneous_step(players: Players, method: Any) -> dict[str, tf.Tensor]:
    """One simultaneous update of both players; extragradient if ``method.extrapolate``.

    Extragradient (Gidel et al. 2019, arXiv:1802.10551): step from
    ``x`` with the optimizer to ``x'``, evaluate the field at ``x'`` on a fresh minibatch,
    return to ``x`` and step along that gradient. The optimizer state advances on both
    steps, as in Extra-Adam. Returns the statistics of the field at ``x`` (gradient norms
    before any transform).
    """
    params = players.params
    n_g = len(players.g_params)
    g_update, d_update = players.g_update(method), players.d_update(method)

    def gradients(draw: int) -> tuple[FieldValue, list[tf.Tensor]]:
        field = vector_field(players, method.loss, *players.draw(draw))
        if method.joint_transform is None:
            value = field()
            return value, value.grads
        return method.joint_transform(field, params)

    def apply(grads: list[tf.Tensor]) -> None:
        g_update.apply(grads[:n_g])
        d_update.apply(grads[n_g:])

    value, grads = gradients(0)
    if method.extrapolate:
        origin = [p.read_value() for p in params]
        apply(grads)
        _, grads = gradients(1)
        for p, o in zip(params, origin, strict=True):
            p.assign(o)
    apply(grads)
    return {**value.stats, **g_update.statistics(value.grads[:n_g]),
            **d_update.statistics(value.grads[n_g:])}
