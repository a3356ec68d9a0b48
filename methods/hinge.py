"""Hinge-loss GAN (Geometric GAN)."""

from methods.parts.losses import hinge as hinge_loss
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("hinge", paper="Lim & Ye 2017, arXiv:1705.02894")
def hinge(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """SVM-style margin loss for D, -E[D(G(z))] for G.

    D stops pushing samples that are already beyond the margin, so its outputs and the
    generator's gradient stay bounded. Adam 2e-4 / beta_1 0.5 (DCGAN settings).
    """
    return Method(loss=hinge_loss, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
