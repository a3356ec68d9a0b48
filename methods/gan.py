"""The original minimax GAN."""

from methods.parts.losses import minimax
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("gan", paper="Goodfellow et al. 2014, arXiv:1406.2661")
def gan(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """Minimax GAN with the saturating generator loss log(1 - D(G(z))).

    The classic baseline: when D confidently rejects fakes, the generator's gradient
    vanishes, which is the failure most later methods set out to fix.
    """
    return Method(loss=minimax, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
