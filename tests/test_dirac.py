"""Dirac-GAN (Mescheder et al. 2018): the protocol, one hand-computed step, and the finding."""

import math

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.run.cell import run_cell
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell
from benches.run.profiles import PROFILES
from benches.train.trainer import Trainer
from methods.parts.losses import minimax
from methods.parts.method import Method


def sigmoid(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


def test_players_start_at_one_and_distance_is_measured_from_the_parameters():
    ds = datasets.get("dirac")
    g, d = ds.networks()
    gp, dp = g.init(0), d.init(0)
    assert gp[0].numpy().tolist() == [1.0] and dp[0].numpy().tolist() == [[1.0]]
    x = g.apply(gp, tf.zeros([5, 1])).numpy()
    np.testing.assert_array_equal(x, np.ones([5, 1]))
    np.testing.assert_array_equal(d.apply(dp, tf.constant([[2.5]])).numpy(), [[2.5]])
    assert ds.evaluate(x) == {"theta": 1.0}
    assert ds.player_metrics(gp, dp) == {"psi": 1.0, "distance": pytest.approx(math.sqrt(2))}
    np.testing.assert_array_equal(ds.sample_real(tf.constant([0, 0], tf.int64), 3).numpy(),
                                  np.zeros([3, 1]))


def test_every_profile_has_the_500_step_protocol():
    for profile in PROFILES.values():
        assert profile["dirac"].steps == 500


def test_gradient_step_0_2_replaces_every_method_optimizer_but_keeps_optimism():
    ds = datasets.get("dirac")
    for name in ("nsgan", "consensus", "optimistic-adam"):
        method = methods.get(name).build()
        t = Trainer(method, ds, seed=0, batch_size=4, steps_per_call=1)
        for opt in (t.g_opt, t.d_opt):
            assert (opt.spec.kind, opt.spec.learning_rate) == ("sgd", 0.2)
            assert opt.spec.optimistic is method.g_optimizer.optimistic
    assert ds.describe()["optimizer"]["kind"] == "sgd"


def test_one_alternating_minimax_step_matches_hand_computation():
    # D (logit psi * x) minimizes softplus(-psi*0) + softplus(psi*theta):
    #   psi_1 = psi - 0.2 * sigmoid(psi*theta) * theta;
    # G minimizes -softplus(psi_1 * theta): theta_1 = theta + 0.2 * sigmoid(psi_1*theta) * psi_1.
    t = Trainer(Method(loss=minimax), datasets.get("dirac"), seed=0, batch_size=8,
                steps_per_call=1)
    t.train_call()
    psi1 = 1.0 - 0.2 * sigmoid(1.0)
    theta1 = 1.0 + 0.2 * sigmoid(psi1) * psi1
    assert t.d_params[0].numpy().item() == pytest.approx(psi1, rel=1e-6)
    assert t.g_params[0].numpy().item() == pytest.approx(theta1, rel=1e-6)


def train(method: Method, steps: int = 500) -> float:
    ds = datasets.get("dirac")
    t = Trainer(method, ds, seed=0, batch_size=8, steps_per_call=steps // 5)
    for _ in range(5):
        t.train_call()
    return ds.player_metrics(t.g_params, t.d_params)["distance"]


def zero_centred_r1(gamma: float):
    """Test-only R1 stand-in: gamma/2 * E|grad_x D(x_real)|^2 (Mescheder et al. 2018)."""

    def penalty(ctx) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(ctx.real)
            out = ctx.discriminator(ctx.real)
        grad = tape.gradient(out, ctx.real)
        return 0.5 * gamma * tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=1))

    return penalty


def test_unregularized_gan_does_not_converge_and_a_zero_centred_penalty_does():
    assert train(methods.get("gan").build()) >= 0.5       # circles the equilibrium
    assert train(methods.get("nsgan").build()) > 0.2      # sublinear at best
    assert train(Method(loss=minimax, d_regularizer=zero_centred_r1(0.3))) <= 0.05


def test_consensus_cell_converges_with_the_papers_weight_recorded():
    record = run_cell(plan_cell(Cell(MethodSpec("consensus"), "dirac", 0), "smoke"))
    assert record["status"] == "ok"
    family = record["method"]["family_settings"]
    assert (family["family"], family["values"]) == ("dirac", {"gamma": 1.0})
    assert "DiracGAN.ipynb" in family["source"]
    assert record["method"]["hyperparameters"]["gamma"] == 1.0
    assert record["method"]["provenance"] == {"gamma": "family", "lr": "default"}
    assert record["dataset"]["optimizer"]["learning_rate"] == 0.2
    assert record["metrics"]["distance"] <= 0.05
    history = record["history"]
    assert len(history) == 50 and history[-1]["step"] == 500
    assert {"theta", "psi", "distance"} <= set(history[0])
    assert history[0]["distance"] == pytest.approx(
        math.hypot(history[0]["theta"], history[0]["psi"]), rel=1e-6)


def test_dirac_settings_keep_the_papers_finding():
    # Mescheder et al. 2018, Figure 3: unregularized GAN, WGAN and WGAN-GP do not
    # converge; R1, R2 and consensus do, each with its Dirac-GAN family settings.
    dist = {}
    for name in ("wgan", "wgan-gp", "r1", "r2"):
        hp = methods.get(name).resolve("dirac").hyperparameters
        dist[name] = train(methods.get(name).build(**hp))
    assert dist["wgan"] >= 0.5 and dist["wgan-gp"] >= 0.3, dist
    assert dist["r1"] <= 0.05 and dist["r2"] <= 0.05, dist
