"""Symplectic gradient adjustment."""

from methods.parts.game import symplectic_adjustment
from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import FamilySettings, register


@register("sga", paper="Balduzzi et al. 2018, arXiv:1802.05642",
          code="deepmind/symplectic-gradient-adjustment Symplectic_Gradient_Adjustment.ipynb",
          settings={"mixture": FamilySettings(
              {"lam": 1.0, "lr": 1e-4},
              source="Symplectic_Gradient_Adjustment.ipynb (mixture experiment), "
                     "deepmind/symplectic-gradient-adjustment")})
def sga(lam: float = 1.0, align: bool = True, epsilon: float = 0.1, lr: float = 1e-4) -> Method:
    """Simultaneous steps along xi + lambda * A^T xi, A the antisymmetric part of the Jacobian.

    Balduzzi, Racanière, Martens, Foerster, Tuyls & Graepel 2018, arXiv:1802.05642,
    Algorithm 1: lambda = 1 with its sign aligned (epsilon = 0.1) so the adjustment also
    descends the Hamiltonian |xi|^2 / 2 near stable fixed points. As in the reference
    notebook deepmind/symplectic-gradient-adjustment
    ``Symplectic_Gradient_Adjustment.ipynb`` (``SymplecticOptimizer``): the
    non-saturating loss, RMSprop 1e-4, and the alignment normalized by the number of
    parameter tensors (:func:`methods.parts.game.symplectic_adjustment`). Its TF1
    RMSprop starts the mean square at 1; this one at 0.
    """
    return Method(loss=non_saturating, simultaneous=True,
                  joint_transform=symplectic_adjustment(lam, align=align, epsilon=epsilon),
                  g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr))
