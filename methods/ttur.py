"""Two time-scale update rule."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("ttur",
          paper="Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter 2017, arXiv:1706.08500",
          code="bioinf-jku/TTUR DCGAN_FID_batched/run.sh, main.py; WGAN_GP/gan_64x64_FID.py")
def ttur(lr: float = 1e-4, d_lr: float = 3e-4, beta_1: float = 0.5) -> Method:
    """Separate learning rates, D faster than G (``lr`` is the generator's).

    With D on the faster time scale it tracks its best response, and the coupled
    stochastic approximation converges to a local Nash equilibrium (Heusel, Ramsauer,
    Unterthiner, Nessler & Hochreiter 2017, arXiv:1706.08500, Theorem 1). The DCGAN
    experiments (bioinf-jku/TTUR ``DCGAN_FID_batched/run.sh``: standard GAN loss, Adam
    beta_1 0.5, one D step) take both rates on the command line; the pair G 1e-4 /
    D 3e-4 is the one the reference code fixes for its WGAN-GP runs
    (``WGAN_GP/gan_64x64_FID.py``). The paper's per-dataset DCGAN rates could not be
    re-checked offline.
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1),
                  d_optimizer=adam(d_lr, beta_1))
