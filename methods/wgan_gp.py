"""WGAN with gradient penalty."""

from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import gradient_penalty
from methods.registry import FamilySettings, register


@register("wgan-gp", paper="Gulrajani et al. 2017, arXiv:1704.00028",
          code="igul222/improved_wgan_training gan_toy.py, gan_mnist.py, gan_cifar.py",
          settings={
              "mixture": FamilySettings({"penalty_weight": 0.1, "beta_1": 0.5, "beta_2": 0.9},
                                        source="gan_toy.py, igul222/improved_wgan_training"),
              "dirac": FamilySettings({"penalty_weight": 0.35, "target": 1.0},
                                      source="notebooks/DiracGAN.ipynb WGAN_GP(0.7, 1.) "
                                             "with penalty (0.7/2)(|psi|-1)^2 "
                                             "(notebooks/diracgan/gans.py), "
                                             "LMescheder/GAN_stability"),
              "image": FamilySettings({"beta_1": 0.5},
                                      source="gan_mnist.py, gan_cifar.py (DCGAN critic), "
                                             "igul222/improved_wgan_training"),
          })
def wgan_gp(lr: float = 1e-4, penalty_weight: float = 10.0, target: float = 1.0,
            critic_steps: int = 5, beta_1: float = 0.0, beta_2: float = 0.9) -> Method:
    """Replaces weight clipping by lambda * E[(||grad D(x_hat)|| - 1)^2] between real and fake.

    Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017, arXiv:1704.00028; defaults are
    its Algorithm 1 (lambda 10, 5 critic steps, Adam(1e-4, 0, 0.9)). The released
    experiment scripts (igul222/improved_wgan_training) differ by family, and those
    values are the family settings: the toy script ``gan_toy.py`` uses lambda 0.1 and
    Adam betas (0.5, 0.9); the DCGAN-style ``gan_mnist.py``/``gan_cifar.py`` use
    beta_1 0.5. On Dirac-GAN the weight is 0.35: Mescheder et al. 2018 write this
    penalty with a 1/2, so their ``WGAN_GP(0.7)`` is 0.35 in this convention.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=wasserstein, g_optimizer=opt, d_optimizer=opt, d_steps=critic_steps,
                  d_regularizer=gradient_penalty(penalty_weight, target))
