"""The trainer: one XLA-compiled function per cell that runs whole training steps.

A compiled call runs ``steps_per_call`` complete updates (every discriminator step, then
the generator step) in an in-graph loop. Randomness is stateless and derived from the
cell's seed and the step counter, so a cell is reproducible from its seed and no host
round trip happens between steps. Each call returns the last step's statistics: the
losses, both players' global gradient norms before any transform, and D's mean output
on real and fake samples.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from benches import rng
from benches.datasets.base import Dataset
from methods.parts.game import Players, simultaneous_step
from methods.parts.method import Method

STAT_NAMES = ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "d_real", "d_fake")
_STREAMS = 64  # stateless seed streams per step
_PLAYER_STREAM = _STREAMS - 2  # the stream Players.draw derives its batches from


class Diverged(FloatingPointError):
    """Training produced NaN or Inf; ``step`` is the first call boundary where it showed."""

    def __init__(self, step: int, what: str):
        super().__init__(f"non-finite {what} at step {step}")
        self.step = step


@dataclass(frozen=True)
class DiscriminatorContext:
    """What a discriminator regularizer sees inside the compiled step."""

    discriminator: Callable[[tf.Tensor], tf.Tensor]
    params: Sequence[tf.Variable]
    real: tf.Tensor
    fake: tf.Tensor
    seed: tf.Tensor
    step: tf.Tensor


def global_norm(tensors: Sequence[tf.Tensor]) -> tf.Tensor:
    return tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(t)) for t in tensors]))


class Trainer:
    """Builds the players, their optimizers and the compiled training function."""

    def __init__(
        self,
        method: Method,
        dataset: Dataset,
        *,
        seed: int,
        batch_size: int,
        steps_per_call: int,
        xla: bool = True,
    ):
        self.method = method
        self.dataset = dataset
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        self.steps_per_call = int(steps_per_call)
        self.xla = bool(xla and method.xla)
        self.generator, self.discriminator = dataset.networks()
        self.g_params = self.generator.init(2 * self.seed)
        self.d_params = self.discriminator.init(2 * self.seed + 1)
        self.g_opt = dataset.optimizer_for(method.g_optimizer).create(self.g_params, "g_opt")
        self.d_opt = dataset.optimizer_for(method.d_optimizer).create(self.d_params, "d_opt")
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self._compiled = tf.function(self._train_steps, jit_compile=self.xla)

    # -- randomness ---------------------------------------------------------------------
    def _seed(self, stream: int) -> tf.Tensor:
        return tf.stack([tf.constant(self.seed, tf.int64), self.step * _STREAMS + stream])

    def _latent(self, stream: int) -> tf.Tensor:
        return rng.normal([self.batch_size, self.dataset.latent_dim], self._seed(stream))

    # -- one step -----------------------------------------------------------------------
    def _d_update(self, k: int) -> dict[str, tf.Tensor]:
        m = self.method
        real = self.dataset.sample_real(self._seed(3 * k), self.batch_size)
        fake = self.generator.apply(self.g_params, self._latent(3 * k + 1))

        def d(x: tf.Tensor) -> tf.Tensor:
            return self.discriminator.apply(self.d_params, x)

        with tf.GradientTape() as tape:
            real_out, fake_out = d(real), d(fake)
            loss = m.loss.d_loss(real_out, fake_out)
            if m.d_regularizer is not None:
                ctx = DiscriminatorContext(d, self.d_params, real, fake,
                                           self._seed(3 * k + 2), self.step)
                loss += m.d_regularizer(ctx)
        grads = tape.gradient(loss, self.d_params)
        norm = global_norm(grads)
        if m.d_transform is not None:
            grads = m.d_transform(grads, self.d_params)
        self.d_opt.apply(grads)
        if m.d_constraint is not None:
            m.d_constraint(self.d_params)
        prob = m.loss.probability or tf.identity
        return {"d_loss": loss, "d_grad_norm": norm,
                "d_real": tf.reduce_mean(prob(real_out)), "d_fake": tf.reduce_mean(prob(fake_out))}

    def _g_update(self) -> dict[str, tf.Tensor]:
        m = self.method
        z = self._latent(_STREAMS - 1)
        with tf.GradientTape() as tape:
            fake = self.generator.apply(self.g_params, z)
            fake_out = self.discriminator.apply(self.d_params, fake)
            loss = m.loss.g_loss(fake_out)
        grads = tape.gradient(loss, self.g_params)
        norm = global_norm(grads)
        if m.g_transform is not None:
            grads = m.g_transform(grads, self.g_params)
        self.g_opt.apply(grads)
        return {"g_loss": loss, "g_grad_norm": norm}

    def _players(self) -> Players:
        def draw(i: int | tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            # Any number of draws, also with a loop counter as index: fold the index into
            # this step's player stream (integer Philox bits, identical with XLA).
            seed = tf.random.experimental.stateless_fold_in(self._seed(_PLAYER_STREAM), i)
            real_seed, z_seed = tf.unstack(rng.split(tf.cast(seed, tf.int64), 2))
            z = rng.normal([self.batch_size, self.dataset.latent_dim], z_seed)
            return self.dataset.sample_real(real_seed, self.batch_size), z

        return Players(self.generator, self.discriminator, self.g_params, self.d_params,
                       self.g_opt, self.d_opt, draw)

    def _one_step(self) -> dict[str, tf.Tensor]:
        m = self.method
        if m.simultaneous:
            stats = simultaneous_step(self._players(), m)
        else:
            for k in range(m.d_steps):
                d_stats = self._d_update(k)
            g_stats = self._g_update() if m.g_step is None else m.g_step(self._players(), m)
            stats = {**d_stats, **g_stats}
        self.step.assign_add(1)
        return {name: tf.cast(stats[name], tf.float32) for name in STAT_NAMES}

    def _train_steps(self) -> dict[str, tf.Tensor]:
        stats = {name: tf.constant(0.0) for name in STAT_NAMES}
        for _ in tf.range(self.steps_per_call):
            stats = self._one_step()
        return stats

    # -- host side ----------------------------------------------------------------------
    def train_call(self) -> dict[str, float]:
        """Run one compiled call (``steps_per_call`` steps); raise :class:`Diverged` on NaN."""
        stats = {k: float(v) for k, v in self._compiled().items()}
        bad = [k for k, v in stats.items() if not np.isfinite(v)]
        if bad or not all(np.isfinite(p.numpy()).all() for p in self.g_params):
            raise Diverged(int(self.step.numpy()), ", ".join(bad) or "generator weights")
        return stats

    def timed_call(self) -> tuple[dict[str, float], float]:
        start = time.perf_counter()
        stats = self.train_call()
        return stats, time.perf_counter() - start

    def generate(self, n: int, seed: int, batch: int = 1000) -> np.ndarray:
        """``n`` samples from the current generator, from a fixed evaluation seed."""
        out = []
        for i, start in enumerate(range(0, n, batch)):
            size = min(batch, n - start)
            z = rng.normal([size, self.dataset.latent_dim], tf.constant([seed, 10**6 + i]))
            out.append(self.generator.apply(self.g_params, z).numpy())
        return np.concatenate(out)
