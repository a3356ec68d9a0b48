"""LeCam regularization."""

from methods.parts.losses import hinge
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.penalties import LECAM_STATE, lecam_regularizer
from methods.registry import register


@register("lecam", paper="Tseng, Jiang, Liu, Yang & Yang 2021, arXiv:2104.03310",
          code="google/lecam-gan biggan_cifar/losses.py, third_party/utils.py (ema_losses), "
               "third_party/train_fns.py, biggan_cifar/scripts/lc-biggan-cifar10.sh")
def lecam(lr: float = 2e-4, beta_1: float = 0.0, beta_2: float = 0.999, weight: float = 0.3,
          decay: float = 0.9, start: int = 1000, d_steps: int = 4) -> Method:
    """Hinge GAN plus lambda * (E relu(D(x) - a_F)^2 + E relu(a_R - D(G(z)))^2), EMA anchors.

    Anchoring D's outputs to the moving averages of the other side's outputs bounds the
    LeCam divergence it optimizes and keeps D from over-fitting (Tseng, Jiang, Liu, Yang
    & Yang 2021, arXiv:2104.03310). Formula, anchors and schedule as the authors' BigGAN
    CIFAR-10 code (google/lecam-gan; see
    :func:`methods.parts.penalties.lecam_regularizer`): one-sided (ReLU) squares,
    anchor decay 0.9 with a warm-up of ``start`` = 1000 generator iterations before the
    penalty is on, lambda 0.3, 4 D steps, Adam(2e-4, 0, 0.999)
    (``scripts/lc-biggan-cifar10.sh``). Runs shorter than ``start`` train plain hinge.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=hinge, g_optimizer=opt, d_optimizer=opt, d_steps=d_steps,
                  d_regularizer=lecam_regularizer(weight, decay, start), d_state=LECAM_STATE)
