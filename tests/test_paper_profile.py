"""The ``paper`` profile: PacGAN's 2D networks and protocol (Lin et al. 2018)."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.run import profiles
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell
from benches.train.networks import BatchNormMLP, MaxoutMLP
from benches.train.trainer import Trainer


def test_maxout_layer_is_the_max_over_each_units_pieces():
    net = MaxoutMLP(2, (3,), 1, name="d", pieces=4)
    params = net.init(0)
    x = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    k0, b0, k1, b1 = (p.numpy().astype(np.float64) for p in params)
    pre = (x @ k0 + b0).reshape(2, 3, 4)  # unit-major, as Blocks' Maxout reshapes
    want = pre.max(axis=-1) @ k1 + b1
    np.testing.assert_allclose(net.apply(params, tf.constant(x)), want, rtol=1e-5, atol=1e-7)
    assert [p.shape for p in params] == [(2, 12), (12,), (3, 1), (1,)]
    assert net.widened(3).init(0)[0].shape == (6, 12)
    assert [net.layer_of(i) for i in range(4)] == ["dense0", "dense0", "dense1", "dense1"]


def test_batch_norm_generator_normalizes_each_hidden_layer_over_the_batch():
    net = BatchNormMLP(2, (5, 4), 2, name="g")
    params = net.init(1)
    z = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    h = z.astype(np.float64)
    for i in range(2):
        kernel, gamma, beta = (p.numpy().astype(np.float64) for p in params[3 * i:3 * i + 3])
        a = h @ kernel  # no bias: batch norm's beta takes its place
        a = (a - a.mean(0)) / np.sqrt(a.var(0) + 1e-5) * gamma + beta
        h = np.maximum(a, 0.0)
    want = h @ params[-2].numpy() + params[-1].numpy()
    np.testing.assert_allclose(net.apply(params, tf.constant(z)), want, rtol=1e-4, atol=1e-5)
    assert [net.layer_of(i) for i in range(len(params))] == ["dense0"] * 3 + ["dense1"] * 3 + [
        "dense2"] * 2


def test_paper_profile_trains_pacgans_networks_on_the_mixtures():
    plan = plan_cell(Cell(MethodSpec("pacgan"), "grid25", 0), "paper")
    assert (plan.schedule.steps, plan.schedule.batch_size, plan.schedule.eval_samples,
            plan.schedule.seeds) == (400_000, 100, 2500, 10)
    assert plan.settings["networks"] == "pacgan"
    trainer = Trainer(methods.get("pacgan").build(**plan.hyperparameters),
                      datasets.get("grid25"), seed=0,
                      batch_size=plan.schedule.batch_size, steps_per_call=2,
                      architecture=plan.schedule.networks)
    assert isinstance(trainer.generator, BatchNormMLP)
    assert [p.shape for p in trainer.g_params][:3] == [(2, 400), (400,), (400,)]
    pack = plan.hyperparameters["pack"]
    assert trainer.d_params[0].shape == (2 * pack, 1000)  # 200 units x 5 pieces, packed
    stats = trainer.train_call()
    assert all(np.isfinite(v) for v in stats.values())


def test_default_networks_leave_the_settings_of_earlier_records_unchanged():
    plan = plan_cell(Cell(MethodSpec("nsgan"), "ring8", 0), "quick")
    assert "networks" not in plan.settings and plan.schedule.networks == "default"


def test_a_profile_asking_for_networks_a_dataset_lacks_is_refused(monkeypatch):
    image = dataclasses.replace(profiles.PROFILES["paper"]["image"], networks="pacgan")
    monkeypatch.setitem(profiles.PROFILES["paper"], "image", image)
    with pytest.raises(ValueError, match="mnist does not have; it has: default"):
        plan_cell(Cell(MethodSpec("nsgan"), "mnist", 0), "paper")
