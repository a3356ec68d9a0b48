"""WGAN with the one-sided Lipschitz penalty."""

from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import lipschitz_penalty
from methods.registry import FamilySettings, register


@register("wgan-lp", paper="Petzka, Fischer & Lukovnikov 2018, arXiv:1709.08894",
          code="none released by the authors; WGAN-GP's igul222/improved_wgan_training "
               "with the one-sided penalty",
          settings={
              "mixture": FamilySettings({"penalty_weight": 0.1, "beta_1": 0.5, "beta_2": 0.9},
                                        source="no WGAN-LP toy reference: wgan-gp's values "
                                               "(gan_toy.py, igul222/improved_wgan_training)"),
              "dirac": FamilySettings({"penalty_weight": 0.35},
                                      source="no WGAN-LP Dirac reference: wgan-gp's weight "
                                             "(DiracGAN.ipynb, LMescheder/GAN_stability)"),
              "image": FamilySettings({"beta_1": 0.5},
                                      source="no WGAN-LP image reference: wgan-gp's values "
                                             "(gan_cifar.py, igul222/improved_wgan_training)"),
          })
def wgan_lp(lr: float = 1e-4, penalty_weight: float = 10.0, critic_steps: int = 5,
            beta_1: float = 0.0, beta_2: float = 0.9) -> Method:
    """Penalizes only gradient norms above 1: the Lipschitz constraint, not equality.

    lambda * E[max(0, ||grad D(x_hat)|| - 1)^2] at WGAN-GP's interpolates (Petzka,
    Fischer & Lukovnikov 2018, arXiv:1709.08894); the two-sided WGAN-GP penalty also
    pushes flat regions to slope 1, this one does not. No reference code was released,
    so every setting is WGAN-GP's, per family, to isolate the penalty's shape.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=wasserstein, g_optimizer=opt, d_optimizer=opt, d_steps=critic_steps,
                  d_regularizer=lipschitz_penalty(penalty_weight))
