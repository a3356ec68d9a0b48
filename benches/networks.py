"""Generator and discriminator networks as explicit parameter lists.

Networks are functional: ``init(seed)`` creates the variables and ``apply(params, x)``
evaluates the network at any parameters. Methods need that (unrolling, extrapolation,
consensus and SGA evaluate players at parameters other than the current ones; spectral
normalization reparametrizes the weights), and Keras layers that own their weights make
it awkward. Initialization uses Keras initializers with fixed seeds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import tensorflow as tf


@dataclass(frozen=True)
class MLP:
    """Fully connected network: ReLU hidden layers, linear output (the 2D-mixture nets)."""

    input_dim: int
    hidden: tuple[int, ...]
    output_dim: int
    name: str

    @property
    def layer_names(self) -> list[str]:
        return [f"dense{i}" for i in range(len(self.hidden) + 1)]

    def init(self, seed: int) -> list[tf.Variable]:
        sizes = [self.input_dim, *self.hidden, self.output_dim]
        params = []
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            kernel = keras.initializers.GlorotUniform(seed=seed * 1000 + i)((fan_in, fan_out))
            params.append(tf.Variable(kernel, name=f"{self.name}/dense{i}/kernel"))
            params.append(tf.Variable(tf.zeros([fan_out]), name=f"{self.name}/dense{i}/bias"))
        return params

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        n = len(params) // 2
        for i in range(n):
            x = tf.matmul(x, params[2 * i]) + params[2 * i + 1]
            if i < n - 1:
                x = tf.nn.relu(x)
        return x

    def layer_of(self, param_index: int) -> str:
        """The layer a parameter belongs to (for per-layer gradient norms)."""
        return self.layer_names[param_index // 2]
