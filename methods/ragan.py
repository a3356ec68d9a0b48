"""Relativistic average GAN (RaSGAN)."""

from methods.parts.losses import relativistic_average
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, register


@register("ragan", paper="Jolicoeur-Martineau 2018, arXiv:1807.00734",
          code="AlexiaJM/RelativisticGAN code/GAN_losses_iter.py (loss_D 6), code/stable.sh",
          settings={"mixture": STUDY_MIXTURE_SETTINGS})
def ragan(lr: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999,
          d_steps: int = 1) -> Method:
    """D judges whether real data is more realistic than the average fake (RaSGAN).

    With C the critic logit, D minimizes 1/2 [E_r softplus(-(C(x_r) - mean C(x_f)))
    + E_f softplus(C(x_f) - mean C(x_r))] and G the same with the labels swapped, so G
    also lowers D's outputs on real data: G's step evaluates D on a real batch too
    (``losses.relativistic_average``, a loss pair with ``g_sees_real``). Paper:
    Jolicoeur-Martineau 2018, arXiv:1807.00734, section 4.2; reference code
    AlexiaJM/RelativisticGAN ``code/GAN_losses_iter.py`` (loss_D 6: both batch means
    kept in the gradient, both losses halved). Defaults: the reference's "DCGAN setup"
    (``code/stable.sh``), Adam(2e-4, 0.5, 0.999) with one D step; that script also
    passes ``--spectral True``, which the paper's text does not confirm, so D here is
    unnormalized and the loss is isolated. No 2D-mixture or Dirac setting is given by
    the references: mixtures use the suite's study rate for nsgan's recipe.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=relativistic_average, g_optimizer=opt, d_optimizer=opt, d_steps=d_steps)
