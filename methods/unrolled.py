"""Unrolled GAN."""

from methods.parts.losses import minimax
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.parts.unrolling import unrolled_generator_step
from methods.registry import register


@register("unrolled", paper="Metz, Poole, Pfau & Sohl-Dickstein 2017, arXiv:1611.02163",
          code="poolio/unrolled_gan 'Unrolled GAN demo.ipynb'")
def unrolled(unroll_steps: int = 5, lr: float = 1e-3, d_lr: float = 1e-4,
             beta_1: float = 0.5) -> Method:
    """The generator minimizes the GAN objective at the discriminator unrolled K steps ahead.

    f_K(theta, psi) = f(theta, psi_K(theta, psi)) with f the minimax value function, so
    the generator's loss is the saturating log(1 - D_K(G(z))) (Metz, Poole, Pfau &
    Sohl-Dickstein 2017, arXiv:1611.02163, section 2). Its gradient flows through the
    K unrolled Adam updates, so G anticipates D's response and is penalized for
    collapsing onto the modes D is about to reject. Settings of the mixture experiment in
    the co-author's reference notebook (poolio/unrolled_gan ``Unrolled GAN demo.ipynb``):
    K = 5, Adam beta_1 0.5, G 1e-3 and D 1e-4 (``lr`` is the generator's). The notebook
    reuses one minibatch for all K look-ahead steps and updates both players at once;
    here the look-ahead draws fresh minibatches and D steps before G. The look-ahead
    uses D's plain loss (no regularizer) and its optimizer's base rule.
    """
    return Method(loss=minimax, g_step=unrolled_generator_step(unroll_steps),
                  g_optimizer=adam(lr, beta_1), d_optimizer=adam(d_lr, beta_1))
