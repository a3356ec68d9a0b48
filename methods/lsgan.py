"""Least-squares GAN."""

from methods.parts.losses import least_squares
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import FamilySettings, register


@register("lsgan", paper="Mao et al. 2017, arXiv:1611.04076",
          code="xudonmao/LSGAN stability_comparison/*/dcgan64.py, train.py; "
               "stability_comparison/mixture_gaussian/ls.py",
          settings={"mixture": FamilySettings(
              {"lr": 1e-3, "d_lr": 1e-4},
              source="stability_comparison/mixture_gaussian/ls.py, xudonmao/LSGAN")})
def lsgan(lr: float = 2e-4, d_lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """Least-squares losses (a=0, b=1, c=1): fakes far from the boundary still get gradient.

    The quadratic loss penalizes samples on the correct side of the decision boundary in
    proportion to their distance, unlike the sigmoid cross-entropy that saturates there
    (Mao, Li, Xie, Lau, Wang & Smolley 2017, arXiv:1611.04076, eq. 9). ``lr`` is the
    generator's. Reference code xudonmao/LSGAN: images Adam(2e-4, beta_1 0.5) for both
    (``stability_comparison/*/train.py``); mixtures G 1e-3 / D 1e-4
    (``mixture_gaussian/ls.py``, which updates both players at once; here they
    alternate). The code sums the squares over the batch; the paper's means are used
    (a constant factor, absorbed by Adam).
    """
    return Method(loss=least_squares, g_optimizer=adam(lr, beta_1),
                  d_optimizer=adam(d_lr, beta_1))
