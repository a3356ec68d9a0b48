"""Optimizers as explicit, XLA-friendly update rules over lists of variables.

The methods need update rules the stock Keras optimizers do not expose (optimism,
extrapolation, updates computed at parameters other than the current ones), so the
suite keeps its own small implementations. Each optimizer owns its slot variables and
applies one update in place; all of it compiles inside the trainer's XLA function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import tensorflow as tf

OPTIMIZER_KINDS = ("sgd", "adam", "rmsprop")


@dataclass(frozen=True)
class OptimizerSpec:
    """What optimizer a player uses; ``create`` builds its state for given parameters."""

    kind: str
    learning_rate: float
    beta_1: float = 0.9
    beta_2: float = 0.999
    rho: float = 0.9
    epsilon: float = 1e-8

    def __post_init__(self) -> None:
        if self.kind not in OPTIMIZER_KINDS:
            raise ValueError(f"unknown optimizer kind {self.kind!r}; valid: {OPTIMIZER_KINDS}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning rate must be > 0, got {self.learning_rate}")

    def create(self, params: Sequence[tf.Variable], name: str) -> Optimizer:
        return Optimizer(self, params, name)


def sgd(learning_rate: float) -> OptimizerSpec:
    return OptimizerSpec("sgd", learning_rate)


def adam(learning_rate: float, beta_1: float = 0.9, beta_2: float = 0.999) -> OptimizerSpec:
    """Adam (Kingma & Ba 2014, arXiv:1412.6980)."""
    return OptimizerSpec("adam", learning_rate, beta_1=beta_1, beta_2=beta_2)


def rmsprop(learning_rate: float, rho: float = 0.9) -> OptimizerSpec:
    """RMSprop (Tieleman & Hinton 2012, lecture notes), as used by WGAN."""
    return OptimizerSpec("rmsprop", learning_rate, rho=rho)


class Optimizer:
    """State and update of one player's optimizer."""

    def __init__(self, spec: OptimizerSpec, params: Sequence[tf.Variable], name: str):
        self.spec = spec
        self.params = list(params)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name=f"{name}/t")
        zeros = [tf.zeros_like(p) for p in self.params]
        self.m = [tf.Variable(z, trainable=False, name=f"{name}/m{i}") for i, z in enumerate(zeros)]
        self.v = [tf.Variable(z, trainable=False, name=f"{name}/v{i}") for i, z in enumerate(zeros)]

    @property
    def variables(self) -> list[tf.Variable]:
        return [self.iterations, *self.m, *self.v]

    def updates(self, grads: Sequence[tf.Tensor]) -> list[tf.Tensor]:
        """Advance the optimizer state and return the parameter deltas for ``grads``."""
        s = self.spec
        t = tf.cast(self.iterations.assign_add(1), tf.float32)
        deltas = []
        for g, m, v in zip(grads, self.m, self.v, strict=True):
            if s.kind == "sgd":
                deltas.append(-s.learning_rate * g)
            elif s.kind == "rmsprop":
                v_new = v.assign(s.rho * v + (1.0 - s.rho) * tf.square(g))
                deltas.append(-s.learning_rate * g / (tf.sqrt(v_new) + s.epsilon))
            else:
                m_new = m.assign(s.beta_1 * m + (1.0 - s.beta_1) * g)
                v_new = v.assign(s.beta_2 * v + (1.0 - s.beta_2) * tf.square(g))
                m_hat = m_new / (1.0 - tf.pow(s.beta_1, t))
                v_hat = v_new / (1.0 - tf.pow(s.beta_2, t))
                deltas.append(-s.learning_rate * m_hat / (tf.sqrt(v_hat) + s.epsilon))
        return deltas

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        """One in-place update of the parameters along ``grads``."""
        for p, d in zip(self.params, self.updates(grads), strict=True):
            p.assign_add(d)
