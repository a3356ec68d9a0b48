"""Symplectic gradient adjustment."""

from methods.parts.game import symplectic_adjustment
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import register


@register("sga", paper="Balduzzi et al. 2018, arXiv:1802.05642")
def sga(lam: float = 1.0, align: bool = True, epsilon: float = 0.1, lr: float = 1e-4) -> Method:
    """Simultaneous steps along xi + lambda * A^T xi, A the antisymmetric part of the Jacobian.

    Algorithm 1 of the paper: lambda = 1 with its sign aligned (epsilon = 0.1) so the
    adjustment also descends the Hamiltonian |xi|^2 / 2 near stable fixed points. On the
    non-saturating GAN loss with RMSProp 1e-4 (the consensus setting, for comparability).
    """
    return Method(loss=non_saturating, simultaneous=True,
                  joint_transform=symplectic_adjustment(lam, align=align, epsilon=epsilon),
                  g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr))
