"""Least-squares GAN."""

from methods.parts.losses import least_squares
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("lsgan", paper="Mao et al. 2017, arXiv:1611.04076")
def lsgan(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """Least-squares losses (a=0, b=1, c=1): fakes far from the boundary still get gradient.

    The quadratic loss penalizes samples on the correct side of the decision boundary in
    proportion to their distance, unlike the sigmoid cross-entropy that saturates there.
    Adam with lr 2e-4 and beta_1 0.5, as in the paper's experiments.
    """
    return Method(loss=least_squares, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
