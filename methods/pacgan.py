"""PacGAN: the discriminator judges packs of samples."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("pacgan", paper="Lin, Khetan, Fanti & Oh 2018, arXiv:1712.04086")
def pacgan(lr: float = 2e-4, beta_1: float = 0.5, pack: int = 2) -> Method:
    """Non-saturating GAN whose D sees ``pack`` samples concatenated (PacGAN2 by default).

    A collapsed generator yields packs of near-duplicates that a packed D detects, which
    penalizes mode collapse (the 2D-mixture experiments of section 5).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  pack=pack)
