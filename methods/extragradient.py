"""Extragradient (Extra-Adam)."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("extragradient", paper="Gidel et al. 2019, arXiv:1802.10551")
def extragradient(lr: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.9) -> Method:
    """Extra-Adam: extrapolate one Adam step, then update from the start with the gradient there.

    Evaluating the field at the look-ahead point corrects for the game's rotation
    (the paper's Algorithm 4, Extra-Adam: moments updated on both steps). Adam beta_1 = 0.5,
    beta_2 = 0.9 as in the paper's experiments; here on the non-saturating GAN loss.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=non_saturating, simultaneous=True, extrapolate=True,
                  g_optimizer=opt, d_optimizer=opt)
