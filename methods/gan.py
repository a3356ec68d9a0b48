"""The original minimax GAN."""

from methods.parts.losses import minimax
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("gan", paper="Goodfellow et al. 2014, arXiv:1406.2661",
          code="goodfeli/adversarial __init__.py (AdversaryCost2)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def gan(lr: float = 2e-4, beta_1: float = 0.5) -> Method:
    """Minimax GAN with the saturating generator loss log(1 - D(G(z))).

    The classic baseline: when D confidently rejects fakes, the generator's gradient
    vanishes, which is the failure most later methods set out to fix (Goodfellow,
    Pouget-Abadie, Mirza, Xu, Warde-Farley, Ozair, Courville & Bengio 2014,
    arXiv:1406.2661, eq. 1). Reference code goodfeli/adversarial ``__init__.py``
    (``AdversaryCost2``) halves D's loss, updates both players simultaneously and trains
    the non-saturating generator; here D and G alternate, as in the DCGAN protocol whose
    Adam(2e-4, beta_1 0.5) is the default (Radford et al. 2016, arXiv:1511.06434).
    """
    return Method(loss=minimax, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1))
