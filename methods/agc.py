"""Adaptive gradient clipping for both players."""

from methods.parts.gradient_transforms import adaptive_clip
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("agc", paper="Brock, De, Smith & Simonyan 2021, arXiv:2102.06171")
def agc(lr: float = 2e-4, beta_1: float = 0.5, clip: float = 0.01, eps: float = 1e-3) -> Method:
    """Non-saturating GAN with unit-wise clipping of ||G_i|| / max(||W_i||, eps) at ``clip``.

    The bound scales with each unit's weights, so small layers are not starved and large
    ones cannot jump. clip 0.01 and eps 1e-3 as in the paper (for every layer here,
    including the output layer the paper leaves unclipped).
    """
    transform = adaptive_clip(clip, eps)
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  g_transform=transform, d_transform=transform)
