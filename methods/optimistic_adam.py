"""Optimistic Adam."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("optimistic-adam", paper="Daskalakis, Ilyas, Syrgkanis & Zeng 2018, arXiv:1711.00141",
          code="vsyrgkanis/optimistic_GAN_training script/optimizer.py (optimAdam), "
               "script/cifar10.py")
def optimistic_adam(lr: float = 1e-4, beta_1: float = 0.5, beta_2: float = 0.9) -> Method:
    """Simultaneous updates with Optimistic Adam: step 2 * delta_t - delta_{t-1}.

    Optimism uses the last step as a prediction of the next gradient, which makes the
    last iterate of bilinear games converge where gradient descent cycles (Daskalakis,
    Ilyas, Syrgkanis & Zeng 2018, arXiv:1711.00141, Algorithm 1). Adam(1e-4, 0.5, 0.9)
    as in the paper's CIFAR-10 experiment (vsyrgkanis/optimistic_GAN_training
    ``script/cifar10.py``; the rule in ``script/optimizer.py``). Deliberate difference:
    that experiment trains WGAN-GP with alternating updates (5 or 1 critic steps); here
    the optimizer runs on the non-saturating loss with simultaneous updates, so the row
    isolates optimism against ``nsgan``. ``optimAdam`` also applies the current step's
    bias correction to the previous step, which differs from this only in the first
    few dozen steps.
    """
    opt = adam(lr, beta_1, beta_2, optimistic=True)
    return Method(loss=non_saturating, simultaneous=True, g_optimizer=opt, d_optimizer=opt)
