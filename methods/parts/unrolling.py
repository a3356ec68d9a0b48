"""Unrolled discriminator look-ahead for the generator update (Metz et al. 2017).

The generator minimizes ``f(theta, psi_K(theta, psi))`` where ``psi_K`` is the
discriminator after ``K`` steps of its own optimizer from its current state, and the
gradient flows through those ``K`` updates (arXiv:1611.02163). The look-ahead
runs on tensors, never on the discriminator's variables or optimizer slots, so the
discriminator is exactly as it was once the generator has stepped.

The look-ahead sees D as the method does (``Players.discriminate``: input noise, packing,
a D reparametrization evaluated at the look-ahead's tensor parameters) and applies D's
gradient transform; a reparametrization's state (spectral norm's power-iteration
vectors) is read, not advanced, by the look-ahead. D's regularizer and weight constraint
act on D's variables and state in place, so they cannot run on the look-ahead's tensors:
methods that combine them with this step are rejected when built.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from methods.parts.game import FAKE, REAL, Players
from methods.parts.losses import LossPair
from methods.parts.method import GeneratorStep
from methods.parts.update import GradientTransform


def lookahead(players: Players, loss: LossPair, steps: int,
              transform: GradientTransform | None = None) -> list[tf.Tensor]:
    """D's parameters after ``steps`` updates of its optimizer's base rule (no optimism),
    each on a fresh minibatch after D's gradient ``transform``, as a differentiable
    function of G's parameters."""
    opt = players.d_opt
    rule, state = opt.lookahead()
    t0 = tf.cast(opt.iterations, tf.float32)

    def unroll(k: tf.Tensor, d: list, state: tuple) -> tuple:
        real, z = players.draw(k + 1)
        with tf.GradientTape() as tape:
            tape.watch(d)
            fake = players.generator.apply(players.g_params, z)
            d_loss = loss.d_loss(players.discriminate(d, real, k + 1, REAL),
                                 players.discriminate(d, fake, k + 1, FAKE))
        grads = tape.gradient(d_loss, d, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        if transform is not None:
            grads = transform(grads, d)
        deltas, state = rule.update(grads, state, t0 + tf.cast(k + 1, tf.float32))
        return k + 1, [p + delta for p, delta in zip(d, deltas, strict=True)], state

    # A while loop rather than Python unrolling: XLA compile time stays flat in ``steps``.
    start = ([tf.identity(p) for p in players.d_params],
             tf.nest.map_structure(tf.identity, state))
    _, d, _ = tf.while_loop(lambda k, *_: k < steps, unroll, (tf.constant(0), *start),
                            maximum_iterations=steps)
    return d


def unrolled_generator_step(unroll_steps: int) -> GeneratorStep:
    """A generator update whose loss is taken at the ``unroll_steps``-step look-ahead D."""
    if unroll_steps < 0:
        raise ValueError(f"unroll_steps must be >= 0, got {unroll_steps}")

    def step(players: Players, method: Any) -> dict[str, tf.Tensor]:
        players.view.check(method, "the unrolled generator step")
        real, z = players.draw(0)
        with tf.GradientTape() as tape:
            d_future = lookahead(players, method.loss, unroll_steps, method.d_transform)
            fake = players.generator.apply(players.g_params, z)
            g_loss = method.loss.generator_loss(
                lambda: players.discriminate(d_future, real, 0, REAL),
                players.discriminate(d_future, fake, 0, FAKE))
        grads = tape.gradient(g_loss, players.g_params,
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return {"g_loss": g_loss, **players.g_update(method)(grads)}

    step.unsupported_parts = {  # type: ignore[attr-defined]
        "d_regularizer": "the look-ahead steps D on tensors and a regularizer may update "
                         "its state variables (LeCam) in place",
        "d_constraint": "a weight constraint assigns D's variables in place; the "
                        "look-ahead's parameters are tensors",
    }
    return step
