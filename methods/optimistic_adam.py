"""Optimistic Adam."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("optimistic-adam", paper="Daskalakis et al. 2018, arXiv:1711.00141")
def optimistic_adam(lr: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.9) -> Method:
    """Simultaneous updates with Optimistic Adam: step 2 * delta_t - delta_{t-1}.

    Optimism uses the last step as a prediction of the next gradient, which makes the
    last iterate of bilinear games converge where gradient descent cycles. Defaults are
    the suite's GAN Adam settings (2e-4, beta_1 = 0.5) with beta_2 = 0.9, not values
    checked against the paper; on the non-saturating GAN loss.
    """
    opt = adam(lr, beta_1, beta_2, optimistic=True)
    return Method(loss=non_saturating, simultaneous=True, g_optimizer=opt, d_optimizer=opt)
