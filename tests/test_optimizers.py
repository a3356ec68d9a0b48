"""Optimizers as composable update rules: each rule against a float64 hand computation."""

import numpy as np
import pytest
import tensorflow as tf

from methods.parts.optimizers import OptimizerSpec, adam, rmsprop, sgd

GRADS = [np.array([0.3, -1.2]), np.array([[2.0]])]


def apply_twice(spec: OptimizerSpec, schedule=None) -> list[np.ndarray]:
    params = [tf.Variable(np.ones_like(g, np.float32)) for g in GRADS]
    opt = spec.create(params, "opt", schedule)
    for scale in (1.0, -0.5):
        opt.apply([tf.constant(scale * g, tf.float32) for g in GRADS])
    return [p.numpy() for p in params]


def test_adam_matches_kingma_and_ba_algorithm_1():
    lr, b1, b2, eps = 0.01, 0.5, 0.9, 1e-8
    expected = []
    for g in GRADS:
        p, m, v = np.ones_like(g), 0.0, 0.0
        for t, scale in ((1, 1.0), (2, -0.5)):
            m = b1 * m + (1 - b1) * scale * g
            v = b2 * v + (1 - b2) * (scale * g) ** 2
            p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        expected.append(p)
    for got, want in zip(apply_twice(adam(lr, b1, b2)), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_rmsprop_matches_hand_computation():
    lr, rho = 0.01, 0.9
    for got, g in zip(apply_twice(rmsprop(lr, rho)), GRADS, strict=True):
        v1 = (1 - rho) * g**2
        p = 1 - lr * g / (np.sqrt(v1) + 1e-8)
        v2 = rho * v1 + (1 - rho) * (0.5 * g) ** 2
        np.testing.assert_allclose(got, p + lr * 0.5 * g / (np.sqrt(v2) + 1e-8), rtol=1e-5)


def test_schedule_scales_each_step_before_optimism():
    factor = tf.Variable(0.5)
    spec = OptimizerSpec("sgd", 0.1, optimistic=True)
    params = [tf.Variable(np.zeros(2, np.float32))]
    opt = spec.create(params, "opt", lambda: factor.read_value())
    opt.apply([tf.constant([1.0, 2.0])])  # delta_1 = -0.05 g; step 2 delta_1 - 0 = -0.1 g
    factor.assign(0.25)
    opt.apply([tf.constant([1.0, 2.0])])  # delta_2 = -0.025 g; step 2 delta_2 - delta_1 = 0
    np.testing.assert_allclose(params[0].numpy(), [-0.1, -0.2], rtol=1e-6)


def test_lookahead_rule_leaves_out_optimism_and_keeps_the_schedule():
    spec = sgd(0.1)
    opt = OptimizerSpec("sgd", 0.1, optimistic=True).create(
        [tf.Variable([0.0])], "opt", lambda: tf.constant(0.5))
    rule, state = opt.lookahead()
    deltas, _ = rule.update([tf.constant([2.0])], state, tf.constant(1.0))
    assert deltas[0].numpy() == pytest.approx(-0.1)  # 0.5 * -0.1 * 2, no optimism
    assert spec.rule().update([tf.constant([2.0])], ((),), 1.0)[0][0].numpy() == \
        pytest.approx(-0.2)


def test_unknown_kind_and_bad_learning_rate_are_errors():
    with pytest.raises(ValueError, match="unknown optimizer kind 'adagrad'; valid"):
        OptimizerSpec("adagrad", 0.1)
    with pytest.raises(ValueError, match="learning rate must be > 0"):
        sgd(-1.0)
