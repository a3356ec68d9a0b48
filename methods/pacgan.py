"""PacGAN: the discriminator judges packs of samples."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import FamilySettings, register


@register("pacgan", paper="Lin, Khetan, Fanti & Oh 2018, arXiv:1712.04086",
          code="fjxmlzn/PacGAN synthetic_data_experiments/2DRing_GAN&PacGAN/config.py, "
               "pacgan/bricks.py",
          settings={"mixture": FamilySettings(
              {"lr": 1e-4, "beta_1": 0.8},
              source="synthetic_data_experiments/2DRing_GAN&PacGAN/config.py, "
                     "2DGrid_GAN&PacGAN/config.py, fjxmlzn/PacGAN")})
def pacgan(lr: float = 2e-4, beta_1: float = 0.5, pack: int = 2) -> Method:
    """Non-saturating GAN whose D sees ``pack`` samples concatenated (PacGAN2 by default).

    A collapsed generator yields packs of near-duplicates that a packed D detects, which
    penalizes mode collapse (Lin, Khetan, Fanti & Oh 2018, arXiv:1712.04086, the 2D
    mixture experiments of section 5). On mixtures Adam(1e-4, beta_1 0.8) as the
    reference code's 2D configs (fjxmlzn/PacGAN ``synthetic_data_experiments``); its
    networks (4x400 BN generator, maxout D) and simultaneous updates are not reproduced.
    Elsewhere the DCGAN Adam(2e-4, 0.5).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  pack=pack)
