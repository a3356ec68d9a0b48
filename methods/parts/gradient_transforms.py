"""Per-player gradient transforms ``f(grads, params) -> grads``, applied before the optimizer."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from methods.parts.method import GradientTransform


def clip_global_norm(max_norm: float) -> GradientTransform:
    """Rescale a player's whole gradient to global norm at most ``max_norm``.

    Gradient norm clipping (Pascanu et al. 2013, arXiv:1211.5063): the direction is
    kept, only exploding steps are shortened.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")

    def transform(grads: Sequence[tf.Tensor], params: Sequence[tf.Variable]) -> list[tf.Tensor]:
        clipped, _ = tf.clip_by_global_norm(list(grads), max_norm)
        return clipped

    return transform


def unitwise_norm(x: tf.Tensor) -> tf.Tensor:
    """Norm per output unit, broadcastable to ``x``: kernels (rank >= 2, output axis last:
    dense ``[in, out]``, conv ``[h, w, in, out]``) have one unit per output, its norm over
    every other axis; vectors and scalars (biases, gains) are one unit.

    As ``unitwise_norm`` in deepmind/deepmind-research ``nfnets/agc_optax.py``
    (axes [0, 1, 2] for HWIO conv kernels, axis 0 for dense kernels).
    """
    if x.shape.rank is not None and x.shape.rank >= 2:
        axes = list(range(x.shape.rank - 1))
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes, keepdims=True))
    return tf.sqrt(tf.reduce_sum(tf.square(x)))


def output_layer_start(params: Sequence[tf.Tensor]) -> int:
    """Index of the output layer's first parameter: the last kernel (rank >= 2); it and
    everything after it (its bias) form the output layer. ``len(params)`` if there is no
    kernel."""
    kernels = [i for i, p in enumerate(params) if p.shape.rank is not None and p.shape.rank >= 2]
    return kernels[-1] if kernels else len(params)


def adaptive_clip(clip: float, eps: float = 1e-3, skip_output_layer: bool = True,
                  ) -> GradientTransform:
    """Adaptive gradient clipping (Brock, De, Smith & Simonyan 2021, arXiv:2102.06171,
    eq. 3; deepmind/deepmind-research ``nfnets/agc_optax.py``).

    Each unit's gradient G_i is rescaled to ``clip * max(||W_i||_F, eps) / ||G_i||_F`` when
    ``||G_i|| / max(||W_i||, eps) > clip`` (:func:`unitwise_norm`), so the bound follows
    the weights' own scale. The paper does not clip the final (classifier) layer
    (section 4.1; ``nfnets/experiment_nfnets.py`` gives it ``clipping: None``); with
    ``skip_output_layer`` each player's output layer (:func:`output_layer_start`) is
    likewise left unclipped.
    """
    if not clip > 0:
        raise ValueError(f"clip must be > 0, got {clip}")

    def transform(grads: Sequence[tf.Tensor], params: Sequence[tf.Variable]) -> list[tf.Tensor]:
        stop = output_layer_start(params) if skip_output_layer else len(params)
        out = []
        for i, (g, w) in enumerate(zip(grads, params, strict=True)):
            if i >= stop:
                out.append(g)
                continue
            max_norm = clip * tf.maximum(unitwise_norm(w), eps)
            g_norm = unitwise_norm(g)
            scale = tf.where(g_norm > max_norm, max_norm / tf.maximum(g_norm, 1e-6), 1.0)
            out.append(g * scale)
        return out

    return transform
