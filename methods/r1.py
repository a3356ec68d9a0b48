"""R1: zero-centred gradient penalty on real data."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import r1_penalty
from methods.registry import register


@register("r1", paper="Mescheder, Geiger & Nowozin 2018, arXiv:1801.04406")
def r1(lr: float = 1e-4, gamma: float = 10.0, beta_1: float = 0.0,
       beta_2: float = 0.99) -> Method:
    """Non-saturating GAN plus gamma/2 * E||grad D||^2 on real data (eq. 9).

    A zero-centred penalty makes the equilibrium locally stable (Theorem 4.1), where
    unregularized and WGAN-GP training oscillate around it. gamma 10 and
    Adam(1e-4, 0, 0.99), the paper's image settings.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=non_saturating, g_optimizer=opt, d_optimizer=opt,
                  d_regularizer=r1_penalty(gamma))
