"""Every step path honours the method's D parts; custom generator steps keep their contract."""

from dataclasses import dataclass

import numpy as np
import pytest
import tensorflow as tf

from benches import datasets
from benches.datasets.dirac import LinearDiscriminator, PointMassGenerator
from benches.train.trainer import Trainer
from methods.parts.constraints import clip_weights
from methods.parts.game import DiscriminatorView, Players, consensus, simultaneous_step
from methods.parts.losses import LossPair, non_saturating
from methods.parts.method import Method, MethodError
from methods.parts.noise import InstanceNoise
from methods.parts.normalization import SpectralNormalization
from methods.parts.optimizers import sgd
from methods.parts.penalties import r1_penalty
from methods.parts.unrolling import unrolled_generator_step
from methods.registry import Registration

# G minimizes E[D(G(z))], D minimizes E[D(x)] - E[D(G(z))] (a bilinear critic game).
BILINEAR = LossPair("bilinear", lambda real, fake: tf.reduce_mean(real) - tf.reduce_mean(fake),
                    lambda fake: tf.reduce_mean(fake), probability=None)
NOISE = InstanceNoise(2.0)


def noise_seed(i, which):
    return tf.stack([tf.cast(i, tf.int64) + 2, tf.constant(which, tf.int64)])


def noise_mean(i: int, which: int, n: int = 8) -> float:
    return float(tf.reduce_mean(NOISE(tf.zeros([n, 1]), noise_seed(i, which), 0)))


def dirac_players(method: Method, lr: float = 0.1, d_lr: float = 0.1) -> Players:
    g, d = PointMassGenerator(), LinearDiscriminator()
    gp, dp = g.init(0), d.init(0)  # theta = psi = 1

    def draw(i):
        return tf.zeros([8, 1]), tf.zeros([8, 1])

    return Players(g, d, gp, dp, sgd(lr).create(gp, "g"), sgd(d_lr).create(dp, "d"), draw,
                   DiscriminatorView.of(method, d), noise_seed)


def xla(fn):
    tf.function(fn, jit_compile=True)()


# -- input noise --------------------------------------------------------------------------
def test_joint_step_adds_input_noise_to_every_d_input():
    # xi_psi = mean(real + n_r) - mean(theta + n_f) with real = 0, theta = 1; xi_theta = psi.
    method = Method(loss=BILINEAR, simultaneous=True, input_noise=NOISE)
    p = dirac_players(method)
    xla(lambda: simultaneous_step(p, method))
    xi_psi = noise_mean(0, 0) - 1.0 - noise_mean(0, 1)
    assert abs(noise_mean(0, 0) - noise_mean(0, 1)) > 0.05  # the noise matters here
    assert p.d_params[0].numpy().item() == pytest.approx(1.0 - 0.1 * xi_psi, rel=1e-5)
    assert p.g_params[0].numpy().item() == pytest.approx(1.0 - 0.1, rel=1e-6)


@pytest.mark.parametrize("k", [1, 3])
def test_unrolled_lookahead_sees_input_noise(k):
    # Look-ahead SGD on D (draws 1..k): psi_k = psi + eta sum_j (theta + nf_j - nr_j);
    # G's loss psi_k * (theta + nf_0), so dL/dtheta = k eta (theta + nf_0) + psi_k.
    eta = 0.2
    method = Method(loss=BILINEAR, input_noise=NOISE)
    p = dirac_players(method, d_lr=eta)
    xla(lambda: unrolled_generator_step(k)(p, method))
    psi_k = 1.0 + eta * sum(1.0 + noise_mean(j, 1) - noise_mean(j, 0) for j in range(1, k + 1))
    grad = k * eta * (1.0 + noise_mean(0, 1)) + psi_k
    assert (1.0 - p.g_params[0].numpy().item()) / 0.1 == pytest.approx(grad, rel=1e-4)
    assert abs(grad - (1.0 + 2 * k * eta)) > 0.05  # what the noiseless look-ahead gives


# -- spectral normalization ---------------------------------------------------------------
@dataclass(frozen=True)
class VectorGenerator:
    """G(z) = theta in R^2."""

    layer_names: tuple[str, ...] = ("theta",)

    def layer_of(self, i):
        return "theta"

    def init(self, seed):
        return [tf.Variable([0.6, -0.9])]

    def apply(self, params, z):
        return tf.zeros([tf.shape(z)[0], 2]) + params[0]


@dataclass(frozen=True)
class SummedDense:
    """D(x) = sum_j (x W)_j, W a 2x2 kernel."""

    layer_names: tuple[str, ...] = ("w",)

    def layer_of(self, i):
        return "w"

    def init(self, seed):
        return [tf.Variable([[1.2, -0.4], [0.5, 0.9]])]

    def apply(self, params, x):
        return tf.reduce_sum(tf.matmul(x, params[0]), axis=1, keepdims=True)


def _unit(x):
    return x / np.linalg.norm(x)


def test_consensus_with_spectral_normalization_matches_numpy():
    gamma, lr = 0.7, 0.1
    method = Method(loss=BILINEAR, simultaneous=True, joint_transform=consensus(gamma),
                    d_wrapper=SpectralNormalization())
    g, d = VectorGenerator(), SummedDense()
    gp, dp = g.init(0), d.init(1)
    wrapped = method.d_wrapper.bind(d, dp)
    u0 = wrapped.variables[0].numpy().astype(np.float64)
    p = Players(g, d, gp, dp, sgd(lr).create(gp, "g"), sgd(lr).create(dp, "d"),
                lambda i: (tf.zeros([4, 2]), tf.zeros([4, 1])),
                DiscriminatorView.of(method, d, wrapped))
    theta0, w0 = gp[0].numpy().astype(np.float64), dp[0].numpy().astype(np.float64)
    xla(lambda: simultaneous_step(p, method))

    # One power iteration, then sigma = v^T W u with u, v constants (Miyato et al., App. A).
    u1 = _unit(w0.T @ _unit(w0 @ u0))
    v1 = _unit(w0 @ u1)
    one = np.ones(2)

    def field(x):  # (xi_theta, xi_W) of g = theta^T W 1 / s, d = -g, s = v1^T W u1
        theta, w = x[:2], x[2:].reshape(2, 2)
        s = v1 @ w @ u1
        xi_w = -(np.outer(theta, one) / s - (theta @ w @ one) * np.outer(v1, u1) / s**2)
        return np.concatenate([w @ one / s, xi_w.ravel()])

    x0 = np.concatenate([theta0, w0.ravel()])
    h = 1e-6
    grad_ham = np.array([(0.5 * field(x0 + h * e) @ field(x0 + h * e)
                          - 0.5 * field(x0 - h * e) @ field(x0 - h * e)) / (2 * h)
                         for e in np.eye(6)])
    expected = x0 - lr * (field(x0) + gamma * grad_ham)
    got = np.concatenate([gp[0].numpy(), dp[0].numpy().ravel()])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(wrapped.variables[0].numpy(), u1, rtol=1e-5, atol=1e-6)


def test_unrolled_lookahead_evaluates_the_wrapper_at_its_tensor_params():
    ds = datasets.get("ring8")
    g_net, d_net = ds.networks()
    method = Method(loss=non_saturating, d_wrapper=SpectralNormalization())
    grads = {}
    for k in (0, 2):
        gp, dp = g_net.init(0), d_net.init(1)
        wrapped = method.d_wrapper.bind(d_net, dp)
        wrapped.update(dp)
        z = tf.random.stateless_normal([32, 2], [3, 4])
        real = ds.sample_real(tf.constant([5, 6], tf.int64), 32)
        view = DiscriminatorView.of(method, d_net, wrapped)
        p = Players(g_net, d_net, gp, dp, sgd(1.0).create(gp, "g"), sgd(0.5).create(dp, "d"),
                    lambda i, real=real, z=z: (real, z), view)
        if k == 0:
            with tf.GradientTape() as tape:
                loss = non_saturating.g_loss(wrapped.apply(dp, g_net.apply(gp, z)))
            direct = np.concatenate([t.numpy().ravel() for t in tape.gradient(loss, gp)])
        before = [w.numpy() for w in gp]
        state = [v.numpy().copy() for v in [*dp, *wrapped.variables]]
        step = unrolled_generator_step(k)
        if k:
            xla(lambda: step(p, method))  # noqa: B023 (called at once)
        else:  # XLA cannot differentiate a while loop of zero iterations
            step(p, method)
        grads[k] = np.concatenate([(b - w.numpy()).ravel()
                                   for b, w in zip(before, gp, strict=True)])
        for s, v in zip(state, [*dp, *wrapped.variables], strict=True):
            np.testing.assert_array_equal(v.numpy(), s)  # D and its SN vectors untouched
    np.testing.assert_allclose(grads[0], direct, rtol=1e-4, atol=1e-7)
    assert np.linalg.norm(grads[2] - grads[0]) > 1e-3 * np.linalg.norm(grads[0])


# -- packing ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["joint", "unrolled"])
def test_packing_reaches_the_joint_and_unrolled_paths(path):
    # A packed D is twice as wide: unpacked inputs would not even multiply.
    kw = {"simultaneous": True} if path == "joint" else {"g_step": unrolled_generator_step(1)}
    t = Trainer(Method(loss=non_saturating, pack=2, **kw), datasets.get("ring8"), seed=0,
                batch_size=8, steps_per_call=1, xla=False)
    stats = t.train_call()
    assert np.isfinite(stats["d_loss"]) and np.isfinite(stats["g_loss"])


# -- rejections ---------------------------------------------------------------------------
@pytest.mark.parametrize("part,value", [("d_regularizer", r1_penalty(1.0)),
                                        ("d_constraint", clip_weights(0.01))])
def test_unrolled_step_rejects_parts_its_lookahead_cannot_honour(part, value):
    with pytest.raises(MethodError, match=f"{part} cannot be combined with the generator step "
                                          f".*unrolled_generator_step"):
        Method(loss=non_saturating, g_step=unrolled_generator_step(2), **{part: value})


def test_a_path_given_players_without_the_methods_d_parts_refuses_to_drop_them():
    method = Method(loss=BILINEAR, simultaneous=True, input_noise=NOISE)
    g, d = PointMassGenerator(), LinearDiscriminator()
    gp, dp = g.init(0), d.init(0)
    bare = Players(g, d, gp, dp, sgd(0.1).create(gp, "g"), sgd(0.1).create(dp, "d"),
                   lambda i: (tf.zeros([8, 1]), tf.zeros([8, 1])))
    with pytest.raises(MethodError, match="joint step.*input_noise"):
        simultaneous_step(bare, method)


# -- the custom generator step's contract -------------------------------------------------
def loss_only_step(players, method):
    _, z = players.draw(0)
    with tf.GradientTape() as tape:
        loss = method.loss.g_loss(players.view.apply(
            players.d_params, players.generator.apply(players.g_params, z)))
    players.g_update(method).apply(tape.gradient(loss, players.g_params))
    return {"g_loss": loss}


def probe_layers_step(players, method):  # names the probe's layer, not the network's
    stats = loss_only_step(players, method)
    return {**stats, "g_grad_norm": stats["g_loss"], "g_grad_norm/dense0": stats["g_loss"]}


def registration(step) -> Registration:
    return Registration("custom-step", "paper",
                        lambda: Method(loss=non_saturating, g_step=step), {}, "")


def test_g_step_missing_statistics_fails_when_the_method_is_built():
    with pytest.raises(MethodError, match=r"method 'custom-step': generator step "
                                          r".*loss_only_step does not return g_grad_norm, "
                                          r"g_grad_norm/dense0"):
        registration(loss_only_step).build()
    with pytest.raises(MethodError, match="must return a dict"):
        registration(lambda players, method: 0.0).build()
    assert registration(unrolled_generator_step(2)).build().g_step is not None


def test_g_step_missing_statistics_of_the_real_network_fails_when_traced():
    method = registration(probe_layers_step).build()  # passes the probe
    t = Trainer(method, datasets.get("dirac"), seed=0, batch_size=8, steps_per_call=1)
    with pytest.raises(MethodError, match="does not return g_grad_norm/theta"):
        t.train_call()
    assert int(t.step.numpy()) == 0  # raised while tracing, before any step ran


def test_run_with_a_broken_g_step_is_a_usage_error_not_a_failed_cell(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import methods

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "brokenstep.py").write_text(
        "from methods.parts.losses import non_saturating\n"
        "from methods.parts.method import Method\n"
        "from methods.registry import register\n\n\n"
        "def step(players, method):\n"
        "    return {'g_loss': 0.0}\n\n\n"
        "@register('brokenstep', paper='none')\n"
        "def brokenstep(lr: float = 0.1) -> Method:\n"
        "    return Method(loss=non_saturating, g_step=step)\n")
    env = {**os.environ, methods.PLUGIN_PATH_VARIABLE: str(plugins),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    ran = subprocess.run([sys.executable, "-m", "benches", "run", "--methods", "brokenstep",
                          "--datasets", "dirac", "--profile", "smoke", "--steps", "10",
                          "--out", str(tmp_path / "out")], env=env, capture_output=True,
                         text=True, timeout=600, cwd=Path(__file__).resolve().parent.parent)
    assert ran.returncode != 0
    assert "method 'brokenstep'" in ran.stderr and "g_grad_norm" in ran.stderr, ran.stderr
    assert not list((tmp_path / "out").glob("records/*.json"))
