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
    """Norm per output unit: a dense kernel ``[in, out]`` has one unit per column;
    a vector (bias) is one unit. Returned broadcastable to ``x``."""
    if x.shape.rank == 2:
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=0, keepdims=True))
    return tf.sqrt(tf.reduce_sum(tf.square(x)))


def adaptive_clip(clip: float, eps: float = 1e-3) -> GradientTransform:
    """Adaptive gradient clipping (Brock et al. 2021, arXiv:2102.06171, eq. 3).

    Each unit's gradient G_i is rescaled so ||G_i|| / max(||W_i||, eps) <= ``clip``:
    the bound follows the weights' own scale instead of a global constant.
    """
    if not clip > 0:
        raise ValueError(f"clip must be > 0, got {clip}")

    def transform(grads: Sequence[tf.Tensor], params: Sequence[tf.Variable]) -> list[tf.Tensor]:
        out = []
        for g, w in zip(grads, params, strict=True):
            max_norm = clip * tf.maximum(unitwise_norm(w), eps)
            g_norm = unitwise_norm(g)
            scale = tf.where(g_norm > max_norm, max_norm / tf.maximum(g_norm, 1e-12), 1.0)
            out.append(g * scale)
        return out

    return transform
