"""Instance noise, annealed."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.noise import InstanceNoise
from methods.parts.optimizers import adam
from methods.registry import register


@register("instance-noise", paper="Sønderby et al. 2017, arXiv:1610.04490")
def instance_noise(lr: float = 2e-4, beta_1: float = 0.5, std: float = 0.1,
                   anneal_steps: int = 5000) -> Method:
    """Gaussian noise on every D input, std annealed linearly from ``std`` to 0.

    Noise makes real and fake distributions overlap, so the optimal D is smooth and its
    gradient informative; annealing removes the bias it adds by the end of training.
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  input_noise=InstanceNoise(std, anneal_steps))
