"""Wasserstein GAN with weight clipping."""

from methods.parts.constraints import clip_weights
from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import FamilySettings, register


@register("wgan", paper="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875",
          code="martinarjovsky/WassersteinGAN main.py",
          settings={
              "mixture": FamilySettings({"lr": 5e-5, "clip": 0.01, "critic_steps": 5},
                                        source="gan_toy.py (MODE wgan), "
                                               "igul222/improved_wgan_training"),
              "dirac": FamilySettings({"clip": 1.0},
                                      source="notebooks/DiracGAN.ipynb WGAN(1.), "
                                             "LMescheder/GAN_stability"),
          })
def wgan(lr: float = 5e-5, clip: float = 0.01, critic_steps: int = 5) -> Method:
    """Critic estimates the Wasserstein-1 distance; weight clipping keeps it Lipschitz.

    The critic's gradient does not vanish where the supports are disjoint (Arjovsky,
    Chintala & Bottou 2017, arXiv:1701.07875, Algorithm 1: RMSprop 5e-5, clip 0.01,
    5 critic updates, clipping after each critic update). Reference code
    martinarjovsky/WassersteinGAN ``main.py`` uses the same values but clamps before
    each critic step and runs 100 critic steps for the first 25 and every 500th
    generator iteration; that burst schedule is not reproduced (constant 5 here).
    """
    return Method(loss=wasserstein, g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr),
                  d_steps=critic_steps, d_constraint=clip_weights(clip))
