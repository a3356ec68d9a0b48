"""The registered XlaDynamicUpdateSlice gradient, and third derivatives through tf.pad."""

import numpy as np
import tensorflow as tf
from tensorflow.compiler.tf2xla.ops import gen_xla_ops

from benches.train import xla_gradients  # noqa: F401  (registers the gradient)

GEN = np.random.default_rng(0)


@tf.function(jit_compile=True)
def update_slice_gradients(operand, update, weights):
    with tf.GradientTape() as tape:
        tape.watch([operand, update])
        out = gen_xla_ops.xla_dynamic_update_slice(operand, update, tf.constant([1, 2]))
        loss = tf.reduce_sum(weights * out)
    return tape.gradient(loss, [operand, update])


def test_update_slice_gradient_is_the_window_split():
    operand, weights = GEN.normal(size=(4, 6)), GEN.normal(size=(4, 6))
    update = GEN.normal(size=(2, 3))
    d_operand, d_update = update_slice_gradients(
        *(tf.constant(a, tf.float32) for a in (operand, update, weights)))
    outside = weights.copy()
    outside[1:3, 2:5] = 0.0
    np.testing.assert_allclose(d_operand.numpy(), outside, rtol=1e-6)
    np.testing.assert_allclose(d_update.numpy(), weights[1:3, 2:5], rtol=1e-6)


@tf.function(jit_compile=True)
def third_derivative(x, c, r):
    """d/dx <r, H(x) sin(x)> for f(x) = sum(c * pad(x)**3), in an XLA loop like the trainer's."""
    out = tf.zeros_like(x)
    for _ in tf.range(1):  # the trainer's loop body: where TF emits XlaDynamicUpdateSlice
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as middle:
                middle.watch(x)
                with tf.GradientTape() as inner:
                    inner.watch(x)
                    f = tf.reduce_sum(c * tf.pad(x, [[1, 2], [3, 0]]) ** 3)
                grad = inner.gradient(f, x)
            hvp = middle.gradient(grad, x, output_gradients=tf.sin(x))
            g = tf.reduce_sum(r * hvp)
        out = outer.gradient(g, x)
    return out


def test_third_derivative_through_pad_matches_closed_form():
    x, r, c = GEN.normal(size=(4, 5)), GEN.normal(size=(4, 5)), GEN.normal(size=(7, 8))
    got = third_derivative(*(tf.constant(a, tf.float32) for a in (x, c, r)))
    # f = sum_i c'_i x_i^3 with c' the interior of c: <r, H sin x> = sum 6 c' x sin(x) r.
    expected = 6.0 * c[1:5, 3:8] * r * (np.sin(x) + x * np.cos(x))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-4, atol=1e-5)
