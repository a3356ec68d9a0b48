import numpy as np
import pytest
import tensorflow as tf

from methods.parts.losses import (
    hinge,
    least_squares,
    non_saturating,
    one_sided_label_smoothing,
    wasserstein,
)

REAL = np.array([[2.0], [-0.5], [0.3], [1.5]])
FAKE = np.array([[-1.2], [0.7], [-3.0], [0.1]])


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _losses(pair):
    d = float(pair.d_loss(tf.constant(REAL, tf.float32), tf.constant(FAKE, tf.float32)))
    g = float(pair.g_loss(tf.constant(FAKE, tf.float32)))
    return d, g


def test_hinge_formula():
    d, g = _losses(hinge)
    assert d == pytest.approx(np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean(),
                              rel=1e-6)
    assert g == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_least_squares_formula():
    d, g = _losses(least_squares)
    assert d == pytest.approx(0.5 * ((REAL - 1) ** 2).mean() + 0.5 * (FAKE**2).mean(), rel=1e-6)
    assert g == pytest.approx(0.5 * ((FAKE - 1) ** 2).mean(), rel=1e-6)


def test_wasserstein_formula():
    d, g = _losses(wasserstein)
    assert d == pytest.approx(FAKE.mean() - REAL.mean(), rel=1e-6)
    assert g == pytest.approx(-FAKE.mean(), rel=1e-6)
    assert wasserstein.probability is None


def test_label_smoothing_uses_real_target_09():
    pair = one_sided_label_smoothing()
    d, g = _losses(pair)
    p_real, p_fake = _sigmoid(REAL), _sigmoid(FAKE)
    expected = (-(0.9 * np.log(p_real) + 0.1 * np.log(1 - p_real)).mean()
                - np.log(1 - p_fake).mean())
    assert d == pytest.approx(expected, rel=1e-6)
    assert g == pytest.approx(_losses(non_saturating)[1], rel=1e-6)  # only D's target moves
    # The real term is minimized where D(x) = 0.9, i.e. at logit log(9), not at +infinity.
    logit = tf.Variable([[0.0]])
    for _ in range(500):
        with tf.GradientTape() as tape:
            loss = pair.d_loss(logit, tf.constant([[-30.0]]))
        logit.assign_sub(0.5 * tape.gradient(loss, logit))
    assert float(tf.sigmoid(logit)[0, 0]) == pytest.approx(0.9, abs=1e-3)


def test_label_smoothing_rejects_bad_target():
    with pytest.raises(ValueError, match="real_target"):
        one_sided_label_smoothing(1.5)
