"""Global gradient-norm clipping for both players."""

from methods.parts.gradient_transforms import clip_global_norm
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("grad-clip", paper="Pascanu, Mikolov & Bengio 2013, arXiv:1211.5063",
          code="none for GANs; tf.clip_by_global_norm (the paper's Algorithm 1)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def grad_clip(lr: float = 2e-4, beta_1: float = 0.5, max_norm: float = 1.0) -> Method:
    """Non-saturating GAN whose players' gradients are rescaled to global norm <= max_norm.

    Caps exploding steps while keeping their direction (Pascanu, Mikolov & Bengio 2013,
    arXiv:1211.5063, Algorithm 1, the same formula as ``tf.clip_by_global_norm``). No
    reference GAN code or threshold exists; 1.0 is the customary default, with the
    DCGAN Adam(2e-4, 0.5).
    """
    clip = clip_global_norm(max_norm)
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  g_transform=clip, d_transform=clip)
