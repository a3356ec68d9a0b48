"""Extragradient (Extra-Adam)."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("extragradient",
          paper="Gidel, Berard, Vignoud, Vincent & Lacoste-Julien 2019, arXiv:1802.10551",
          code="GauthierGidel/Variational-Inequality-GAN optim/extragradient.py, "
               "train_extraadam.py, config/default_dcgan_wgangp_extraadam.json")
def extragradient(lr: float = 5e-4, beta_1: float = 0.5, beta_2: float = 0.9) -> Method:
    """Extra-Adam: extrapolate one Adam step, then update from the start with the gradient there.

    Evaluating the field at the look-ahead point corrects for the game's rotation
    (Gidel, Berard, Vignoud, Vincent & Lacoste-Julien 2019, arXiv:1802.10551,
    Algorithm 4: moments updated on both steps, a fresh minibatch at the extrapolated
    point). Adam(5e-4, 0.5, 0.9) for both players, the DCGAN WGAN-GP configuration of
    the reference code (GauthierGidel/Variational-Inequality-GAN
    ``config/default_dcgan_wgangp_extraadam.json``, run by ``train_extraadam.py``).
    Deliberate difference: the paper's experiments use the WGAN(-GP) loss; here the
    non-saturating one, so the row isolates extrapolation against ``nsgan``.
    """
    opt = adam(lr, beta_1, beta_2)
    return Method(loss=non_saturating, simultaneous=True, extrapolate=True,
                  g_optimizer=opt, d_optimizer=opt)
