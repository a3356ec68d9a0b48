"""The GAN as a differentiable game: simultaneous updates and joint gradient transforms.

Each player minimizes its own loss; the game's vector field is
``xi(x) = (d L_G / d theta, d L_D / d psi)`` at the joint parameters ``x = (theta, psi)``,
and simultaneous gradient descent steps ``x <- x - h * xi(x)``. Its Jacobian
``H = d xi / dx`` has an antisymmetric part that makes plain gradient dynamics rotate
around equilibria (Mescheder et al. 2017; Balduzzi et al. 2018). The transforms here see
both players' gradients at once and can re-evaluate the field under nested gradient
tapes, which is how they get Jacobian-vector products inside the XLA-compiled step.

Every step path evaluates D as the method sees it, through :class:`DiscriminatorView`
(input noise, packing, a D reparametrization), so a method's parts hold on the joint
path and in the unrolled look-ahead exactly as on the alternating path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tensorflow as tf

from methods.parts.losses import LossPair
from methods.parts.method import InputNoise, JointTransform, MethodError
from methods.parts.network import Network
from methods.parts.optimizers import Optimizer
from methods.parts.packing import pack_samples
from methods.parts.update import PlayerUpdate

if TYPE_CHECKING:
    from methods.parts.normalization import WrappedDiscriminator

_ZERO = tf.UnconnectedGradients.ZERO
REAL, FAKE = 0, 1  # which samples of a draw D judges (they get independent input noise)


@dataclass(frozen=True)
class DiscriminatorView:
    """D as a method sees it: input noise on each sample, then packing, then the network
    under its reparametrization (``Method.d_wrapper`` bound to D) at given parameters.

    ``apply`` takes any parameters, variables or tensors (the unrolled look-ahead's), and
    never changes state; ``update`` advances the reparametrization's state (spectral
    norm's power iteration) and is called once per D step, before D is evaluated.
    ``step`` is the training step, for annealed input noise.
    """

    network: Network
    pack: int = 1
    wrapped: WrappedDiscriminator | None = None
    input_noise: InputNoise | None = None
    step: tf.Tensor | int = 0

    @classmethod
    def of(cls, method: Any, network: Network, wrapped: WrappedDiscriminator | None = None,
           step: tf.Tensor | int = 0) -> DiscriminatorView:
        """The view of ``method`` over ``network`` (already ``method.pack`` times wider);
        ``wrapped`` is ``method.d_wrapper`` bound to it (None binds it here)."""
        if wrapped is None and method.d_wrapper is not None:
            raise ValueError("the method has a d_wrapper: pass it bound to the discriminator's "
                             "parameters (method.d_wrapper.bind(network, params))")
        return cls(network, method.pack, wrapped, method.input_noise, step)

    def noised(self, x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """``x`` with the method's input noise drawn from ``seed``, if it has any."""
        if self.input_noise is None:
            return x
        return self.input_noise(x, seed, self.step)

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        """D's output on samples ``x`` (noise already added), packed and reparametrized."""
        x = pack_samples(x, self.pack)
        if self.wrapped is not None:
            return self.wrapped.apply(params, x)
        return self.network.apply(params, x)

    def update(self, params: Sequence[tf.Tensor]) -> None:
        """One D step's update of the reparametrization's state, if any."""
        if self.wrapped is not None:
            self.wrapped.update(params)

    def check(self, method: Any, path: str) -> None:
        """Raise unless this view applies ``method``'s D parts (a path must not drop them)."""
        dropped = [name for name, ok in [
            ("pack", self.pack == method.pack),
            ("d_wrapper", (self.wrapped is None) == (method.d_wrapper is None)),
            ("input_noise", self.input_noise is method.input_noise)] if not ok]
        if dropped:
            raise MethodError(f"{path}: the players' discriminator view does not apply the "
                              f"method's {', '.join(dropped)}; build Players with "
                              f"view=DiscriminatorView.of(method, ...)")


@dataclass(frozen=True)
class Players:
    """Both players inside one compiled step: networks, parameters, optimizers, data.

    ``draw(i)`` returns the ``i``-th fresh ``(real batch, latent batch)`` of this step
    (stateless, from the cell's seed and step counter), ``pack`` times the batch size for
    a packed D. ``view`` is D as the method sees it (default: the bare network) and
    ``noise_seed(i, REAL or FAKE)`` seeds the input noise on draw ``i``'s samples.
    """

    generator: Network
    discriminator: Network
    g_params: list[tf.Variable]
    d_params: list[tf.Variable]
    g_opt: Optimizer
    d_opt: Optimizer
    draw: Callable[[int], tuple[tf.Tensor, tf.Tensor]]
    view: DiscriminatorView | None = None
    noise_seed: Callable[[Any, int], tf.Tensor] | None = None

    def __post_init__(self) -> None:
        if self.view is None:
            object.__setattr__(self, "view", DiscriminatorView(self.discriminator))
        if self.view.input_noise is not None and self.noise_seed is None:
            raise ValueError("a view with input noise needs Players.noise_seed")

    def discriminate(self, params: Sequence[tf.Tensor], x: tf.Tensor, draw: Any,
                     which: int) -> tf.Tensor:
        """D's output, as the method sees it, at ``params`` on samples ``x`` of draw
        ``draw``; ``which`` (REAL or FAKE) picks their input-noise stream."""
        if self.view.input_noise is not None:
            x = self.view.noised(x, self.noise_seed(draw, which))
        return self.view.apply(params, x)

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


def vector_field(players: Players, loss: LossPair, draw: int = 0) -> Callable[[], FieldValue]:
    """A function evaluating the game's vector field on the fixed minibatch ``draw``.

    It reads the parameters when called, so transforms can call it under their own
    gradient tapes (second derivatives) or after moving the parameters (extrapolation).
    Both losses see the same D outputs (the same input noise); a loss whose generator
    term needs D on real data (``g_sees_real``) uses the same real batch as D's.
    """
    real, z = players.draw(draw)

    def field() -> FieldValue:
        with tf.GradientTape(persistent=True) as tape:
            fake = players.generator.apply(players.g_params, z)
            real_out = players.discriminate(players.d_params, real, draw, REAL)
            fake_out = players.discriminate(players.d_params, fake, draw, FAKE)
            d_loss = loss.d_loss(real_out, fake_out)
            g_loss = loss.generator_loss(lambda: real_out, fake_out)
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
    before any transform). D's reparametrization state updates once per step, first.
    """
    players.view.check(method, "the joint step (simultaneous=True)")
    players.view.update(players.d_params)
    params = players.params
    n_g = len(players.g_params)
    g_update, d_update = players.g_update(method), players.d_update(method)

    def gradients(draw: int) -> tuple[FieldValue, list[tf.Tensor]]:
        field = vector_field(players, method.loss, draw)
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
