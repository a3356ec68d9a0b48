"""Gradient norms of a player, global and per layer, computed inside the compiled step.

The gradient-health diagnostics (``metrics/gradient_health.py``) need to see where in a
network a gradient vanishes or explodes, not only its global size. Networks name their
layers (``layer_names``) and map each parameter to its layer (``layer_of``); the norm of
a layer is the Euclidean norm of all its parameters' gradients taken together.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from methods.parts.network import Network


def global_norm(tensors: Sequence[tf.Tensor]) -> tf.Tensor:
    """The Euclidean norm of all ``tensors`` taken together."""
    return tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(t)) for t in tensors]))


def layer_norm_names(network: Network, player: str) -> list[str]:
    """Stat names of ``player``'s per-layer norms, e.g. ``g_grad_norm/dense0``."""
    return [f"{player}_grad_norm/{layer}" for layer in network.layer_names]


def layer_norms(grads: Sequence[tf.Tensor], network: Network,
                player: str) -> dict[str, tf.Tensor]:
    """``{"<player>_grad_norm/<layer>": norm}`` for every layer of ``network``."""
    squares: dict[str, list[tf.Tensor]] = {layer: [] for layer in network.layer_names}
    for i, g in enumerate(grads):
        squares[network.layer_of(i)].append(tf.reduce_sum(tf.square(g)))
    return {f"{player}_grad_norm/{layer}": tf.sqrt(tf.add_n(terms))
            for layer, terms in squares.items() if terms}


def gradient_stats(grads: Sequence[tf.Tensor], network: Network,
                   player: str) -> dict[str, tf.Tensor]:
    """``<player>_grad_norm`` and its per-layer norms: what every call logs."""
    return {f"{player}_grad_norm": global_norm(grads), **layer_norms(grads, network, player)}
