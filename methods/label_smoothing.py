"""One-sided label smoothing."""

from methods.parts.losses import one_sided_label_smoothing
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("label-smoothing", paper="Salimans et al. 2016, arXiv:1606.03498",
          code="openai/improved-gan imagenet/build_model.py (d_label_smooth)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def label_smoothing(lr: float = 2e-4, beta_1: float = 0.5, real_target: float = 0.9) -> Method:
    """Non-saturating GAN whose real label is 0.9 instead of 1.

    Keeps D from becoming overconfident on real data, which bounds its logits and so
    the gradients it sends the generator (Salimans, Goodfellow, Zaremba, Cheung, Radford
    & Chen 2016, arXiv:1606.03498, section 3.4, whose example target is 0.9). The
    reference code's ImageNet model (openai/improved-gan ``imagenet/build_model.py``)
    smooths to 0.75 (``d_label_smooth=.25``); the paper's value is kept.
    """
    return Method(loss=one_sided_label_smoothing(real_target), g_optimizer=adam(lr, beta_1),
                  d_optimizer=adam(lr, beta_1))
