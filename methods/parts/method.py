"""The ``Method`` value: a GAN training recipe as a composition of small parts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from methods.parts.losses import LossPair
from methods.parts.optimizers import OptimizerSpec, adam

GradientTransform = Callable[[Sequence[tf.Tensor], Sequence[tf.Variable]], list[tf.Tensor]]


@dataclass(frozen=True)
class Method:
    """One training recipe; the trainer consults each part inside the compiled step.

    loss:          the two players' losses over discriminator outputs.
    g_optimizer, d_optimizer: each player's update rule.
    d_steps:       discriminator updates per generator update.
    d_regularizer: ``f(ctx) -> scalar`` added to the discriminator loss (penalties);
                   ``ctx`` is a :class:`benches.trainer.DiscriminatorContext`.
    g_transform, d_transform: ``f(grads, params) -> grads`` applied to a player's
                   gradient before its optimizer (clipping, normalization).
    d_constraint:  ``f(params) -> None`` applied in place after each D update.
    xla:           whether the step can compile with XLA; ``xla_note`` says why not.
    """

    loss: LossPair
    g_optimizer: OptimizerSpec = adam(2e-4, beta_1=0.5)
    d_optimizer: OptimizerSpec = adam(2e-4, beta_1=0.5)
    d_steps: int = 1
    d_regularizer: Callable[[Any], tf.Tensor] | None = None
    g_transform: GradientTransform | None = None
    d_transform: GradientTransform | None = None
    d_constraint: Callable[[Sequence[tf.Variable]], None] | None = None
    xla: bool = True
    xla_note: str = ""

    def __post_init__(self) -> None:
        if self.d_steps < 1:
            raise ValueError(f"d_steps must be >= 1, got {self.d_steps}")
