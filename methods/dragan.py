"""DRAGAN: gradient penalty around the real data."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import dragan_penalty
from methods.registry import register


@register("dragan", paper="Kodali et al. 2017, arXiv:1705.07215")
def dragan(lr: float = 2e-4, beta_1: float = 0.5, penalty_weight: float = 10.0,
           target: float = 1.0, scale: float = 0.5) -> Method:
    """Non-saturating GAN plus lambda * E[(||grad D(x + delta)|| - k)^2] near real data.

    Sharp gradients of D around real points signal the local equilibria where modes
    collapse; penalizing them there avoids them (lambda 10, k 1, perturbation 0.5 std).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  d_regularizer=dragan_penalty(penalty_weight, target, scale))
