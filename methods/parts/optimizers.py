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
    optimistic: bool = False

    def __post_init__(self) -> None:
        if self.kind not in OPTIMIZER_KINDS:
            raise ValueError(f"unknown optimizer kind {self.kind!r}; valid: {OPTIMIZER_KINDS}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning rate must be > 0, got {self.learning_rate}")

    def create(self, params: Sequence[tf.Variable], name: str) -> Optimizer:
        return Optimizer(self, params, name)


def sgd(learning_rate: float) -> OptimizerSpec:
    return OptimizerSpec("sgd", learning_rate)


def adam(learning_rate: float, beta_1: float = 0.9, beta_2: float = 0.999,
         optimistic: bool = False) -> OptimizerSpec:
    """Adam (Kingma & Ba 2014, arXiv:1412.6980); ``optimistic`` gives Optimistic Adam."""
    return OptimizerSpec("adam", learning_rate, beta_1=beta_1, beta_2=beta_2,
                         optimistic=optimistic)


def rmsprop(learning_rate: float, rho: float = 0.9) -> OptimizerSpec:
    """RMSprop (Tieleman & Hinton 2012, lecture notes), as used by WGAN."""
    return OptimizerSpec("rmsprop", learning_rate, rho=rho)


# Floor under the second-moment estimate inside sqrt: identical values in float32 (the
# step adds epsilon >= 1e-8 anyway), but a finite derivative where v == 0, which matters
# when an update is differentiated through (unrolled GAN).
_V_FLOOR = 1e-30


def base_deltas(
    spec: OptimizerSpec,
    grads: Sequence[tf.Tensor],
    m: Sequence[tf.Tensor],
    v: Sequence[tf.Tensor],
    t: tf.Tensor,
) -> tuple[list[tf.Tensor], list[tf.Tensor], list[tf.Tensor]]:
    """One step of the base rule as a pure function: ``(deltas, new m, new v)``.

    ``t`` is the 1-based step count (float). Pure so that an update can be applied to
    tensors and differentiated through; :class:`Optimizer` applies it to variables.
    Optimism is not part of the base rule (see :meth:`Optimizer.updates`).
    """
    deltas, m_out, v_out = [], [], []
    for g, m_i, v_i in zip(grads, m, v, strict=True):
        if spec.kind == "sgd":
            delta = -spec.learning_rate * g
        elif spec.kind == "rmsprop":
            v_i = spec.rho * v_i + (1.0 - spec.rho) * tf.square(g)
            delta = -spec.learning_rate * g / (tf.sqrt(tf.maximum(v_i, _V_FLOOR)) + spec.epsilon)
        else:
            m_i = spec.beta_1 * m_i + (1.0 - spec.beta_1) * g
            v_i = spec.beta_2 * v_i + (1.0 - spec.beta_2) * tf.square(g)
            m_hat = m_i / (1.0 - tf.pow(spec.beta_1, t))
            v_hat = v_i / (1.0 - tf.pow(spec.beta_2, t))
            delta = -spec.learning_rate * m_hat / (
                tf.sqrt(tf.maximum(v_hat, _V_FLOOR)) + spec.epsilon)
        deltas.append(delta)
        m_out.append(m_i)
        v_out.append(v_i)
    return deltas, m_out, v_out


class Optimizer:
    """State and update of one player's optimizer.

    With ``spec.optimistic`` the applied step is ``2 * delta_t - delta_{t-1}``, where
    ``delta`` is the base rule's step: optimistic gradient descent for ``sgd``
    (w_{t+1} = w_t - 2 eta g_t + eta g_{t-1}) and Optimistic Adam for ``adam``
    (Daskalakis et al. 2018, arXiv:1711.00141).
    """

    def __init__(self, spec: OptimizerSpec, params: Sequence[tf.Variable], name: str):
        self.spec = spec
        self.params = list(params)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name=f"{name}/t")
        zeros = [tf.zeros_like(p) for p in self.params]
        self.m = [tf.Variable(z, trainable=False, name=f"{name}/m{i}") for i, z in enumerate(zeros)]
        self.v = [tf.Variable(z, trainable=False, name=f"{name}/v{i}") for i, z in enumerate(zeros)]
        self.previous = [tf.Variable(z, trainable=False, name=f"{name}/prev{i}")
                         for i, z in enumerate(zeros)] if spec.optimistic else []

    @property
    def variables(self) -> list[tf.Variable]:
        return [self.iterations, *self.m, *self.v, *self.previous]

    def updates(self, grads: Sequence[tf.Tensor]) -> list[tf.Tensor]:
        """Advance the optimizer state and return the parameter deltas for ``grads``."""
        t = tf.cast(self.iterations.assign_add(1), tf.float32)
        deltas, m_new, v_new = base_deltas(self.spec, grads, self.m, self.v, t)
        if self.spec.kind != "sgd":
            for var, new in zip([*self.m, *self.v], [*m_new, *v_new], strict=True):
                var.assign(new)
        if self.spec.optimistic:
            steps = [2.0 * d - prev for d, prev in zip(deltas, self.previous, strict=True)]
            for prev, d in zip(self.previous, deltas, strict=True):
                prev.assign(d)
            deltas = steps
        return deltas

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        """One in-place update of the parameters along ``grads``."""
        for p, d in zip(self.params, self.updates(grads), strict=True):
            p.assign_add(d)
