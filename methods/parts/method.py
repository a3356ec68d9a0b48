"""The ``Method`` value: a GAN training recipe as a composition of small parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tensorflow as tf

from methods.parts.losses import LossPair
from methods.parts.optimizers import OptimizerSpec, adam
from methods.parts.update import Constraint, GradientTransform

if TYPE_CHECKING:
    from methods.parts.normalization import DiscriminatorWrapper

InputNoise = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]
# f(field, params) -> (field value, adjusted gradients); see methods.parts.game.
JointTransform = Callable[[Callable[[], Any], Sequence[tf.Variable]], tuple[Any, list[tf.Tensor]]]
# f(players, method) -> generator statistics; see methods.parts.game.Players and the
# contract in methods.parts.contract (checked when the registry builds the method).
GeneratorStep = Callable[[Any, "Method"], dict[str, tf.Tensor]]


class MethodError(ValueError):
    """A method whose parts cannot work together, or a custom step that breaks its contract."""

    # Exception's own constructor: AutoGraph then re-raises it from a trace as itself.
    __init__ = Exception.__init__


@dataclass(frozen=True)
class Method:
    """One training recipe; the trainer consults each part inside the compiled step.

    loss:          the two players' losses over discriminator outputs.
    g_optimizer, d_optimizer: each player's update rule.
    d_steps:       discriminator updates per generator update.
    d_regularizer: ``f(ctx) -> scalar`` added to the discriminator loss (penalties);
                   ``ctx`` is a :class:`methods.parts.penalties.DiscriminatorContext`.
    g_transform, d_transform: ``f(grads, params) -> grads`` applied to a player's
                   gradient before its optimizer (clipping, normalization).
    d_constraint:  ``f(params) -> None`` applied in place after each D update.
    d_wrapper:     reparametrization of D (``methods.parts.normalization``): the trainer
                   binds it to D once and evaluates D through it for both players.
    d_state:       initial values of named scalar variables the trainer creates for the
                   D regularizer (``ctx.state``), e.g. LeCam's moving averages.
    input_noise:   ``f(x, seed, step) -> x`` applied to every input of D, real and fake.
    pack:          D judges ``pack`` samples at once (PacGAN): each player draws
                   ``pack * batch_size`` samples and D's input is ``pack`` times wider.
    xla:           whether the step can compile with XLA; ``xla_note`` says why not.
    simultaneous:  both players' gradients at the same point, applied together (the
                   joint path of :mod:`methods.parts.game`) instead of alternating.
    joint_transform: ``f(field, params) -> (value, grads)`` over both players' gradients
                   at once, able to re-evaluate the field (consensus, SGA); simultaneous only.
    extrapolate:   extragradient: step, re-evaluate at the extrapolated point, and apply
                   that gradient from the original point; simultaneous only.
    g_step:        replaces the generator update (unrolled GAN); alternating only. Its
                   contract (:mod:`methods.parts.contract`) is checked on a probe game
                   when the registry builds the method, and on the real networks when
                   the trainer traces it; a step may list the parts it cannot honour as
                   ``unsupported_parts = {field: reason}``, and setting one fails here.

    Every step path honours ``d_wrapper``, ``input_noise`` and ``pack`` (D is evaluated
    through :class:`methods.parts.game.DiscriminatorView`); a combination a path cannot
    honour raises :class:`MethodError` here, naming the part and the path.
    """

    loss: LossPair
    g_optimizer: OptimizerSpec = adam(2e-4, beta_1=0.5)
    d_optimizer: OptimizerSpec = adam(2e-4, beta_1=0.5)
    d_steps: int = 1
    d_regularizer: Callable[[Any], tf.Tensor] | None = None
    g_transform: GradientTransform | None = None
    d_transform: GradientTransform | None = None
    d_constraint: Constraint | None = None
    d_wrapper: DiscriminatorWrapper | None = None
    d_state: Mapping[str, float] = field(default_factory=dict)
    input_noise: InputNoise | None = None
    pack: int = 1
    xla: bool = True
    xla_note: str = ""
    simultaneous: bool = False
    joint_transform: JointTransform | None = None
    extrapolate: bool = False
    g_step: GeneratorStep | None = None

    def __post_init__(self) -> None:
        if self.d_steps < 1:
            raise ValueError(f"d_steps must be >= 1, got {self.d_steps}")
        if self.pack < 1:
            raise ValueError(f"pack must be >= 1, got {self.pack}")
        if (self.joint_transform is not None or self.extrapolate) and not self.simultaneous:
            raise ValueError("joint_transform and extrapolate need simultaneous=True")
        if self.simultaneous and (self.d_steps != 1 or self.d_regularizer is not None
                                  or self.g_step is not None):
            raise MethodError("simultaneous updates take d_steps=1 and no d_regularizer or "
                              "g_step (the joint path computes plain player losses)")
        if self.g_step is not None:
            unsupported = getattr(self.g_step, "unsupported_parts", {})
            for part, reason in unsupported.items():
                if getattr(self, part) is not None:
                    raise MethodError(f"{part} cannot be combined with the generator step "
                                      f"{step_name(self.g_step)}: {reason}")


def step_name(step: Callable[..., Any]) -> str:
    return f"{step.__module__}.{getattr(step, '__qualname__', type(step).__name__)}"
