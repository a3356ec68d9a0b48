"""Two time-scale update rule."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("ttur", paper="Heusel et al. 2017, arXiv:1706.08500")
def ttur(lr: float = 1e-4, d_lr: float = 3e-4, beta_1: float = 0.5) -> Method:
    """Separate learning rates, D faster than G (``lr`` is the generator's).

    With D on the faster time scale it tracks its best response, and the coupled
    stochastic approximation converges to a local Nash equilibrium (Theorem 1).
    G 1e-4 and D 3e-4 with Adam, as in the paper's WGAN-GP CIFAR-10 runs.
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1),
                  d_optimizer=adam(d_lr, beta_1))
