"""Unrolled GAN: the generator's gradient flows through the discriminator's look-ahead."""

import numpy as np
import pytest
import tensorflow as tf

from benches import datasets
from benches.datasets.dirac import LinearDiscriminator, PointMassGenerator
from methods.parts.game import Players
from methods.parts.losses import LossPair, non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam, sgd
from methods.parts.unrolling import unrolled_generator_step

# G minimizes theta * psi, D minimizes -theta * psi (Dirac networks, data at 0).
BILINEAR = LossPair("bilinear", lambda real, fake: tf.reduce_mean(real) - tf.reduce_mean(fake),
                    lambda fake: tf.reduce_mean(fake), probability=None)


def dirac_players(d_opt, g_lr=0.1) -> Players:
    g, d = PointMassGenerator(), LinearDiscriminator()
    gp, dp = g.init(0), d.init(0)  # theta = psi = 1

    def draw(i):
        return tf.zeros([8, 1]), tf.zeros([8, 1])

    return Players(g, d, gp, dp, sgd(g_lr).create(gp, "g"), d_opt.create(dp, "d"), draw)


def g_gradient(p: Players, unroll_steps: int, loss=BILINEAR, g_lr=0.1) -> np.ndarray:
    before = [w.numpy() for w in p.g_params]
    unrolled_generator_step(unroll_steps)(p, Method(loss=loss))
    return np.concatenate([((b - w.numpy()) / g_lr).ravel()
                           for b, w in zip(before, p.g_params, strict=True)])


@pytest.mark.parametrize("k", [0, 1, 5])
def test_generator_gradient_through_sgd_lookahead_matches_closed_form(k):
    # K SGD steps of D give psi_K = psi + K eta theta, so d/dtheta [theta psi_K] =
    # psi + 2 K eta theta = 1 + 2 K eta at theta = psi = 1; without unrolling it is psi.
    eta = 0.2
    grad = g_gradient(dirac_players(sgd(eta)), k)
    assert grad[0] == pytest.approx(1.0 + 2 * k * eta, rel=1e-5)


def test_gradient_through_adam_lookahead_matches_numpy_finite_differences():
    lr, b1, b2, eps, k = 0.05, 0.5, 0.999, 1e-8, 5
    p = dirac_players(adam(lr, b1, b2))
    warm = tf.constant([[0.3]])
    p.d_opt.apply([warm])  # non-trivial optimizer state: t = 1, m, v != 0
    psi0, m0, v0 = p.d_params[0].numpy().item(), p.d_opt.base_state[0][0].numpy().item(), \
        p.d_opt.base_state[1][0].numpy().item()

    def g_loss(theta: float) -> float:
        psi, m, v = psi0, m0, v0
        for t in range(2, k + 2):
            g = -theta  # d(-theta psi)/d psi
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            psi += -lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        return theta * psi

    h = 1e-4
    expected = (g_loss(1.0 + h) - g_loss(1.0 - h)) / (2 * h)
    assert g_gradient(p, k)[0] == pytest.approx(expected, rel=1e-3)
    assert abs(expected - psi0) > 0.1  # differs from the non-unrolled gradient (psi)


def test_discriminator_and_its_optimizer_are_untouched_by_the_lookahead():
    p = dirac_players(adam(0.05, 0.5))
    p.d_opt.apply([tf.constant([[0.3]])])
    d_state = [v.numpy().copy() for v in [*p.d_params, *p.d_opt.variables]]
    step = tf.function(jit_compile=True)(
        lambda: unrolled_generator_step(5)(p, Method(loss=BILINEAR)))
    step()
    for before, var in zip(d_state, [*p.d_params, *p.d_opt.variables], strict=True):
        np.testing.assert_array_equal(var.numpy(), before)
    assert p.g_params[0].numpy()[0] != 1.0  # the generator did move


def test_mlp_generator_gradient_changes_with_unrolling():
    ds = datasets.get("ring8")
    g_net, d_net = ds.networks()
    grads = {}
    for k in (0, 5):
        gp, dp = g_net.init(0), d_net.init(1)

        def draw(i):
            seed = tf.stack([tf.constant(7, tf.int64), tf.cast(i, tf.int64)])
            return ds.sample_real(seed, 64), tf.random.stateless_normal([64, 2], seed)

        p = Players(g_net, d_net, gp, dp, sgd(1.0).create(gp, "g"),
                    adam(1e-3, 0.5).create(dp, "d"), draw)
        if k == 0:  # the ordinary non-saturating generator gradient, computed directly
            with tf.GradientTape() as tape:
                loss = non_saturating.g_loss(d_net.apply(dp, g_net.apply(gp, draw(0)[1])))
            plain = np.concatenate([g.numpy().ravel() for g in tape.gradient(loss, gp)])
        grads[k] = g_gradient(p, k, loss=non_saturating, g_lr=1.0)
    np.testing.assert_allclose(grads[0], plain, rtol=1e-4, atol=1e-7)
    assert np.linalg.norm(grads[5] - grads[0]) > 1e-3 * np.linalg.norm(grads[0])
