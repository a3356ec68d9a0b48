"""Unrolled GAN."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.unrolling import unrolled_generator_step
from methods.registry import register


@register("unrolled", paper="Metz et al. 2017, arXiv:1611.02163")
def unrolled(unroll_steps: int = 5, lr: float = 1e-4, beta_1: float = 0.5) -> Method:
    """The generator's loss is taken at the discriminator unrolled ``unroll_steps`` ahead.

    Its gradient flows through the unrolled Adam updates, so G anticipates D's response
    and is penalized for collapsing onto the modes D is about to reject. 5 unrolling
    steps as in the paper's mixture experiments, Adam (1e-4, beta_1 = 0.5). The
    look-ahead uses D's plain loss (no regularizer) and its optimizer's base rule.
    """
    return Method(loss=non_saturating, g_step=unrolled_generator_step(unroll_steps),
                  g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
