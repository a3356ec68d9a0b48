"""Constraints applied to a player's weights in place after its update."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from methods.parts.update import Constraint


def clip_weights(c: float) -> Constraint:
    """Clamp every weight (kernels and biases) to ``[-c, c]`` (WGAN, Arjovsky et al. 2017).

    Keeps the critic in a compact set of weights and therefore K-Lipschitz for some K.
    """
    if not c > 0:
        raise ValueError(f"weight clipping bound must be > 0, got {c}")

    def constrain(params: Sequence[tf.Variable]) -> None:
        for p in params:
            p.assign(tf.clip_by_value(p, -c, c))

    return constrain
