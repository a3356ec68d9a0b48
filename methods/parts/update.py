"""The one player update: gradient transform, then optimizer step, then constraint.

Every step path (alternating, simultaneous, extragradient, unrolled) updates a player
through :class:`PlayerUpdate`, composed like ``optax.chain``: the method's per-player
gradient transform (clipping, AGC), the player's optimizer (``methods.parts.optimizers``),
then its weight constraint (WGAN clipping). :meth:`PlayerUpdate.statistics` gives the
gradient norms every call logs, taken before any transform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tensorflow as tf

from methods.parts.gradient_norms import gradient_stats
from methods.parts.network import Network
from methods.parts.optimizers import Optimizer

GradientTransform = Callable[[Sequence[tf.Tensor], Sequence[tf.Variable]], list[tf.Tensor]]
Constraint = Callable[[Sequence[tf.Variable]], None]


@dataclass(frozen=True)
class PlayerUpdate:
    """One player's update chain over its optimizer's parameters."""

    player: str  # "g" or "d": the prefix of its statistics
    network: Network
    optimizer: Optimizer
    transform: GradientTransform | None = None
    constraint: Constraint | None = None

    @property
    def params(self) -> list[tf.Variable]:
        return self.optimizer.params

    def statistics(self, grads: Sequence[tf.Tensor]) -> dict[str, tf.Tensor]:
        """Global and per-layer norms of ``grads`` (before any transform)."""
        return gradient_stats(grads, self.network, self.player)

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        """transform -> optimizer -> constraint, in place."""
        if self.transform is not None:
            grads = self.transform(grads, self.params)
        self.optimizer.apply(grads)
        if self.constraint is not None:
            self.constraint(self.params)

    def __call__(self, grads: Sequence[tf.Tensor]) -> dict[str, tf.Tensor]:
        """Apply ``grads`` and return their statistics."""
        stats = self.statistics(grads)
        self.apply(grads)
        return stats
