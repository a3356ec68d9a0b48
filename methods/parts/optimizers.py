"""Optimizers as small composable update rules over lists of tensors (optax-style).

The methods need update rules the stock Keras optimizers do not expose (optimism,
extrapolation, updates computed at parameters other than the current ones, updates
differentiated through), so the suite keeps its own. A rule is a pure function of
``(inputs, state, t)`` returning ``(outputs, state)``: :func:`sgd`, :func:`adam` and
:func:`rmsprop` turn gradients into parameter deltas, :class:`Optimism` turns deltas into
optimistic steps, and :class:`Chain` composes them. :class:`OptimizerSpec` is the
declarative, recorded choice a method makes; :class:`Optimizer` holds a rule's state in
variables and applies it in place. All of it compiles inside the trainer's XLA function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import tensorflow as tf

State = tuple[Any, ...]  # per rule: a tuple of slot lists, one tensor per parameter

# Floor under the second-moment estimate inside sqrt: identical values in float32 (the
# step adds epsilon >= 1e-8 anyway), but a finite derivative where v == 0, which matters
# when an update is differentiated through (unrolled GAN).
_V_FLOOR = 1e-30


class UpdateRule(Protocol):
    """``init(params) -> state``; ``update(inputs, state, t) -> (outputs, state)``, pure;
    ``t`` is the 1-based step count (float)."""

    def init(self, params: Sequence[tf.Tensor]) -> State: ...

    def update(self, inputs: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]: ...


def _zeros(params: Sequence[tf.Tensor]) -> list[tf.Tensor]:
    return [tf.zeros_like(p) for p in params]


@dataclass(frozen=True)
class Sgd:
    """delta = -lr * g."""

    learning_rate: float

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return ()

    def update(self, grads: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        return [-self.learning_rate * g for g in grads], state


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma & Ba 2014, arXiv:1412.6980, Algorithm 1) with bias correction."""

    learning_rate: float
    beta_1: float
    beta_2: float
    epsilon: float

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return (_zeros(params), _zeros(params))

    def update(self, grads: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        deltas, m_out, v_out = [], [], []
        for g, m, v in zip(grads, *state, strict=True):
            m = self.beta_1 * m + (1.0 - self.beta_1) * g
            v = self.beta_2 * v + (1.0 - self.beta_2) * tf.square(g)
            m_hat = m / (1.0 - tf.pow(self.beta_1, t))
            v_hat = v / (1.0 - tf.pow(self.beta_2, t))
            deltas.append(-self.learning_rate * m_hat / (
                tf.sqrt(tf.maximum(v_hat, _V_FLOOR)) + self.epsilon))
            m_out.append(m)
            v_out.append(v)
        return deltas, (m_out, v_out)


@dataclass(frozen=True)
class RmsProp:
    """RMSprop (Tieleman & Hinton 2012, lecture 6.5), without momentum, as WGAN uses it."""

    learning_rate: float
    rho: float
    epsilon: float

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return (_zeros(params),)

    def update(self, grads: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        deltas, v_out = [], []
        for g, v in zip(grads, state[0], strict=True):
            v = self.rho * v + (1.0 - self.rho) * tf.square(g)
            deltas.append(-self.learning_rate * g / (
                tf.sqrt(tf.maximum(v, _V_FLOOR)) + self.epsilon))
            v_out.append(v)
        return deltas, (v_out,)


@dataclass(frozen=True)
class Scale:
    """Deltas times ``factor()``, a scalar read when the step runs (a learning-rate
    schedule: the trainer's linear decay to 0 over the run)."""

    factor: Callable[[], tf.Tensor]

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return ()

    def update(self, deltas: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        factor = self.factor()
        return [factor * d for d in deltas], state


@dataclass(frozen=True)
class Optimism:
    """Optimistic steps ``2 * delta_t - delta_{t-1}`` from a base rule's deltas: optimistic
    gradient descent for SGD and Optimistic Adam for Adam (Daskalakis et al. 2018,
    arXiv:1711.00141, eq. 5 and Algorithm 1)."""

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return (_zeros(params),)

    def update(self, deltas: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        steps = [2.0 * d - prev for d, prev in zip(deltas, state[0], strict=True)]
        return steps, (list(deltas),)


@dataclass(frozen=True)
class Chain:
    """Rules applied in order, each to the previous one's outputs (``optax.chain``)."""

    rules: tuple[UpdateRule, ...]

    def init(self, params: Sequence[tf.Tensor]) -> State:
        return tuple(rule.init(params) for rule in self.rules)

    def update(self, inputs: Sequence[tf.Tensor], state: State,
               t: tf.Tensor) -> tuple[list[tf.Tensor], State]:
        out, states = list(inputs), []
        for rule, s in zip(self.rules, state, strict=True):
            out, s = rule.update(out, s, t)
            states.append(s)
        return out, tuple(states)


_BASE_RULES: dict[str, Callable[[OptimizerSpec], UpdateRule]] = {
    "sgd": lambda s: Sgd(s.learning_rate),
    "adam": lambda s: Adam(s.learning_rate, s.beta_1, s.beta_2, s.epsilon),
    "rmsprop": lambda s: RmsProp(s.learning_rate, s.rho, s.epsilon),
}
OPTIMIZER_KINDS = tuple(_BASE_RULES)


@dataclass(frozen=True)
class OptimizerSpec:
    """What optimizer a player uses (recorded); ``rule()`` composes its update rule."""

    kind: str
    learning_rate: float
    beta_1: float = 0.9
    beta_2: float = 0.999
    rho: float = 0.9
    epsilon: float = 1e-8
    optimistic: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _BASE_RULES:
            raise ValueError(f"unknown optimizer kind {self.kind!r}; valid: {OPTIMIZER_KINDS}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning rate must be > 0, got {self.learning_rate}")

    def base_rule(self) -> UpdateRule:
        """The rule without optimism (what a look-ahead unrolls)."""
        return _BASE_RULES[self.kind](self)

    def rule(self, schedule: Callable[[], tf.Tensor] | None = None) -> Chain:
        """The base rule, scaled by ``schedule()`` if given, then optimism if asked.
        ``state[0]`` is the base rule's state."""
        return Chain((self.base_rule(), *([Scale(schedule)] if schedule else []),
                      *([Optimism()] if self.optimistic else [])))

    def create(self, params: Sequence[tf.Variable], name: str,
               schedule: Callable[[], tf.Tensor] | None = None) -> Optimizer:
        return Optimizer(self, params, name, schedule)


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


class Optimizer:
    """One player's optimizer: its rule's state in variables, applied in place.

    ``schedule()``, if given, scales every step (a learning-rate schedule).
    """

    def __init__(self, spec: OptimizerSpec, params: Sequence[tf.Variable], name: str,
                 schedule: Callable[[], tf.Tensor] | None = None):
        self.spec = spec
        self.rule = spec.rule(schedule)
        self.params = list(params)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name=f"{name}/t")
        counter = iter(range(10**6))
        self.state = tf.nest.map_structure(
            lambda z: tf.Variable(z, trainable=False, name=f"{name}/slot{next(counter)}"),
            self.rule.init(self.params))

    @property
    def variables(self) -> list[tf.Variable]:
        return [self.iterations, *tf.nest.flatten(self.state)]

    @property
    def base_state(self) -> State:
        """The base rule's state (``Chain`` element 0), e.g. Adam's moments."""
        return self.state[0]

    def lookahead(self) -> tuple[Chain, State]:
        """The rule without optimism and its current state: what a look-ahead of this
        player's next updates applies (unrolled GAN)."""
        keep = [i for i, r in enumerate(self.rule.rules) if not isinstance(r, Optimism)]
        return (Chain(tuple(self.rule.rules[i] for i in keep)),
                tuple(self.state[i] for i in keep))

    def apply(self, grads: Sequence[tf.Tensor]) -> None:
        """One in-place update of the parameters along ``grads``."""
        t = tf.cast(self.iterations.assign_add(1), tf.float32)
        deltas, new_state = self.rule.update(grads, self.state, t)
        tf.nest.map_structure(lambda var, value: var.assign(value), self.state, new_state)
        for p, d in zip(self.params, deltas, strict=True):
            p.assign_add(d)
