"""DRAGAN: gradient penalty around the real data."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import dragan_penalty
from methods.registry import register


@register("dragan", paper="Kodali, Abernethy, Hays & Kira 2017, arXiv:1705.07215",
          code="kodalinaveen3/DRAGAN DRAGAN.ipynb")
def dragan(lr: float = 1e-4, beta_1: float = 0.5, beta_2: float = 0.9,
           penalty_weight: float = 10.0, target: float = 1.0, scale: float = 0.5) -> Method:
    """Non-saturating GAN plus lambda * E[(||grad D(x + delta)|| - k)^2] near real data.

    Sharp gradients of D around real points signal the local equilibria where modes
    collapse; penalizing them there avoids them (Kodali, Abernethy, Hays & Kira 2017,
    arXiv:1705.07215). Everything as in the authors' notebook kodalinaveen3/DRAGAN
    ``DRAGAN.ipynb``: lambda 10, k 1, perturbation 0.5 x the batch's std, gradient of the
    logit, Adam(1e-4, 0.5, 0.9), one D step.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=non_saturating, g_optimizer=opt, d_optimizer=opt,
                  d_regularizer=dragan_penalty(penalty_weight, target, scale))
