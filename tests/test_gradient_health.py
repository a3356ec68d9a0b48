import math

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.run.cell import run_cell
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell
from benches.train.networks import MLP
from benches.train.trainer import Trainer
from methods.parts.gradient_norms import layer_norms
from methods.parts.losses import minimax, non_saturating
from methods.parts.method import Method
from metrics.gradient_health import DEFAULT, LABELS, assess


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def dirac_log(theta, psi, steps):
    """The series the trainer logs for a Dirac-GAN (Mescheder et al. 2018) at (theta, psi):
    G(z) = theta, D(x) = sigmoid(psi * x), real data at 0, non-saturating G loss."""
    theta, psi = np.asarray(theta, float), np.asarray(psi, float)
    return {"step": list(steps),
            "g_grad_norm": list(np.abs(psi) * sigmoid(-psi * theta)),
            "d_grad_norm": list(np.abs(theta) * sigmoid(psi * theta)),
            "d_real": [0.5] * len(theta), "d_fake": list(sigmoid(psi * theta))}


def simulate_dirac(gamma, lr=0.1, steps=5000, every=50):
    """Alternating gradient descent on the Dirac-GAN in float64, with R1 weight ``gamma``
    (R1 = gamma/2 * E|grad_x D|^2 = gamma/2 * psi^2 at the real point)."""
    theta = psi = 1.0
    thetas, psis = [], []
    for step in range(1, steps + 1):
        psi -= lr * (theta * sigmoid(psi * theta) + gamma * psi)
        theta -= lr * (-psi * sigmoid(-psi * theta))
        if step % every == 0:
            thetas.append(theta)
            psis.append(psi)
    return dirac_log(thetas, psis, range(every, steps + 1, every))


def test_layer_norms_match_float64_numpy():
    net = MLP(3, (5, 4), 2, name="n")
    params = net.init(7)
    x = tf.constant(np.random.default_rng(0).standard_normal((16, 3)), tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.sin(net.apply(params, x)))
    grads = tape.gradient(loss, params)
    norms = layer_norms(grads, net, "g")
    g64 = [g.numpy().astype(np.float64) for g in grads]
    for i in range(3):  # a dense layer's norm covers its kernel and its bias
        expected = math.sqrt((g64[2 * i] ** 2).sum() + (g64[2 * i + 1] ** 2).sum())
        assert float(norms[f"g_grad_norm/dense{i}"]) == pytest.approx(expected, rel=1e-5)
    assert set(norms) == {"g_grad_norm/dense0", "g_grad_norm/dense1", "g_grad_norm/dense2"}


def test_fractions_medians_and_saturation_by_hand():
    log = {"step": [10, 20, 30, 40, 50], "g_grad_norm": [1.0, 0.5, 0.005, 2000.0, 0.001],
           "d_real": [0.5, 0.995, 0.9, 0.6, 0.7], "d_fake": [0.5, 0.3, 0.005, 0.4, 0.3]}
    s = assess(log, probability=True)
    assert s["g_grad_norm_start"] == 1.0  # first ceil(10% of 5) = 1 value
    assert s["g_grad_norm_median"] == 0.5 and s["g_grad_norm_max"] == 2000.0
    assert s["vanishing_fraction"] == pytest.approx(2 / 5)  # 0.005 and 0.001 < 0.01
    # no step 0 logged: explosion is judged against the start level 1.0
    assert s["g_grad_norm_initial"] is None
    assert s["exploding_fraction"] == pytest.approx(1 / 5)  # 2000 > 1000
    assert s["saturation_fraction"] == pytest.approx(2 / 5)  # D(real) 0.995; D(fake) 0.005
    critic = assess(log, probability=False)
    assert critic["saturation_fraction"] is None


def test_damped_spiral_is_converged_and_constant_rotation_oscillating():
    t = np.arange(100)
    steps = range(100, 10_100, 100)
    spiral = dirac_log(np.exp(-t / 10) * np.cos(0.7 * t), np.exp(-t / 10) * np.sin(0.7 * t), steps)
    rotation = dirac_log(np.cos(0.7 * t), np.sin(0.7 * t), steps)
    assert assess(spiral, probability=True)["label"] == "converged"
    assert assess(rotation, probability=True)["label"] == "oscillating"


def test_dirac_gan_dynamics_unregularized_oscillate_and_r1_converges():
    # Mescheder et al. 2018 (arXiv:1801.04406), figure 1 / theorem 4.1: unregularized
    # gradient descent circles the equilibrium, R1 makes it converge.
    assert assess(simulate_dirac(gamma=0.0), probability=True)["label"] == "oscillating"
    assert assess(simulate_dirac(gamma=1.0), probability=True)["label"] == "converged"


def test_steady_noisy_equilibrium_is_converged():
    rng = np.random.default_rng(0)
    n = 50
    log = {"step": list(range(100, 100 * n + 1, 100)),
           "g_grad_norm": list(np.linspace(0.3, 6.0, n) * (1 + 0.2 * rng.standard_normal(n))),
           "d_real": list(0.52 + 0.003 * rng.standard_normal(n)),
           "d_fake": list(0.48 + 0.003 * rng.standard_normal(n))}
    assert assess(log, probability=True, mode_coverage=1.0)["label"] == "converged"


def decaying_log(d_real, d_fake, n=40):
    return {"step": list(range(10, 10 * n + 1, 10)), "g_grad_norm": list(np.logspace(0, -4, n)),
            "d_real": [d_real] * n, "d_fake": [d_fake] * n}


def test_vanished_needs_a_separating_discriminator():
    assert assess(decaying_log(0.999, 0.001), probability=True)["label"] == "vanished"
    # the same decay with D unable to tell real from fake is convergence, not starvation
    assert assess(decaying_log(0.5, 0.5), probability=True)["label"] == "converged"
    # critics: evidence comes from the dataset's mode metric
    assert assess(decaying_log(3.0, -3.0), probability=False,
                     mode_coverage=0.75)["label"] == "vanished"
    assert assess(decaying_log(3.0, -3.0), probability=False,
                     mode_coverage=1.0)["label"] == "converged"


def test_mode_collapse_uses_the_mode_metric():
    log = decaying_log(0.52, 0.48)
    log["g_grad_norm"] = [1.0] * 40
    assert assess(log, probability=True, mode_coverage=2 / 8)["label"] == "mode-collapsed"
    assert assess(log, probability=True, mode_coverage=4 / 8)["label"] == "converged"


def test_samples_off_the_data_are_low_quality_not_mode_collapsed():
    log = decaying_log(0.52, 0.48)
    log["g_grad_norm"] = [1.0] * 40
    # blurry samples spread over every mode: few high-quality samples, so few modes
    # captured by them, but the failure is quality, not missing mass
    blurry = assess(log, probability=True, mode_coverage=2 / 8, quality=0.05)
    assert blurry["label"] == "low-quality" and blurry["quality"] == 0.05
    collapsed = assess(log, probability=True, mode_coverage=2 / 8, quality=0.95)
    assert collapsed["label"] == "mode-collapsed"
    assert assess(log, probability=True, mode_coverage=1.0, quality=0.95)["label"] == "converged"


def test_blow_up_inside_the_first_call_is_judged_against_the_initial_norm():
    # nsgan at lr=1e3 on ring8: G's norm 0.04 at initialization, ~1e12 from the first
    # logged call on. The start level (largest of the first 10% of calls) is itself
    # blown up, so only the norm at step 0 reveals the explosion.
    n = 40
    log = {"step": [0, *range(50, 50 * n + 1, 50)],
           "g_grad_norm": [0.0379, *([1.5e12] * n)], "d_grad_norm": [0.372, *([0.0] * n)],
           "d_real": [0.5] * (n + 1), "d_fake": [0.5] * (n + 1)}
    s = assess(log, probability=True)
    assert (s["label"], s["label_step"]) == ("diverged", 50)
    assert s["g_grad_norm_initial"] == 0.0379 and s["d_grad_norm_initial"] == 0.372
    assert s["exploding_fraction"] == pytest.approx(n / (n + 1))


def test_nan_is_diverged_at_its_step():
    log = decaying_log(0.6, 0.4)
    log["g_loss"] = [0.7] * 40
    log["g_loss"][17] = math.nan
    s = assess(log, probability=True)
    assert (s["label"], s["label_step"]) == ("diverged", 180)


def test_unbounded_growth_is_diverged_where_it_passes_the_threshold():
    log = decaying_log(0.6, 0.4)
    log["g_grad_norm"] = list(2.0 ** np.arange(40))  # start 2^3 (max of first 4 of 40)
    s = assess(log, probability=True)
    first = int(np.argmax(2.0 ** np.arange(40) > DEFAULT.diverged * 8.0))
    assert (s["label"], s["label_step"]) == ("diverged", log["step"][first])
    assert s["exploding_fraction"] > 0


def test_status_diverged_wins_with_the_error_step():
    s = assess(decaying_log(0.5, 0.5), probability=True, diverged_step=1234)
    assert (s["label"], s["label_step"]) == ("diverged", 1234)
    empty = assess({}, probability=True, diverged_step=50)
    assert (empty["label_step"], empty["g_grad_norm_start"]) == (50, None)


def test_saturating_loss_vanishes_against_a_trained_discriminator():
    # Goodfellow et al. 2014 section 3; Arjovsky & Bottou 2017 (arXiv:1701.04862) thm 2.4.
    # G is fixed (a learning rate of 1e-30 leaves its weights unchanged in float32); D
    # learns to separate ring8 from G's samples.
    frozen_g = Method(loss=minimax, g_optimizer=methods.parts.optimizers.sgd(1e-30),
                      d_optimizer=methods.parts.optimizers.adam(3e-3, 0.5))
    t = Trainer(frozen_g, datasets.get("ring8"), seed=0, batch_size=64, steps_per_call=20)
    g_before = [p.numpy().copy() for p in t.g_params]
    log = {}
    for call in range(1, 21):
        stats = t.train_call()
        log.setdefault("step", []).append(20 * call)
        for k, v in stats.items():
            log.setdefault(k, []).append(v)
    for a, b in zip(g_before, t.g_params, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-6, atol=1e-20)
    z = tf.constant(np.random.default_rng(1).standard_normal((1024, 2)), tf.float32)

    def g_grad_norm(loss):
        with tf.GradientTape() as tape:
            out = loss.g_loss(t.discriminator.apply(t.d_params, t.generator.apply(t.g_params, z)))
        return float(tf.linalg.global_norm(tape.gradient(out, t.g_params)))

    saturating, non_saturating_ = g_grad_norm(minimax), g_grad_norm(non_saturating)
    assert saturating < 1e-2 * non_saturating_  # orders of magnitude smaller
    s = assess(log, probability=True)
    assert s["label"] == "vanished", s["reason"]
    assert s["saturation_fraction"] > 0.5


def test_cells_record_the_gradient_log_and_a_diverged_label(tmp_path):
    ok = run_cell(plan_cell(Cell(MethodSpec("nsgan"), "ring8", 0), "smoke", steps=100))
    log = ok["gradient_log"]
    assert log["step"] == [0, 50, 100]  # step 0: at the initial parameters
    assert all(len(v) == 3 and all(isinstance(x, float) for x in v)
               for k, v in log.items() if k != "step")
    assert {"g_grad_norm/dense0", "d_grad_norm/dense2", "d_real", "g_loss"} <= set(log)
    assert ok["gradient_health"]["label"] in LABELS
    assert "g_grad_norm/dense0" not in ok["metrics"]
    bad = run_cell(plan_cell(Cell(MethodSpec("nsgan", {"lr": 1e30}), "ring8", 0), "smoke",
                             steps=50))
    assert bad["status"] == "diverged"
    health = bad["gradient_health"]
    assert (health["label"], health["label_step"]) == ("diverged", bad["error"]["step"])


def _registered(dataset, method):
    return (dataset in {d.name for d in datasets.available()}
            and method in {r.name for r in methods.available()})


@pytest.mark.skipif(not _registered("dirac", "r1"),
                    reason="needs the dirac dataset and the r1 method (other branches)")
@pytest.mark.parametrize("method,label", [("nsgan", "oscillating"), ("r1", "converged")])
def test_dirac_gan_labels(method, label):
    record = run_cell(plan_cell(Cell(MethodSpec(method), "dirac", 0), "quick"))
    assert record["status"] == "ok"
    assert record["gradient_health"]["label"] == label, record["gradient_health"]["reason"]


@pytest.mark.parametrize("hidden", [None, (128, 128)])
def test_nsgan_at_lr_1e3_is_labelled_diverged(hidden, monkeypatch):
    # With the suite's 3 x 128 MLPs the first call produces NaN (status diverged). With
    # the 2 x 128 MLPs of the audit it stays finite: G's norm ~1e12 from step 50 on,
    # recorded "ok, exploding 0%" while the start level came from the first logged call.
    if hidden is not None:
        from benches.datasets import mixtures, registry

        monkeypatch.setitem(registry._INSTANCES, "ring8", mixtures.ring8(hidden=hidden))
    record = run_cell(plan_cell(Cell(MethodSpec("nsgan", {"lr": 1e3}), "ring8", 0), "smoke"))
    health = record["gradient_health"]
    assert health["label"] in ("diverged", "exploding"), health["reason"]
    assert health["label_step"] == 50 and record["gradient_log"]["step"][0] == 0
    if record["status"] == "ok":
        assert health["exploding_fraction"] > 0.5 and health["g_grad_norm_max"] > 1e8


def test_initial_stats_are_the_first_steps_and_leave_the_trajectory_unchanged():
    # D frozen (SGD at lr 1e-30 leaves float32 weights unchanged): the first call of one
    # step then measures both players at the initial parameters on the same batches as
    # ``initial_stats``.
    frozen_d = Method(loss=non_saturating, g_optimizer=methods.parts.optimizers.adam(1e-3),
                      d_optimizer=methods.parts.optimizers.sgd(1e-30))
    t = Trainer(frozen_d, datasets.get("ring8"), seed=3, batch_size=64, steps_per_call=1)
    initial = t.initial_stats()
    assert set(initial) == set(t.stat_names)
    first = t.train_call()
    for name in t.stat_names:
        assert initial[name] == pytest.approx(first[name], rel=1e-5, abs=1e-7), name
    # Methods with reparametrization vectors (spectral norm) or regularizer state
    # (LeCam's anchors) train identically whether or not the initial stats were taken.
    for name in ("sngan", "lecam"):
        if name not in {r.name for r in methods.available()}:
            continue
        runs = []
        for measure in (False, True):
            trainer = Trainer(methods.get(name).build(), datasets.get("ring8"), seed=0,
                              batch_size=64, steps_per_call=5)
            if measure:
                trainer.initial_stats()
            trainer.train_call()
            runs.append([v.numpy() for vs in trainer.variables.values() for v in vs])
        for a, b in zip(*runs, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
