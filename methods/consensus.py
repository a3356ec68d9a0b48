"""Consensus optimization."""

from methods.parts.game import consensus as consensus_transform
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import register


@register("consensus", paper="Mescheder et al. 2017, arXiv:1705.10461")
def consensus(gamma: float = 10.0, lr: float = 1e-4) -> Method:
    """Simultaneous steps along xi + gamma * grad(|xi|^2 / 2), xi the game's vector field.

    The regularizer damps the rotation of simultaneous gradient play around equilibria.
    Paper defaults: gamma = 10, RMSProp with learning rate 1e-4; here on the
    non-saturating GAN loss.
    """
    return Method(loss=non_saturating, simultaneous=True,
                  joint_transform=consensus_transform(gamma),
                  g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr))
