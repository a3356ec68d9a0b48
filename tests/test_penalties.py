import numpy as np
import pytest
import tensorflow as tf

from benches.train.trainer import DiscriminatorContext
from methods.parts.penalties import (
    LECAM_STATE,
    dragan_penalty,
    dragan_points,
    gradient_penalty,
    interpolates,
    lecam_regularizer,
    lipschitz_penalty,
    r1_penalty,
    r2_penalty,
)

RNG = np.random.default_rng(0)
REAL = RNG.normal(size=(32, 3)).astype(np.float32)
FAKE = (RNG.normal(size=(32, 3)) + 2.0).astype(np.float32)
SEED = tf.constant([7, 11], tf.int64)
A = np.array([0.5, -1.5, 2.0])  # D(x) = sum_i a_i x_i^2, grad D(x) = 2 a * x


def ctx(d, **kw):
    return DiscriminatorContext(d, [], tf.constant(REAL), tf.constant(FAKE), SEED,
                                tf.constant(0, tf.int64), **kw)


def quadratic(x):
    return tf.reduce_sum(tf.constant(A, tf.float32) * tf.square(x), axis=1, keepdims=True)


def half_square(x):  # grad = x
    return 0.5 * tf.reduce_sum(tf.square(x), axis=1, keepdims=True)


def test_gradient_penalty_of_linear_critic_is_closed_form():
    w = tf.Variable([[3.0], [-1.0], [0.5]])
    lam = 10.0
    with tf.GradientTape() as tape:
        gp = gradient_penalty(lam)(ctx(lambda x: x @ w + 4.0))
    norm = np.linalg.norm(w.numpy())
    assert float(gp) == pytest.approx(lam * (norm - 1) ** 2, rel=1e-5)
    # double backprop: d/dw lam (||w|| - 1)^2 = 2 lam (||w|| - 1) w / ||w||
    expected = 2 * lam * (norm - 1) * w.numpy() / norm
    np.testing.assert_allclose(tape.gradient(gp, w).numpy(), expected, rtol=1e-4)


def test_gradient_penalty_target():
    w = tf.constant([[0.6], [0.8], [0.0]])  # ||w|| = 1
    assert float(gradient_penalty(0.7, target=1.0)(ctx(lambda x: x @ w))) == pytest.approx(
        0.0, abs=1e-6)
    assert float(gradient_penalty(0.7, target=3.0)(ctx(lambda x: x @ w))) == pytest.approx(
        0.7 * 4.0, rel=1e-5)


def test_interpolates_lie_on_the_segments():
    x_hat = interpolates(tf.constant(REAL), tf.constant(FAKE), SEED).numpy().astype(np.float64)
    eps = (x_hat - FAKE)[:, 0] / (REAL - FAKE)[:, 0]
    np.testing.assert_allclose(x_hat, eps[:, None] * REAL + (1 - eps[:, None]) * FAKE, atol=1e-5)
    assert (eps >= 0).all() and (eps <= 1).all() and eps.std() > 0.1


@pytest.mark.parametrize("which,points", [(r1_penalty, REAL), (r2_penalty, FAKE)])
def test_r1_r2_equal_hand_computed_value(which, points):
    gamma = 0.3
    grad = 2 * A * points.astype(np.float64)
    expected = gamma / 2 * (grad**2).sum(1).mean()
    assert float(which(gamma)(ctx(quadratic))) == pytest.approx(expected, rel=1e-5)


def test_wgan_lp_is_one_sided_and_matches_hand_computation():
    x_hat = interpolates(tf.constant(REAL), tf.constant(FAKE), SEED).numpy().astype(np.float64)
    norms = np.linalg.norm(x_hat, axis=1)  # grad of 0.5||x||^2 is x
    assert (norms < 1).any() and (norms > 1).any()
    expected = 10.0 * (np.maximum(norms - 1, 0) ** 2).mean()
    assert float(lipschitz_penalty(10.0)(ctx(half_square))) == pytest.approx(expected, rel=1e-5)
    flat = tf.constant([[0.3], [0.4], [0.0]])  # slope 0.5 < 1: no penalty at all
    assert float(lipschitz_penalty(10.0)(ctx(lambda x: x @ flat))) == 0.0


def test_dragan_points_perturb_real_data_within_the_declared_scale():
    pts = dragan_points(tf.constant(REAL), SEED, 0.5).numpy()
    delta = pts - REAL
    bound = 0.5 * REAL.std()
    assert (delta >= -1e-6).all() and (delta <= bound + 1e-6).all()
    assert delta.max() > 0.5 * bound


def test_dragan_penalty_matches_hand_computation():
    pts = dragan_points(tf.constant(REAL), SEED, 0.5).numpy().astype(np.float64)
    expected = 10.0 * ((np.linalg.norm(pts, axis=1) - 1.0) ** 2).mean()
    assert float(dragan_penalty(10.0)(ctx(half_square))) == pytest.approx(expected, rel=1e-5)


def test_lecam_matches_the_reference_relu_form_with_warm_up_anchors():
    # google/lecam-gan: relu(D(x) - a_F)^2 + relu(a_R - D(G(z)))^2; anchors are EMAs
    # with decay 0 while itr < start, and the penalty is on once itr > start
    # (itr = step + 1, the generator iteration).
    weight, decay, start = 0.3, 0.9, 2
    state = {k: tf.Variable(v) for k, v in LECAM_STATE.items()}
    reg = lecam_regularizer(weight, decay, start)
    ema_r = ema_f = 0.0
    rng = np.random.default_rng(5)
    for step in range(5):
        real_out = (rng.normal(size=(16, 1)) + 0.2).astype(np.float32)
        fake_out = (rng.normal(size=(16, 1)) - 0.2).astype(np.float32)
        c = DiscriminatorContext(half_square, [], tf.constant(REAL), tf.constant(FAKE), SEED,
                                 tf.constant(step, tf.int64), tf.constant(real_out),
                                 tf.constant(fake_out), state)
        value = float(reg(c))
        itr = step + 1
        d = 0.0 if itr < start else decay
        ema_r = d * ema_r + (1 - d) * real_out.astype(np.float64).mean()
        ema_f = d * ema_f + (1 - d) * fake_out.astype(np.float64).mean()
        penalty = ((np.maximum(real_out - ema_f, 0) ** 2).mean()
                   + (np.maximum(ema_r - fake_out, 0) ** 2).mean())
        expected = weight * penalty if itr > start else 0.0
        assert value == pytest.approx(expected, rel=1e-5, abs=1e-7), step
        assert float(state["ema_real"]) == pytest.approx(ema_r, rel=1e-5)
        assert float(state["ema_fake"]) == pytest.approx(ema_f, rel=1e-5)
        if itr > start:
            # One-sided: real outputs below a_F and fake outputs above a_R cost nothing.
            assert (real_out < ema_f).any() and (fake_out > ema_r).any()
            two_sided = ((real_out - ema_f) ** 2).mean() + ((fake_out - ema_r) ** 2).mean()
            assert value < weight * two_sided


def test_lecam_rejects_bad_settings():
    with pytest.raises(ValueError, match="decay"):
        lecam_regularizer(0.3, 1.0)
    with pytest.raises(ValueError, match="start"):
        lecam_regularizer(0.3, 0.9, -1)


def test_r1_r2_default_weight_reproduces_the_reference_codes_reg_param_10():
    # LMescheder/GAN_stability adds reg_param * E||grad D||^2 (no 1/2) with reg_param 10;
    # ours is gamma/2 * E||grad D||^2, so the default gamma must be 20.
    import methods

    for which, name, points in ((r1_penalty, "r1", REAL), (r2_penalty, "r2", FAKE)):
        gamma = methods.get(name).defaults["gamma"]
        grad = 2 * A * points.astype(np.float64)
        reference = 10.0 * (grad**2).sum(1).mean()
        assert float(which(gamma)(ctx(quadratic))) == pytest.approx(reference, rel=1e-5), name


def test_dirac_wgan_gp_weight_gives_the_notebooks_vector_field():
    # Mescheder et al.'s DiracGAN notebook: WGAN_GP(reg=0.7, g0=1) moves psi along
    # -reg * (|psi| - g0) * sign(psi) from the penalty, i.e. penalty (reg/2)(|psi|-1)^2.
    # Our penalty weight * (||grad D|| - 1)^2 must therefore use weight 0.35 on Dirac.
    import methods

    hp = methods.get("wgan-gp").resolve("dirac").hyperparameters
    for psi0 in (1.5, -0.4, 0.8):
        psi = tf.Variable([[psi0]])
        c = DiscriminatorContext(lambda x, psi=psi: x @ psi, [], tf.zeros([8, 1]),
                                 tf.ones([8, 1]),
                                 SEED, tf.constant(0, tf.int64))
        with tf.GradientTape() as tape:
            value = gradient_penalty(hp["penalty_weight"], hp["target"])(c)
        notebook = 0.7 * (abs(psi0) - 1.0) * np.sign(psi0)
        assert float(tape.gradient(value, psi)[0, 0]) == pytest.approx(notebook, rel=1e-4)
