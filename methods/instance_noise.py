"""Instance noise, annealed."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.noise import InstanceNoise
from methods.parts.optimizers import adam
from methods.registry import STUDY_MIXTURE_SETTINGS, FamilySettings, register


@register("instance-noise",
          paper="Sønderby, Caballero, Theis, Shi & Huszár 2017, arXiv:1610.04490",
          code="none released by the authors; Dirac-GAN: LMescheder/GAN_stability "
               "notebooks/diracgan/gans.py (GAN_InstNoise)",
          settings={"mixture": STUDY_MIXTURE_SETTINGS, "dirac": FamilySettings(
              {"std": 0.7, "anneal_steps": 0},
              source="notebooks/DiracGAN.ipynb GAN_InstNoise(0.7) (constant std), "
                     "LMescheder/GAN_stability")})
def instance_noise(lr: float = 2e-4, beta_1: float = 0.5, std: float = 0.1,
                   anneal_steps: int = 5000) -> Method:
    """Gaussian noise on every D input, std annealed linearly from ``std`` to 0.

    Noise makes real and fake distributions overlap, so the optimal D is smooth and its
    gradient informative; annealing removes the bias it adds by the end of training
    (Sønderby, Caballero, Theis, Shi & Huszár 2017, arXiv:1610.04490, appendix). The
    authors released no code or schedule: std 0.1 annealed over 5000 steps is this
    suite's choice. On Dirac-GAN the noise is constant at std 0.7, as in Mescheder et
    al.'s notebook (``GAN_InstNoise(0.7)``, which uses the saturating loss).
    """
    return Method(loss=non_saturating, g_optimizer=adam(lr, beta_1), d_optimizer=adam(lr, beta_1),
                  input_noise=InstanceNoise(std, anneal_steps))
