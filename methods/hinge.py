"""Hinge-loss GAN (Geometric GAN)."""

from methods.parts.losses import hinge as hinge_loss
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("hinge", paper="Lim & Ye 2017, arXiv:1705.02894",
          code="none released by the authors; the loss as in pfnet-research/sngan_projection "
               "updater.py (loss_hinge_dis, loss_hinge_gen)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def hinge(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """SVM-style margin loss for D, -E[D(G(z))] for G.

    D stops pushing samples that are already beyond the margin, so its outputs and the
    generator's gradient stay bounded (Lim & Ye 2017, arXiv:1705.02894). The authors
    released no code; the loss pair is the one of pfnet-research/sngan_projection
    ``updater.py`` (``loss_hinge_dis``, ``loss_hinge_gen``). No reference settings for
    this architecture: Adam(2e-4, beta_1 0.5), one D step, the DCGAN setting.
    """
    return Method(loss=hinge_loss, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
