"""The network contract: what the trainer and the method parts need from a player.

Networks are functional: parameters are a flat list of variables that ``init`` creates
and ``apply`` reads, so method parts can evaluate a player at other parameters
(look-aheads, reparametrizations) without touching its variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import tensorflow as tf


@runtime_checkable
class Network(Protocol):
    """A functional network: ``init(seed)`` -> parameters, ``apply(params, x)`` -> output.

    ``layer_names`` lists its layers in order and ``layer_of(i)`` names the layer of
    parameter ``i`` (per-layer gradient norms). A discriminator that supports packing
    (PacGAN) also has ``widened(factor)``: the same network with an input ``factor``
    times wider (features, or image channels).
    """

    @property
    def layer_names(self) -> Sequence[str]: ...

    def init(self, seed: int) -> list[tf.Variable]: ...

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor: ...

    def layer_of(self, param_index: int) -> str: ...
