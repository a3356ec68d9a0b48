"""The non-saturating GAN."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("nsgan", paper="Goodfellow et al. 2014, arXiv:1406.2661")
def nsgan(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """GAN with the non-saturating generator loss -log D(G(z)).

    Same fixed point as the minimax game, but the generator's gradient stays large
    exactly where the saturating loss's vanishes (Goodfellow et al. 2014, section 3).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
