"""WGAN with the one-sided Lipschitz penalty."""

from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import lipschitz_penalty
from methods.registry import register


@register("wgan-lp", paper="Petzka, Fischer & Lukovnicov 2018, arXiv:1709.08894")
def wgan_lp(lr: float = 1e-4, penalty_weight: float = 10.0, critic_steps: int = 5,
            beta_1: float = 0.0, beta_2: float = 0.9) -> Method:
    """Penalizes only gradient norms above 1: the Lipschitz constraint, not equality.

    The two-sided WGAN-GP penalty also pushes flat regions to slope 1; this one does not.
    Same schedule as WGAN-GP (lambda 10, 5 critic steps, Adam(1e-4, 0, 0.9)).
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=wasserstein, g_optimizer=opt, d_optimizer=opt, d_steps=critic_steps,
                  d_regularizer=lipschitz_penalty(penalty_weight))
