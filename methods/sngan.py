"""SN-GAN: spectrally normalized discriminator."""

from methods.parts.losses import hinge
from methods.parts.method import Method
from methods.parts.normalization import SpectralNormalization
from methods.parts.optimizers import adam
from methods.registry import register


@register("sngan", paper="Miyato et al. 2018, arXiv:1802.05957")
def sngan(lr: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999,
          power_iterations: int = 1, d_steps: int = 1) -> Method:
    """Every D kernel divided by its spectral norm, so D is 1-Lipschitz layer by layer.

    One power iteration per D step with persistent vectors; hinge loss and
    Adam(2e-4, 0.5, 0.999) with one D step (setting B of Table 1).
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=hinge, g_optimizer=opt, d_optimizer=opt, d_steps=d_steps,
                  d_wrapper=SpectralNormalization(power_iterations))
