"""GN-GAN: gradient-normalized discriminator."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.normalization import GradientNormalization
from methods.parts.optimizers import adam
from methods.registry import register


@register("gn-gan", paper="Wu, Shuai, Tam & Chiu 2021, arXiv:2109.02235",
          code="basiclab/GNGAN-PyTorch models/gradnorm.py, config/GN-GAN_CIFAR10_CNN.txt")
def gn_gan(lr: float = 2e-4, beta_1: float = 0.0, beta_2: float = 0.9,
           d_steps: int = 1) -> Method:
    """D(x) = f(x) / (||grad f(x)|| + |f(x)|): a 1-Lipschitz, bounded D without layer norms.

    Wu, Shuai, Tam & Chiu 2021, arXiv:2109.02235, eq. 7 (reference code
    basiclab/GNGAN-PyTorch ``models/gradnorm.py``). The settings of its CIFAR-10 CNN
    configuration (``config/GN-GAN_CIFAR10_CNN.txt``): non-saturating (BCE) loss on the
    normalized output, Adam(2e-4, 0, 0.9) for both players and one D step (5 D steps
    belong to its ResNet + hinge configuration).
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=non_saturating, g_optimizer=opt, d_optimizer=opt, d_steps=d_steps,
                  d_wrapper=GradientNormalization())
