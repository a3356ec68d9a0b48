"""LeCam regularization."""

from methods.parts.losses import hinge
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import LECAM_STATE, lecam_regularizer
from methods.registry import register


@register("lecam", paper="Tseng, Jiang, Liu, Yang & Yang 2021, arXiv:2104.03310")
def lecam(lr: float = 2e-4, beta_1: float = 0.0, beta_2: float = 0.999,
          weight: float = 0.3, decay: float = 0.99) -> Method:
    """Hinge GAN plus lambda * (E(D(x) - a_F)^2 + E(D(G(z)) - a_R)^2) with EMA anchors.

    Anchoring D's outputs to the moving averages of the other side's outputs bounds the
    LeCam divergence it optimizes and keeps D from over-fitting (lambda 0.3, decay 0.99,
    the paper's BigGAN CIFAR-10 settings, with Adam(2e-4, 0, 0.999)).
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=hinge, g_optimizer=opt, d_optimizer=opt,
                  d_regularizer=lecam_regularizer(weight, decay), d_state=LECAM_STATE)
