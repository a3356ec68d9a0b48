"""Adaptive gradient clipping for both players."""

from methods.parts.gradient_transforms import adaptive_clip
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("agc", paper="Brock, De, Smith & Simonyan 2021, arXiv:2102.06171",
          code="deepmind/deepmind-research nfnets/agc_optax.py, "
               "nfnets/experiment_nfnets.py",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def agc(lr: float = 2e-4, beta_1: float = 0.5, clip: float = 0.01, eps: float = 1e-3) -> Method:
    """Non-saturating GAN with unit-wise clipping of ||G_i|| / max(||W_i||, eps) at ``clip``.

    The bound scales with each unit's weights, so small layers are not starved and large
    ones cannot jump (Brock, De, Smith & Simonyan 2021, arXiv:2102.06171, eq. 3). Units
    are output units (conv kernels: norm over h, w and in), and each player's output
    layer is not clipped, as the reference code leaves the classifier unclipped
    (deepmind/deepmind-research ``nfnets/agc_optax.py``,
    ``nfnets/experiment_nfnets.py``). clip 0.01 and eps 1e-3 are the NFNet values; there
    are no GAN settings to copy. The DCGAN Adam(2e-4, 0.5).
    """
    transform = adaptive_clip(clip, eps)
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  g_transform=transform, d_transform=transform)
