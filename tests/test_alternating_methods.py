"""Mechanism tests of the alternating-update methods that need the trainer or the registry."""

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.train.trainer import Trainer
from methods.parts.noise import InstanceNoise
from methods.parts.packing import pack_samples

ALTERNATING = ["wgan", "lsgan", "hinge", "wgan-gp", "dragan", "r1", "r2", "wgan-lp", "sngan",
               "gn-gan", "grad-clip", "agc", "ttur", "instance-noise", "label-smoothing",
               "lecam", "pacgan"]


def trainer(name, batch_size=32, steps_per_call=2, xla=False, **hp):
    # Mechanism tests skip XLA (compiling dominates their cost); the smoke test uses it.
    return Trainer(methods.get(name).build(**hp), datasets.get("ring8"), seed=0,
                   batch_size=batch_size, steps_per_call=steps_per_call, xla=xla)


def test_every_method_cites_an_arxiv_paper_and_exposes_lr():
    for name in ALTERNATING:
        reg = methods.get(name)
        assert "arXiv:" in reg.paper and reg.summary, name
        assert "lr" in reg.defaults, name


def test_hyperparameter_names_datasets_prescribe():
    assert methods.get("wgan").defaults["clip"] == 0.01
    assert methods.get("wgan").defaults["critic_steps"] == 5
    assert methods.get("wgan").build().d_optimizer.kind == "rmsprop"
    gp = methods.get("wgan-gp").defaults
    assert (gp["penalty_weight"], gp["target"], gp["critic_steps"]) == (10.0, 1.0, 5)
    assert methods.get("instance-noise").build(std=0.7).input_noise.std == 0.7
    for name in ("r1", "r2"):
        # gamma/2 convention: 20 here is reg_param 10 in LMescheder/GAN_stability.
        assert methods.get(name).defaults["gamma"] == 20.0


def test_ttur_uses_the_two_paper_learning_rates():
    m = methods.get("ttur").build()
    assert m.g_optimizer.learning_rate == pytest.approx(1e-4)
    assert m.d_optimizer.learning_rate == pytest.approx(3e-4)


def test_pack_samples_puts_consecutive_samples_side_by_side():
    x = tf.reshape(tf.range(12.0), [6, 2])
    np.testing.assert_array_equal(pack_samples(x, 2).numpy(),
                                  [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    with pytest.raises(ValueError, match="packing 4"):
        pack_samples(x, 4)


@pytest.mark.parametrize("pack", [2, 3])
def test_pacgan_discriminator_receives_packed_inputs(pack):
    t = trainer("pacgan", pack=pack)
    assert t.d_params[0].shape == (2 * pack, 128)
    seen = []
    network = t.discriminator

    class Recording:
        layer_names = network.layer_names
        layer_of = staticmethod(network.layer_of)

        def apply(self, params, x):
            seen.append(tuple(x.shape))
            return network.apply(params, x)

    t.discriminator = Recording()
    t.train_call()
    # D step (real, fake) and G step: batch_size packs of width pack * 2 each time.
    assert seen and set(seen) == {(32, 2 * pack)}


def test_instance_noise_std_anneals_linearly():
    noise = InstanceNoise(0.7, anneal_steps=100)
    for step, std in [(0, 0.7), (25, 0.525), (50, 0.35), (100, 0.0), (400, 0.0)]:
        assert float(noise.std_at(tf.constant(step, tf.int64))) == pytest.approx(std, abs=1e-7)
    assert float(InstanceNoise(0.3).std_at(tf.constant(10**6))) == pytest.approx(0.3)
    x = tf.zeros([20000, 2])
    sample = noise(x, tf.constant([1, 2], tf.int64), tf.constant(50, tf.int64)).numpy()
    assert sample.std() == pytest.approx(0.35, rel=0.02)
    assert abs(sample.mean()) < 0.01


def test_instance_noise_reaches_the_discriminator():
    clean, noisy = trainer("nsgan", lr=1e-3), trainer("instance-noise", lr=1e-3, std=1.0)
    a, b = clean.train_call(), noisy.train_call()
    # Same seeds, same networks; only the noise on D's inputs differs.
    assert a["d_real"] != b["d_real"]


def test_lecam_emas_live_in_the_trainer_and_track_outputs():
    t = trainer("lecam", steps_per_call=5)
    t.train_call()
    ema = {k: float(v) for k, v in t.d_state.items()}
    assert set(ema) == {"ema_real", "ema_fake"}
    assert ema["ema_real"] != 0.0 and ema["ema_fake"] != 0.0


@pytest.mark.parametrize("name", ALTERNATING)
def test_method_trains_on_ring8_with_xla_without_nan(name):
    # One D step per step where the method allows it: XLA compile time grows with the
    # unrolled D steps, and the multi-step path is the same code run again.
    fewer = {k: 1 for k in ("critic_steps", "d_steps") if k in methods.get(name).defaults}
    t = trainer(name, batch_size=16, steps_per_call=2, xla=True, **fewer)
    assert t.xla
    stats = t.train_call()  # raises Diverged on NaN/Inf
    assert all(np.isfinite(v) for v in stats.values())
    assert int(t.step.numpy()) == 2


@pytest.mark.parametrize("name", ["sngan", "instance-noise"])
def test_stateful_and_noisy_steps_agree_with_and_without_xla(name):
    # Power-iteration state and instance noise must not depend on the backend. The
    # generator's stats are left out: Adam's first step is sign(g), so bias gradients
    # that are zero up to rounding flip D's weights by +-lr between backends.
    a = trainer(name, batch_size=16, steps_per_call=1, xla=True, lr=1e-3)
    b = trainer(name, batch_size=16, steps_per_call=1, xla=False, lr=1e-3)
    sa, sb = a.train_call(), b.train_call()
    for k in ("d_loss", "d_grad_norm", "d_real", "d_fake"):
        assert sa[k] == pytest.approx(sb[k], rel=1e-5, abs=1e-7), k
    if a.d_wrapped is not None:
        for ua, ub in zip(a.d_wrapped.variables, b.d_wrapped.variables, strict=True):
            np.testing.assert_allclose(ua.numpy(), ub.numpy(), atol=1e-6)


def test_image_packing_stacks_samples_along_channels():
    from methods.parts.packing import pack_samples

    x = tf.reshape(tf.range(4 * 2 * 2 * 3, dtype=tf.float32), [4, 2, 2, 3])
    packed = pack_samples(x, 2).numpy()
    assert packed.shape == (2, 2, 2, 6)
    np.testing.assert_array_equal(packed[1, :, :, :3], x.numpy()[2])
    np.testing.assert_array_equal(packed[1, :, :, 3:], x.numpy()[3])
