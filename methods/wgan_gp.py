"""WGAN with gradient penalty."""

from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import gradient_penalty
from methods.registry import register


@register("wgan-gp", paper="Gulrajani et al. 2017, arXiv:1704.00028")
def wgan_gp(lr: float = 1e-4, penalty_weight: float = 10.0, target: float = 1.0,
            critic_steps: int = 5, beta_1: float = 0.0, beta_2: float = 0.9) -> Method:
    """Replaces weight clipping by a penalty pulling ||grad D|| to 1 between real and fake.

    Algorithm 1: lambda 10, 5 critic steps, Adam(1e-4, 0, 0.9).
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=wasserstein, g_optimizer=opt, d_optimizer=opt, d_steps=critic_steps,
                  d_regularizer=gradient_penalty(penalty_weight, target))
