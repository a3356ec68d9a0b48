import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.train.trainer import Trainer
from methods.parts.constraints import clip_weights
from methods.parts.gradient_transforms import adaptive_clip, clip_global_norm

RNG = np.random.default_rng(0)


def tensors(*shapes, scale=1.0):
    return [tf.constant(RNG.normal(size=s) * scale, tf.float32) for s in shapes]


def global_norm(ts):
    return np.sqrt(sum((t.numpy().astype(np.float64) ** 2).sum() for t in ts))


def test_clip_global_norm_bounds_the_norm_and_keeps_direction():
    grads = tensors((4, 3), (3,), scale=10.0)
    clipped = clip_global_norm(1.0)(grads, [])
    assert global_norm(clipped) == pytest.approx(1.0, rel=1e-5)
    scale = clipped[0].numpy() / grads[0].numpy()
    np.testing.assert_allclose(scale, scale.flat[0], rtol=1e-5)


def test_clip_global_norm_leaves_small_gradients_alone():
    grads = tensors((4, 3), (3,), scale=0.01)
    for a, b in zip(clip_global_norm(1.0)(grads, []), grads, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def unit_norms(t):
    """Per output unit (last axis) for kernels, whole tensor otherwise, in float64."""
    t = t.astype(np.float64)
    if t.ndim >= 2:
        return np.linalg.norm(t.reshape(-1, t.shape[-1]), axis=0)
    return np.array([np.linalg.norm(t)])


def test_agc_bounds_every_units_gradient_to_weight_ratio():
    clip, eps = 0.01, 1e-3
    params = tensors((5, 4), (4,))
    params.append(tf.zeros([4]))  # zero weights: the eps floor applies
    grads = tensors((5, 4), (4,), (4,), scale=0.05)
    out = adaptive_clip(clip, eps, skip_output_layer=False)(grads, params)
    for g_new, g, w in zip(out, grads, params, strict=True):
        floor = np.maximum(unit_norms(w.numpy()), eps)
        ratio_new = unit_norms(g_new.numpy()) / floor
        assert (ratio_new <= clip * (1 + 1e-5)).all()
        was_small = unit_norms(g.numpy()) / floor <= clip
        np.testing.assert_allclose(ratio_new[was_small],
                                   (unit_norms(g.numpy()) / floor)[was_small], rtol=1e-6)


def test_agc_clips_units_independently():
    w = tf.constant(np.eye(2), tf.float32)
    g = tf.constant([[1.0, 0.001], [0.0, 0.0]])  # column 0 ratio 1, column 1 ratio 0.001
    out = adaptive_clip(0.01, skip_output_layer=False)([g], [w])[0].numpy()
    np.testing.assert_allclose(out[:, 0], [0.01, 0.0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 1], [0.001, 0.0], rtol=1e-6)


def numpy_agc(g, w, clip, eps):
    """Brock et al. 2021 eq. 3 per output unit, in float64."""
    g, w = g.astype(np.float64), w.astype(np.float64)
    g_norm, w_norm = unit_norms(g), np.maximum(unit_norms(w), eps)
    scale = np.where(g_norm > clip * w_norm, clip * w_norm / np.maximum(g_norm, 1e-6), 1.0)
    return g * scale  # broadcasts over the last (output) axis


def test_agc_clips_conv_kernels_per_output_channel():
    # HWIO kernel: one unit per output channel, norm over h, w and in (the old code took
    # one norm over the whole kernel).
    w = RNG.normal(size=(3, 3, 2, 4))
    g = RNG.normal(size=(3, 3, 2, 4)) * np.array([0.001, 0.05, 1.0, 0.02])
    out = adaptive_clip(0.01, skip_output_layer=False)(
        [tf.constant(g, tf.float32)], [tf.constant(w, tf.float32)])[0].numpy()
    expected = numpy_agc(g, w, 0.01, 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-9)
    clipped = unit_norms(g) > 0.01 * unit_norms(w)
    assert clipped.any() and not clipped.all()


def test_agc_leaves_each_players_output_layer_unclipped():
    # The mnist discriminator's parameters: conv0, conv1, then the output dense layer.
    from benches import datasets

    _, net = datasets.get("mnist").networks()
    params = net.init(0)
    grads = [tf.constant(RNG.normal(size=p.shape), tf.float32) for p in params]
    out = adaptive_clip(0.01)(grads, params)
    for i, (g_new, g, w) in enumerate(zip(out, grads, params, strict=True)):
        if i >= 4:  # dense kernel and bias: the output layer, as NFNets' classifier
            np.testing.assert_array_equal(g_new.numpy(), g.numpy())
        else:
            np.testing.assert_allclose(g_new.numpy(),
                                       numpy_agc(g.numpy(), w.numpy(), 0.01, 1e-3),
                                       rtol=1e-5, atol=1e-9)


def test_weight_clipping_keeps_every_weight_in_range():
    params = [tf.Variable(RNG.normal(size=(3, 3)).astype(np.float32))]
    clip_weights(0.05)(params)
    assert np.abs(params[0].numpy()).max() <= 0.05


def test_wgan_step_keeps_critic_weights_clipped():
    c = 0.01
    t = Trainer(methods.get("wgan").build(lr=1e-2, clip=c), datasets.get("ring8"), seed=0,
                batch_size=32, steps_per_call=2, xla=False)
    t.train_call()
    values = np.concatenate([p.numpy().ravel() for p in t.d_params])
    assert np.abs(values).max() <= c + 1e-7
    assert np.isclose(np.abs(values), c).mean() > 0.5  # the large step hit the bound
