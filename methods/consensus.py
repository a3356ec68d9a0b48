"""Consensus optimization."""

from methods.parts.game import consensus as consensus_transform
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import FamilySettings, register


@register("consensus", paper="Mescheder, Nowozin & Geiger 2017, arXiv:1705.10461",
          code="LMescheder/TheNumericsOfGANs consensus_gan/optimizer.py",
          settings={
              "mixture": FamilySettings({"gamma": 10.0, "lr": 1e-4},
                                        source="notebooks/mog-eigval-dist.ipynb, "
                                               "LMescheder/TheNumericsOfGANs"),
              "dirac": FamilySettings({"gamma": 1.0},
                                      source="notebooks/DiracGAN.ipynb GAN_Consensus(1.), "
                                             "LMescheder/GAN_stability"),
          })
def consensus(gamma: float = 10.0, lr: float = 1e-4) -> Method:
    """Simultaneous steps along xi + gamma * grad(|xi|^2 / 2), xi the game's vector field.

    The regularizer damps the rotation of simultaneous gradient play around equilibria
    (Mescheder, Nowozin & Geiger 2017, arXiv:1705.10461). gamma 10 and RMSprop 1e-4 on
    the non-saturating ('standard') loss, as the reference code
    LMescheder/TheNumericsOfGANs (``consensus_gan/optimizer.py``, ``train.py``,
    ``experiments/``) runs its mixture and CIFAR-10 experiments. Its TF1 RMSprop starts
    the mean square at 1 with epsilon 1e-10; this one starts at 0 with 1e-8, which makes
    the first few dozen steps larger. The Dirac-GAN notebook uses gamma 1 on the
    saturating loss; here it is the non-saturating one.
    """
    return Method(loss=non_saturating, simultaneous=True,
                  joint_transform=consensus_transform(gamma),
                  g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr))
