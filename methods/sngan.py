"""SN-GAN: spectrally normalized discriminator."""

from methods.parts.losses import hinge
from methods.parts.method import Method
from methods.parts.normalization import SpectralNormalization
from methods.parts.optimizers import adam
from methods.registry import register


@register("sngan", paper="Miyato, Kataoka, Koyama & Yoshida 2018, arXiv:1802.05957",
          code="pfnet-research/sngan_projection source/links/sn_convolution_2d.py, "
               "source/links/sn_linear.py, updater.py; pfnet-research/chainer-gan-lib "
               "example.sh (sndcgan)")
def sngan(lr: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999,
          power_iterations: int = 1, d_steps: int = 1) -> Method:
    """Every D kernel divided by its spectral norm, so D is 1-Lipschitz layer by layer.

    Miyato, Kataoka, Koyama & Yoshida 2018, arXiv:1802.05957: dense and conv kernels
    alike (conv kernels reshaped to [h*w*in, out], as
    pfnet-research/sngan_projection ``source/links/sn_convolution_2d.py``), one power
    iteration per D step with persistent vectors
    (:class:`methods.parts.normalization.SpectralNormalization`). Adam(2e-4, 0.5,
    0.999) with one D step is setting C of the paper's Table 1, the setting of the
    authors' standard-CNN example (pfnet-research/chainer-gan-lib ``example.sh``,
    sndcgan); the hinge loss is the paper's "hinge loss" variant and the loss of
    sngan_projection ``updater.py``.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=hinge, g_optimizer=opt, d_optimizer=opt, d_steps=d_steps,
                  d_wrapper=SpectralNormalization(power_iterations))
