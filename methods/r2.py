"""R2: zero-centred gradient penalty on generated samples."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.parts.penalties import r2_penalty
from methods.registry import FamilySettings, register


@register("r2", paper="Mescheder, Geiger & Nowozin 2018, arXiv:1801.04406",
          code="LMescheder/GAN_stability gan_training/train.py, configs/default.yaml",
          settings={"dirac": FamilySettings(
              {"gamma": 0.3},
              source="notebooks/DiracGAN.ipynb GAN_GradPenalty(0.3), penalty (0.3/2)psi^2 "
                     "(notebooks/diracgan/gans.py), LMescheder/GAN_stability")})
def r2(lr: float = 1e-4, gamma: float = 20.0, rho: float = 0.99) -> Method:
    """Non-saturating GAN plus gamma/2 * E||grad D||^2 on generated samples (eq. 10).

    A zero-centred penalty makes the equilibrium locally stable (Mescheder, Geiger &
    Nowozin 2018, arXiv:1801.04406, Theorem 4.1), where unregularized and WGAN-GP
    training oscillate around it. gamma follows the paper's convention, gamma/2 times
    the squared norm; the reference code (LMescheder/GAN_stability
    ``gan_training/train.py``) adds ``reg_param * E||grad D||^2`` with no 1/2, so its
    ``reg_param: 10`` (``configs/default.yaml``) is the default gamma 20 here. Its
    optimizer is the default too: RMSprop(1e-4, alpha 0.99), one D step. Dirac-GAN uses
    the notebook's gamma 0.3, written there with the same 1/2.
    """
    opt = rmsprop(lr, rho)
    return Method(loss=non_saturating, g_optimizer=opt, d_optimizer=opt,
                  d_regularizer=r2_penalty(gamma))
