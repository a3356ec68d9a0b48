"""RaSGAN (Jolicoeur-Martineau 2018, arXiv:1807.00734): losses against numpy, every path."""

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.train.trainer import Trainer
from methods.parts.game import Players, simultaneous_step
from methods.parts.losses import relativistic_average
from methods.parts.method import Method
from methods.parts.optimizers import sgd
from methods.parts.unrolling import unrolled_generator_step

REAL = np.array([[2.0], [-0.5], [0.3], [1.5]])
FAKE = np.array([[-1.2], [0.7], [-3.0], [0.1], [0.4]])


def softplus(x):
    return np.logaddexp(0.0, x)


def numpy_losses(real, fake):
    """The reference's loss_D 6 / its G loss, with BCE-with-logits written out."""
    real_rel, fake_rel = real - fake.mean(), fake - real.mean()
    d = 0.5 * (softplus(-real_rel).mean() + softplus(fake_rel).mean())
    g = 0.5 * (softplus(real_rel).mean() + softplus(-fake_rel).mean())
    return d, g


def tf_losses(real, fake):
    r, f = tf.constant(real, tf.float32), tf.constant(fake, tf.float32)
    return (float(relativistic_average.d_loss(r, f)),
            float(relativistic_average.generator_loss(lambda: r, f)))


def test_losses_match_numpy():
    d, g = tf_losses(REAL, FAKE)
    d_ref, g_ref = numpy_losses(REAL, FAKE)
    assert d == pytest.approx(d_ref, abs=1e-5)
    assert g == pytest.approx(g_ref, abs=1e-5)
    # The losses are mirror images: swapping the roles of real and fake swaps them.
    assert tf_losses(FAKE, REAL) == pytest.approx((g, d), abs=1e-6)


def test_gradients_flow_through_the_batch_means():
    # Not detached: each output's gradient includes its share of the other batch's mean.
    r, f = tf.constant(REAL, tf.float32), tf.constant(FAKE, tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([r, f])
        d = relativistic_average.d_loss(r, f)
        g = relativistic_average.generator_loss(lambda: r, f)
    h = 1e-6
    for loss, which in ((d, 0), (g, 1)):
        for x, name in ((r, "real"), (f, "fake")):
            base = [REAL.copy(), FAKE.copy()]
            arr = base[0] if name == "real" else base[1]
            fd = np.zeros_like(arr)
            for i in range(arr.shape[0]):
                arr[i] += h
                up = numpy_losses(*base)[which]
                arr[i] -= 2 * h
                down = numpy_losses(*base)[which]
                arr[i] += h
                fd[i] = (up - down) / (2 * h)
            np.testing.assert_allclose(tape.gradient(loss, x).numpy(), fd, atol=1e-5)


def test_the_generator_loss_needs_real_outputs():
    with pytest.raises(ValueError, match="needs D's outputs on real samples"):
        relativistic_average.generator_loss(None, tf.zeros([2, 1]))


def test_registration_cites_the_paper_and_has_no_custom_step():
    reg = methods.get("ragan")
    assert "arXiv:1807.00734" in reg.paper and "AlexiaJM/RelativisticGAN" in \
        reg.factory.__doc__
    m = reg.build()
    assert m.loss is relativistic_average and m.g_step is None and not m.simultaneous
    assert (m.d_optimizer.learning_rate, m.d_steps) == (2e-4, 1)


@pytest.mark.parametrize("dataset", ["ring8", "dirac"])
def test_training_step_runs_under_xla(dataset):
    t = Trainer(methods.get("ragan").build(), datasets.get(dataset), seed=0, batch_size=16,
                steps_per_call=2, xla=True)
    assert t.xla
    stats = t.train_call()  # raises Diverged on NaN/Inf
    assert all(np.isfinite(v) for v in stats.values())
    assert int(t.step.numpy()) == 2 and stats["g_grad_norm"] > 0


def expected_g_gradient(g_net, d_net, gp, dp, real, z) -> np.ndarray:
    with tf.GradientTape() as tape:
        fake_out = d_net.apply(dp, g_net.apply(gp, z))
        loss = relativistic_average.g_loss(d_net.apply(dp, real), fake_out)
    return np.concatenate([g.numpy().ravel() for g in tape.gradient(loss, gp)])


def moved(before, params) -> np.ndarray:  # SGD(1): the applied gradient
    return np.concatenate([(b - p.numpy()).ravel() for b, p in zip(before, params, strict=True)])


@pytest.mark.parametrize("path", ["joint", "unrolled"])
def test_joint_and_unrolled_paths_give_the_generator_d_on_real_data(path):
    ds = datasets.get("ring8")
    g_net, d_net = ds.networks()
    gp, dp = g_net.init(0), d_net.init(1)
    real = ds.sample_real(tf.constant([1, 2], tf.int64), 32)
    z = tf.random.stateless_normal([32, 2], [3, 4])
    p = Players(g_net, d_net, gp, dp, sgd(1.0).create(gp, "g"), sgd(1.0).create(dp, "d"),
                lambda i: (real, z))
    expected = expected_g_gradient(g_net, d_net, gp, dp, real, z)
    before = [w.numpy() for w in gp]
    if path == "joint":
        simultaneous_step(p, Method(loss=relativistic_average, simultaneous=True))
    else:
        unrolled_generator_step(0)(p, Method(loss=relativistic_average))
    np.testing.assert_allclose(moved(before, gp), expected, rtol=1e-4, atol=1e-7)


def test_alternating_generator_step_draws_its_own_real_batch():
    # Streams 60 (real data) and 63 (latents) of the step, as trainer.py documents.
    t = Trainer(Method(loss=relativistic_average, g_optimizer=sgd(1.0)), datasets.get("ring8"),
                seed=3, batch_size=16, steps_per_call=1, xla=False)
    real = t.dataset.sample_real(t._seed(60), 16)
    z = t._latent(63)
    expected = expected_g_gradient(t.generator, t.discriminator, t.g_params, t.d_params, real, z)
    before = [w.numpy() for w in t.g_params]
    t._g_update()
    np.testing.assert_allclose(moved(before, t.g_params), expected, rtol=1e-4, atol=1e-7)
