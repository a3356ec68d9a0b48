"""Joint-update machinery against closed forms on bilinear and quadratic games."""

from dataclasses import dataclass

import numpy as np
import pytest
import tensorflow as tf

from methods.parts.game import (
    FieldValue,
    Players,
    consensus,
    simultaneous_step,
    symplectic_adjustment,
)
from methods.parts.losses import LossPair
from methods.parts.method import Method
from methods.parts.optimizers import OptimizerSpec, adam, sgd

A = np.array([[1.0, 2.0], [-0.5, 1.5], [0.3, -1.0]])  # theta in R^3, psi in R^2
THETA0 = np.array([0.5, -1.0, 0.8])
PSI0 = np.array([1.2, -0.4])

# G minimizes f = theta^T A psi, D minimizes -f: the critic loss pair makes it bilinear.
BILINEAR = LossPair("bilinear", lambda real, fake: tf.reduce_mean(real) - tf.reduce_mean(fake),
                    lambda fake: tf.reduce_mean(fake), probability=None)


@dataclass(frozen=True)
class VectorGenerator:
    """G(z) = theta for every z."""

    start: tuple[float, ...]
    layer_names: tuple[str, ...] = ("theta",)

    def layer_of(self, param_index: int) -> str:
        return "theta"

    def init(self, seed: int) -> list[tf.Variable]:
        return [tf.Variable(np.array(self.start), dtype=tf.float32)]

    def apply(self, params, z):
        return tf.zeros([tf.shape(z)[0], len(self.start)]) + params[0]


@dataclass(frozen=True)
class BilinearCritic:
    """D(x) = x^T A psi."""

    start: tuple[float, ...]
    layer_names: tuple[str, ...] = ("psi",)

    def layer_of(self, param_index: int) -> str:
        return "psi"

    def init(self, seed: int) -> list[tf.Variable]:
        return [tf.Variable(np.array(self.start), dtype=tf.float32)]

    def apply(self, params, x):
        return tf.matmul(x, tf.constant(A, tf.float32)) @ params[0][:, None]


SGD = sgd(0.1)


def players(g_opt=SGD, d_opt=SGD, theta=THETA0, psi=PSI0) -> Players:
    g, d = VectorGenerator(tuple(theta)), BilinearCritic(tuple(psi))
    gp, dp = g.init(0), d.init(1)

    def draw(i):
        return tf.zeros([4, len(theta)]), tf.zeros([4, 1])

    return Players(g, d, gp, dp, g_opt.create(gp, "g"), d_opt.create(dp, "d"), draw)


def state(p: Players) -> tuple[np.ndarray, np.ndarray]:
    return p.g_params[0].numpy().astype(np.float64), p.d_params[0].numpy().astype(np.float64)


def xi(theta, psi):
    """The bilinear game's vector field (d f/d theta, d(-f)/d psi)."""
    return A @ psi, -A.T @ theta


def step_xla(p: Players, method: Method, n: int = 1) -> None:
    @tf.function(jit_compile=True)
    def run():
        for _ in tf.range(n):
            simultaneous_step(p, method)

    run()


def test_plain_simultaneous_step_is_gradient_descent_on_the_field():
    p = players()
    step_xla(p, Method(loss=BILINEAR, simultaneous=True))
    g, d = xi(THETA0, PSI0)
    np.testing.assert_allclose(state(p)[0], THETA0 - 0.1 * g, rtol=1e-6)
    np.testing.assert_allclose(state(p)[1], PSI0 - 0.1 * d, rtol=1e-6)


def test_consensus_step_matches_closed_form_on_bilinear_game():
    # H = [[0, A], [-A^T, 0]], so H^T xi = (A A^T theta, A^T A psi) and the consensus
    # direction is (A psi + gamma A A^T theta, -A^T theta + gamma A^T A psi).
    gamma, lr = 0.7, 0.1
    p = players()
    step_xla(p, Method(loss=BILINEAR, simultaneous=True, joint_transform=consensus(gamma)))
    g = A @ PSI0 + gamma * A @ A.T @ THETA0
    d = -A.T @ THETA0 + gamma * A.T @ A @ PSI0
    np.testing.assert_allclose(state(p)[0], THETA0 - lr * g, rtol=1e-5)
    np.testing.assert_allclose(state(p)[1], PSI0 - lr * d, rtol=1e-5)


def test_sga_equals_consensus_direction_on_a_pure_bilinear_game():
    # H is antisymmetric here: A^T xi = H^T xi and <xi, H^T xi> = 0, so aligned SGA with
    # lambda is consensus with gamma = lambda (sign(0 + epsilon) = +1).
    p_sga, p_con = players(), players()
    step_xla(p_sga, Method(loss=BILINEAR, simultaneous=True,
                           joint_transform=symplectic_adjustment(0.5)))
    step_xla(p_con, Method(loss=BILINEAR, simultaneous=True, joint_transform=consensus(0.5)))
    for a, b in zip(state(p_sga), state(p_con), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def quadratic_bilinear_field(a: float, b: float, theta: tf.Variable, psi: tf.Variable):
    """L_G = theta^T A psi + a|theta|^2/2, L_D = -theta^T A psi + b|psi|^2/2."""
    At = tf.constant(A, tf.float32)

    def field() -> FieldValue:
        with tf.GradientTape(persistent=True) as tape:
            f = tf.tensordot(theta, tf.linalg.matvec(At, psi), 1)
            g_loss = f + 0.5 * a * tf.reduce_sum(theta**2)
            d_loss = -f + 0.5 * b * tf.reduce_sum(psi**2)
        grads = [tape.gradient(g_loss, theta), tape.gradient(d_loss, psi)]
        return FieldValue(grads, {})

    return field


def numpy_game(a: float, b: float):
    n, k = A.shape
    H = np.block([[a * np.eye(n), A], [-A.T, b * np.eye(k)]])  # H_ij = d xi_i / d x_j
    x = np.concatenate([THETA0, PSI0])
    return H, x, H @ x  # the field is linear: xi(x) = H x


@pytest.mark.parametrize("a,b,eps", [(0.5, 0.3, 0.1), (-0.6, -0.8, 0.1), (-0.6, -0.8, 40.0)])
def test_sga_matches_closed_form_with_alignment(a, b, eps):
    # The alignment normalizer is the number of parameter tensors (here 2: theta, psi),
    # as in the DeepMind reference notebook (n = len(vars_)), not the 5 scalars.
    lam = 0.8
    H, x, v = numpy_game(a, b)
    antisym_t = 0.5 * (H.T - H)  # A^T for A = (H - H^T) / 2
    grad_ham = H.T @ v
    product = v @ grad_ham * ((antisym_t @ v) @ grad_ham)
    sign = np.sign(product / 2 + eps)
    expected = v + lam * sign * antisym_t @ v
    theta, psi = tf.Variable(THETA0, dtype=tf.float32), tf.Variable(PSI0, dtype=tf.float32)
    transform = tf.function(jit_compile=True)(
        lambda: symplectic_adjustment(lam, epsilon=eps)(
            quadratic_bilinear_field(a, b, theta, psi), [theta, psi])[1])
    got = np.concatenate([t.numpy() for t in transform()])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    if (a, b) == (-0.6, -0.8):
        assert sign == -1  # the cases where alignment flips the adjustment
    if eps == 40.0:
        assert np.sign(product / len(x) + eps) == 1  # dividing by the scalar count differs


def test_sga_without_alignment_and_consensus_on_general_game():
    a, b, lam, gamma = 0.5, -0.3, 0.4, 2.0
    H, _, v = numpy_game(a, b)
    theta, psi = tf.Variable(THETA0, dtype=tf.float32), tf.Variable(PSI0, dtype=tf.float32)
    field = quadratic_bilinear_field(a, b, theta, psi)
    sga = symplectic_adjustment(lam, align=False)(field, [theta, psi])[1]
    con = consensus(gamma)(field, [theta, psi])[1]
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in sga]),
                               v + lam * 0.5 * (H.T - H) @ v, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in con]),
                               v + gamma * H.T @ v, rtol=1e-5, atol=1e-6)


def test_extragradient_step_matches_hand_computation():
    lr = 0.1
    p = players()
    step_xla(p, Method(loss=BILINEAR, simultaneous=True, extrapolate=True))
    g, d = xi(THETA0, PSI0)
    g_half, d_half = xi(THETA0 - lr * g, PSI0 - lr * d)
    np.testing.assert_allclose(state(p)[0], THETA0 - lr * g_half, rtol=1e-5)
    np.testing.assert_allclose(state(p)[1], PSI0 - lr * d_half, rtol=1e-5)


def test_optimistic_gradient_steps_match_hand_computation():
    lr = 0.1
    spec = OptimizerSpec("sgd", lr, optimistic=True)
    p = players(g_opt=spec, d_opt=spec)
    step_xla(p, Method(loss=BILINEAR, simultaneous=True), n=2)
    # x1 = x0 - 2 lr xi(x0) (no previous step); x2 = x1 - 2 lr xi(x1) + lr xi(x0)
    g0, d0 = xi(THETA0, PSI0)
    t1, p1 = THETA0 - 2 * lr * g0, PSI0 - 2 * lr * d0
    g1, d1 = xi(t1, p1)
    np.testing.assert_allclose(state(p)[0], t1 - 2 * lr * g1 + lr * g0, rtol=1e-5)
    np.testing.assert_allclose(state(p)[1], p1 - 2 * lr * d1 + lr * d0, rtol=1e-5)


def test_optimistic_adam_matches_numpy():
    lr, b1, b2, eps = 0.01, 0.5, 0.9, 1e-8
    spec = adam(lr, b1, b2, optimistic=True)
    w = tf.Variable([1.0, -2.0])
    opt = spec.create([w], "o")
    grads = [np.array([0.3, -1.2]), np.array([-0.5, 0.4]), np.array([0.2, 0.2])]
    x, m, v, prev = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, 1):
        opt.apply([tf.constant(g, tf.float32)])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        delta = -lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        x = x + 2 * delta - prev
        prev = delta
        np.testing.assert_allclose(w.numpy(), x, rtol=1e-5)


@pytest.mark.parametrize("name,kw,converges", [
    ("simultaneous GD", {}, False),
    ("optimistic GD", {"optimistic": True}, True),
    ("extragradient", {"extrapolate": True}, True),
    ("consensus", {"joint_transform": consensus(1.0)}, True),
    ("sga", {"joint_transform": symplectic_adjustment(1.0)}, True),
])
def test_bilinear_game_convergence(name, kw, converges):
    # On f = theta^T A psi, simultaneous GD spirals out (|x| grows by sqrt(1 + lr^2 s^2)
    # per step along each singular direction); the corrected dynamics converge to 0.
    lr = 0.1
    optimistic = kw.pop("optimistic", False)
    spec = OptimizerSpec("sgd", lr, optimistic=optimistic)
    p = players(g_opt=spec, d_opt=spec)
    step_xla(p, Method(loss=BILINEAR, simultaneous=True, **kw), n=600)
    norm = np.linalg.norm(np.concatenate(state(p)))
    start = np.linalg.norm(np.concatenate([THETA0, PSI0]))
    # theta's component in the null space of A^T is a fixed point of every rule here.
    null = np.linalg.svd(A.T)[2][-1]
    floor = abs(null @ THETA0)
    if converges:
        assert norm < floor + 1e-2, name
    else:
        assert norm > 2 * start, name


def test_joint_methods_reject_alternating_only_parts():
    with pytest.raises(ValueError, match="need simultaneous"):
        Method(loss=BILINEAR, extrapolate=True)
    with pytest.raises(ValueError, match="d_steps=1"):
        Method(loss=BILINEAR, simultaneous=True, d_steps=5)
