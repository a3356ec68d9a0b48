"""The non-saturating GAN."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("nsgan", paper="Goodfellow et al. 2014, arXiv:1406.2661",
          code="goodfeli/adversarial __init__.py (AdversaryCost2)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def nsgan(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """GAN with the non-saturating generator loss -log D(G(z)).

    Same fixed point as the minimax game, but the generator's gradient stays large
    exactly where the saturating loss's vanishes (Goodfellow et al. 2014,
    arXiv:1406.2661, section 3). Reference code goodfeli/adversarial ``__init__.py``
    (``AdversaryCost2``, the generator objective it trains); it halves D's loss and
    updates simultaneously, here the players alternate with the DCGAN Adam(2e-4,
    beta_1 0.5) (Radford et al. 2016, arXiv:1511.06434).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
