"""Would training S seeds in one program (stacked parameters) pay on the 2D networks?

The measurement behind not vectorizing seeds (README, "Why seeds are not stacked"). The
2D mixtures' non-saturating step (the suite's 3 x 128 ReLU MLPs, G and D, Adam) is
written once over parameters with a leading seed axis: ``S = 1`` is one seed's step,
``S = 5`` trains five seeds in one compiled call with batched matmuls. Both are
XLA-compiled loops of ``STEPS_PER_CALL`` steps; ``extra_info["seed_steps_per_round"]``
turns seconds per round into seed-steps/s. Stacking pays only where the S = 5 rounds take
less than 5 times the S = 1 rounds.
"""

import itertools

import pytest
import tensorflow as tf

from benches import datasets

STEPS_PER_CALL = 100
LR, BETA_1, BETA_2, EPS = 1e-3, 0.5, 0.999, 1e-8


def _stacked_mlp(sizes: list[int], seeds: int, seed: int) -> list[tf.Variable]:
    params = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        limit = (6 / (fan_in + fan_out)) ** 0.5  # Glorot uniform, as benches.train.networks
        params.append(tf.Variable(tf.random.stateless_uniform(
            [seeds, fan_in, fan_out], [seed, i], -limit, limit)))
        params.append(tf.Variable(tf.zeros([seeds, 1, fan_out])))
    return params


def _apply(params: list[tf.Variable], x: tf.Tensor) -> tf.Tensor:
    for i in range(0, len(params), 2):
        x = tf.matmul(x, params[i]) + params[i + 1]  # [S, B, in] @ [S, in, out]
        if i + 2 < len(params):
            x = tf.nn.relu(x)
    return x


def stacked_nsgan_call(seeds: int, batch: int, hidden: tuple[int, ...], latent: int):
    """A compiled call of STEPS_PER_CALL non-saturating steps for ``seeds`` stacked seeds."""
    g = _stacked_mlp([latent, *hidden, 2], seeds, 1)
    d = _stacked_mlp([2, *hidden, 1], seeds, 2)
    slots = {id(p): (tf.Variable(tf.zeros_like(p)), tf.Variable(tf.zeros_like(p)))
             for p in g + d}
    step = tf.Variable(0, dtype=tf.int64)

    def adam(params, grads):
        t = tf.cast(step + 1, tf.float32)
        for p, grad in zip(params, grads, strict=True):
            m, v = slots[id(p)]
            m.assign(BETA_1 * m + (1 - BETA_1) * grad)
            v.assign(BETA_2 * v + (1 - BETA_2) * grad * grad)
            p.assign_sub(LR * (m / (1 - BETA_1**t)) / (tf.sqrt(v / (1 - BETA_2**t)) + EPS))

    def one_step(i, _):
        key = tf.stack([tf.constant(0, tf.int64), step])
        real = tf.random.stateless_normal([seeds, batch, 2], key)
        z = tf.random.stateless_normal([seeds, batch, latent], key + 1)
        with tf.GradientTape() as tape:  # per-seed means, summed: seeds stay independent
            d_loss = tf.reduce_sum(tf.reduce_mean(
                tf.nn.softplus(-_apply(d, real)) + tf.nn.softplus(_apply(d, _apply(g, z))),
                axis=[1, 2]))
        adam(d, tape.gradient(d_loss, d))
        with tf.GradientTape() as tape:
            g_loss = tf.reduce_sum(tf.reduce_mean(
                tf.nn.softplus(-_apply(d, _apply(g, z))), axis=[1, 2]))
        adam(g, tape.gradient(g_loss, g))
        step.assign_add(1)
        return i + 1, g_loss

    @tf.function(jit_compile=True, autograph=False)
    def call():
        return tf.while_loop(lambda i, _: i < STEPS_PER_CALL, one_step,
                             (tf.constant(0), tf.constant(0.0)))[1]

    return call


@pytest.mark.parametrize("seeds", [1, 5])
@pytest.mark.parametrize("batch", [32, 128, 512])
def test_stacked_seeds(benchmark, batch, seeds):
    ring8 = datasets.get("ring8")
    call = stacked_nsgan_call(seeds, batch, ring8.hidden, ring8.latent_dim)
    call()  # compile outside the timed rounds
    benchmark.group = f"seed stacking, 2D nsgan step, batch {batch}"
    benchmark.extra_info.update(seeds=seeds, batch_size=batch,
                                seed_steps_per_round=seeds * STEPS_PER_CALL)
    loss = benchmark.pedantic(call, rounds=5, warmup_rounds=1, iterations=1)
    assert loss.shape == () and bool(tf.math.is_finite(loss))
