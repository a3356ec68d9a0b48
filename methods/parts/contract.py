"""The contract of a custom generator step (``Method.g_step``), checked when it is built.

``g_step(players, method)`` runs inside the compiled training step in place of the
generator update, after the discriminator steps. It must

- update the generator through ``players.g_update(method)`` (transform, optimizer), and
- return a dict with at least ``g_loss`` and the statistics that update returns
  (:func:`methods.parts.gradient_norms.gradient_stats`: ``g_grad_norm`` and one
  ``g_grad_norm/<layer>`` per generator layer), as in
  ``{"g_loss": loss, **players.g_update(method)(grads)}``;
- evaluate D through ``players.discriminate`` (or ``players.view``), so the method's
  input noise, packing and D reparametrization hold, and compute G's loss with
  ``method.loss.generator_loss`` so losses that see real samples work;
- never change D's parameters or optimizer state.

:func:`check_generator_step` runs the step once, eagerly, on a tiny probe game of its
own (2-D dense players) when the registry builds the method, and the trainer checks the
statistics again on the real networks when it traces the step, so a step that breaks
the contract fails with an error naming the method, the step and the missing keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from methods.parts import rng
from methods.parts.game import DiscriminatorView, Players
from methods.parts.gradient_norms import layer_norm_names
from methods.parts.method import Method, MethodError, step_name
from methods.parts.network import Network


def generator_stat_names(generator: Network) -> list[str]:
    """The statistics a generator step must return for ``generator``."""
    return ["g_loss", "g_grad_norm", *layer_norm_names(generator, "g")]


def check_generator_stats(stats: Any, generator: Network, step: Any) -> None:
    """Raise :class:`MethodError` unless ``stats`` holds every generator statistic."""
    if not isinstance(stats, Mapping):
        raise MethodError(f"generator step {step_name(step)} must return a dict of "
                          f"statistics, got {type(stats).__name__}")
    missing = [k for k in generator_stat_names(generator) if k not in stats]
    if missing:
        raise MethodError(
            f"generator step {step_name(step)} does not return {', '.join(missing)}: a "
            f"g_step returns {{'g_loss': loss, **players.g_update(method)(grads)}} (see "
            f"methods/parts/contract.py)")


@dataclass(frozen=True)
class _Dense:
    """A single dense layer ``[n, d_in] -> [n, d_out]``, widened for packing."""

    d_in: int
    d_out: int
    layer_names: Sequence[str] = ("dense0",)

    def layer_of(self, param_index: int) -> str:
        return "dense0"

    def init(self, seed: int) -> list[tf.Variable]:
        w = rng.normal([self.d_in, self.d_out], tf.constant([seed, 0], tf.int64))
        return [tf.Variable(0.5 * w), tf.Variable(tf.zeros([self.d_out]))]

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        return tf.matmul(x, params[0]) + params[1]

    def widened(self, factor: int) -> _Dense:
        return _Dense(self.d_in * factor, self.d_out)


def check_generator_step(method: Method) -> None:
    """Run ``method.g_step`` once, eagerly, on a probe game of its own and check the
    statistics it returns."""
    g_net, d_net = _Dense(2, 2), _Dense(2 * method.pack, 1)
    g_params, d_params = g_net.init(0), d_net.init(1)
    wrapped = method.d_wrapper.bind(d_net, d_params) if method.d_wrapper is not None else None
    n = 4 * method.pack

    def draw(i: Any) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.ones([n, 2]), tf.ones([n, 2])

    def noise_seed(i: Any, which: int) -> tf.Tensor:
        return tf.constant([0, which], tf.int64)

    players = Players(g_net, d_net, g_params, d_params,
                      method.g_optimizer.create(g_params, "probe_g"),
                      method.d_optimizer.create(d_params, "probe_d"), draw,
                      DiscriminatorView.of(method, d_net, wrapped), noise_seed)
    try:
        stats = method.g_step(players, method)
    except MethodError:
        raise
    except Exception as exc:
        raise MethodError(f"generator step {step_name(method.g_step)} fails on a probe "
                          f"game (2-D dense players): {type(exc).__name__}: {exc}") from exc
    check_generator_stats(stats, g_net, method.g_step)
