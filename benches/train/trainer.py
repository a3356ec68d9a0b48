"""The trainer: one XLA-compiled function per cell that runs whole training steps.

A compiled call runs ``steps_per_call`` complete updates (every discriminator step, then
the generator step) in an in-graph loop. Randomness is stateless and derived from the
cell's seed and the step counter, so a cell is reproducible from its seed and no host
round trip happens between steps. The seed is a variable the compiled function reads, so
:meth:`Trainer.reset` starts another seed in the same compiled program: one compilation
per (method, dataset, schedule) serves every seed. Each call returns the last step's statistics: the
losses, both players' global and per-layer gradient norms before any transform, and D's
mean output on real and fake samples (as probabilities where the loss defines them).

Every step path sees D through one ``DiscriminatorView`` (methods.parts.game): input
noise on every D input, packing (D is built ``pack`` times wider), a D reparametrization
bound once per cell (its state, e.g. spectral-norm vectors, updated once per D step).
The alternating step also applies regularizer state, gradient transforms and weight
constraints; the joint and unrolled paths get the view through ``Players``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from benches.datasets.base import Dataset
from benches.train.stats import STAT_NAMES
from methods.parts import rng
from methods.parts.contract import check_generator_stats
from methods.parts.game import DiscriminatorView, Players, simultaneous_step
from methods.parts.gradient_norms import layer_norm_names
from methods.parts.method import Method
from methods.parts.packing import widen_input
from methods.parts.penalties import DiscriminatorContext

_STREAMS = 64  # stateless seed streams per step
# Alternating path: discriminator step k uses streams 3k..3k+2 (data, latents,
# regularizer) and 32+2k, 33+2k (input noise on real, fake); the generator step uses 63
# (latents) and 62 (noise on fakes), and 60, 61 (real batch, its noise) only for a loss
# whose generator term sees real samples. Players (joint path, custom generator steps):
# draw i folds i into stream 62 (data, latents), its input noise folds i into stream 59.
_MAX_D_STEPS = 10
_NOISE_STREAM = 32
_PLAYER_NOISE_STREAM = 59
_G_REAL_STREAM, _G_REAL_NOISE_STREAM = 60, 61
_G_NOISE_STREAM, _G_LATENT_STREAM = _STREAMS - 2, _STREAMS - 1
_PLAYER_STREAM = _STREAMS - 2


class Diverged(FloatingPointError):
    """Training produced NaN or Inf; ``step`` is the first call boundary where it showed."""

    def __init__(self, step: int, what: str):
        super().__init__(f"non-finite {what} at step {step}")
        self.step = step


class Trainer:
    """Builds the players, their optimizers and the compiled training function.

    With ``decay_steps`` both players' learning rates decay linearly from the method's
    values to 0 at step ``decay_steps`` (the profile's ``lr_decay = "linear"``).
    """

    def __init__(
        self,
        method: Method,
        dataset: Dataset,
        *,
        seed: int,
        batch_size: int,
        steps_per_call: int,
        xla: bool = True,
        decay_steps: int | None = None,
        architecture: str = "default",
    ):
        self.method = method
        self.dataset = dataset
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        self.steps_per_call = int(steps_per_call)
        self.xla = bool(xla and method.xla)
        if method.d_steps > _MAX_D_STEPS:
            raise ValueError(f"d_steps must be <= {_MAX_D_STEPS}, got {method.d_steps}")
        self.generator, discriminator = dataset.networks(architecture)
        self.discriminator = widen_input(discriminator, method.pack)
        self.g_params = self.generator.init(2 * self.seed)
        self.d_params = self.discriminator.init(2 * self.seed + 1)
        self.d_wrapped = (method.d_wrapper.bind(self.discriminator, self.d_params)
                          if method.d_wrapper is not None else None)
        self.d_state = {k: tf.Variable(float(v), trainable=False, name=f"d_state/{k}")
                        for k, v in method.d_state.items()}
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.decay_steps = decay_steps
        schedule = self._linear_decay if decay_steps else None
        self.g_opt = dataset.optimizer_for(method.g_optimizer).create(self.g_params, "g_opt",
                                                                      schedule)
        self.d_opt = dataset.optimizer_for(method.d_optimizer).create(self.d_params, "d_opt",
                                                                      schedule)
        self._seed_var = tf.Variable(self.seed, dtype=tf.int64, trainable=False, name="seed")
        # Seed-independent initial state (e.g. spectral-norm vectors), restored by reset().
        self._initial_wrapper = ([v.numpy() for v in self.d_wrapped.variables]
                                 if self.d_wrapped else [])
        # No AutoGraph: converting the whole call tree took most of the tracing time.
        self._compiled = tf.function(self._train_steps, jit_compile=self.xla, autograph=False)

    def reset(self, seed: int) -> None:
        """Start seed ``seed`` afresh in this trainer's compiled program.

        Afterwards the trainer is in the state ``Trainer(..., seed=seed)`` starts in: the
        same initializers give the parameters, optimizer slots and counters start over,
        regularizer and D-wrapper state take their initial values; only the compilation
        is kept.
        """
        self.seed = int(seed)
        self._seed_var.assign(self.seed)
        for params, network, offset in ((self.g_params, self.generator, 0),
                                        (self.d_params, self.discriminator, 1)):
            for var, init in zip(params, network.init(2 * self.seed + offset), strict=True):
                var.assign(init)
        for opt in (self.g_opt, self.d_opt):
            opt.iterations.assign(0)
            tf.nest.map_structure(lambda var, value: var.assign(value), opt.state,
                                  opt.rule.init(opt.params))
        for var, value in zip(self.d_wrapped.variables if self.d_wrapped else [],
                              self._initial_wrapper, strict=True):
            var.assign(value)
        for name, value in self.method.d_state.items():
            self.d_state[name].assign(float(value))
        self.step.assign(0)

    def _linear_decay(self) -> tf.Tensor:
        """Learning-rate factor 1 - step / decay_steps (at least 0) for this step."""
        return tf.maximum(1.0 - tf.cast(self.step, tf.float32) / float(self.decay_steps), 0.0)

    @property
    def d_view(self) -> DiscriminatorView:
        """D as the method sees it, for every step path."""
        return DiscriminatorView.of(self.method, self.discriminator, self.d_wrapped, self.step)

    # -- randomness ---------------------------------------------------------------------
    def _seed(self, stream: int) -> tf.Tensor:
        return tf.stack([self._seed_var.read_value(), self.step * _STREAMS + stream])

    def _latent(self, stream: int, n: int | None = None) -> tf.Tensor:
        return rng.normal([n or self.batch_size, self.dataset.latent_dim], self._seed(stream))

    def _noised(self, x: tf.Tensor, stream: int) -> tf.Tensor:
        """``x`` with the method's input noise (instance noise), if any."""
        return self.d_view.noised(x, self._seed(stream))

    def _discriminate(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        """D's output on samples ``x``, packed and reparametrized as the method asks."""
        return self.d_view.apply(params, x)

    # -- one step -----------------------------------------------------------------------
    def _d_update(self, k: int | tf.Tensor, apply: bool = True) -> dict[str, tf.Tensor]:
        m = self.method
        n = self.batch_size * m.pack
        real = self.dataset.sample_real(self._seed(3 * k), n)
        fake = self.generator.apply(self.g_params, self._latent(3 * k + 1, n))
        # The regularizer sees the same noisy samples as D's loss.
        real = self._noised(real, _NOISE_STREAM + 2 * k)
        fake = self._noised(fake, _NOISE_STREAM + 2 * k + 1)
        self.d_view.update(self.d_params)  # e.g. one power iteration per D step

        def d(x: tf.Tensor) -> tf.Tensor:
            return self._discriminate(self.d_params, x)

        with tf.GradientTape() as tape:
            real_out, fake_out = d(real), d(fake)
            loss = m.loss.d_loss(real_out, fake_out)
            if m.d_regularizer is not None:
                ctx = DiscriminatorContext(d, self.d_params, real, fake,
                                           self._seed(3 * k + 2), self.step,
                                           real_out, fake_out, self.d_state)
                loss += m.d_regularizer(ctx)
        update = self._players().d_update(m)
        grads = tape.gradient(loss, self.d_params)
        stats = update(grads) if apply else update.statistics(grads)
        prob = m.loss.probability or tf.identity
        return {"d_loss": loss, **stats, "d_real": tf.reduce_mean(prob(real_out)),
                "d_fake": tf.reduce_mean(prob(fake_out))}

    def _d_updates(self, count: int) -> dict[str, tf.Tensor]:
        """``count`` D updates in a loop (one copy of the update in the program, so
        5 critic steps trace and compile like one); the last update's statistics.
        Update k draws from the same streams as the k-th of an unrolled sequence."""
        produced: list[str] = []  # filled while the body is traced (once)

        def body(k: tf.Tensor, carried: dict[str, tf.Tensor]
                 ) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
            stats = self._d_update(k)
            produced[:] = [name for name in stats if name in carried]
            return k + 1, {name: tf.cast(stats[name], tf.float32) if name in stats else value
                           for name, value in carried.items()}

        zeros = {name: tf.constant(0.0) for name in self.stat_names}
        _, stats = tf.while_loop(lambda k, _: k < count, body,
                                 (tf.constant(0, tf.int64), zeros))
        return {name: stats[name] for name in produced}

    def _g_update(self, apply: bool = True) -> dict[str, tf.Tensor]:
        m = self.method
        n = self.batch_size * m.pack
        z = self._latent(_G_LATENT_STREAM, n)

        def real_out() -> tf.Tensor:  # only for losses whose G term sees real samples
            real = self.dataset.sample_real(self._seed(_G_REAL_STREAM), n)
            return self._discriminate(self.d_params, self._noised(real, _G_REAL_NOISE_STREAM))

        with tf.GradientTape() as tape:
            fake = self.generator.apply(self.g_params, z)
            fake_out = self._discriminate(self.d_params, self._noised(fake, _G_NOISE_STREAM))
            loss = m.loss.generator_loss(real_out, fake_out)
        update = self._players().g_update(m)
        grads = tape.gradient(loss, self.g_params)
        return {"g_loss": loss, **(update(grads) if apply else update.statistics(grads))}

    def _fold(self, stream: int, i: int | tf.Tensor) -> tf.Tensor:
        # Any number of draws, also with a loop counter as index: fold the index into
        # this step's stream (integer Philox bits, identical with XLA).
        seed = tf.random.experimental.stateless_fold_in(self._seed(stream), i)
        return tf.cast(seed, tf.int64)

    def _players(self) -> Players:
        n = self.batch_size * self.method.pack

        def draw(i: int | tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            real_seed, z_seed = tf.unstack(rng.split(self._fold(_PLAYER_STREAM, i), 2))
            z = rng.normal([n, self.dataset.latent_dim], z_seed)
            return self.dataset.sample_real(real_seed, n), z

        def noise_seed(i: int | tf.Tensor, which: int) -> tf.Tensor:
            return rng.split(self._fold(_PLAYER_NOISE_STREAM, i), 2)[which]

        return Players(self.generator, self.discriminator, self.g_params, self.d_params,
                       self.g_opt, self.d_opt, draw, self.d_view, noise_seed)

    def _one_step(self) -> dict[str, tf.Tensor]:
        m = self.method
        if m.simultaneous:
            stats = simultaneous_step(self._players(), m)
        else:
            d_stats = self._d_update(0) if m.d_steps == 1 else self._d_updates(m.d_steps)
            if m.g_step is None:
                g_stats = self._g_update()
            else:  # its contract on these networks, checked while tracing
                g_stats = m.g_step(self._players(), m)
                check_generator_stats(g_stats, self.generator, m.g_step)
            stats = {**d_stats, **g_stats}
        self.step.assign_add(1)
        return {name: tf.cast(stats[name], tf.float32) for name in self.stat_names}

    @property
    def stat_names(self) -> tuple[str, ...]:
        """What each call returns: STAT_NAMES, then per-layer norms of G and of D."""
        return (*STAT_NAMES, *layer_norm_names(self.generator, "g"),
                *layer_norm_names(self.discriminator, "d"))

    def _train_steps(self) -> dict[str, tf.Tensor]:
        stats = {name: tf.constant(0.0) for name in self.stat_names}
        _, stats = tf.while_loop(lambda i, _: i < self.steps_per_call,
                                 lambda i, _: (i + 1, self._one_step()),
                                 (tf.constant(0), stats))
        return stats

    # -- host side ----------------------------------------------------------------------
    @property
    def variables(self) -> dict[str, list[tf.Variable]]:
        """Every piece of training state, for ``tf.train.Checkpoint(**trainer.variables)``.

        Restoring these and calling again continues the exact trajectory: randomness is a
        function of the seed and ``step``. A method or trainer extension that adds state
        (extra slots, power-iteration vectors) must add it here.
        """
        return {"g_params": list(self.g_params), "d_params": list(self.d_params),
                "g_opt": self.g_opt.variables, "d_opt": self.d_opt.variables,
                "step": [self.step],
                "d_wrapper": list(self.d_wrapped.variables) if self.d_wrapped else [],
                "d_state": [self.d_state[k] for k in sorted(self.d_state)]}

    def train_call(self) -> dict[str, float]:
        """Run one compiled call (``steps_per_call`` steps); raise :class:`Diverged` on NaN."""
        stats = {k: float(v) for k, v in self._compiled().items()}
        bad = [k for k, v in stats.items() if not np.isfinite(v)]
        if bad or not all(np.isfinite(p.numpy()).all() for p in self.g_params):
            raise Diverged(int(self.step.numpy()), ", ".join(bad) or "generator weights")
        return stats

    def initial_stats(self) -> dict[str, float]:
        """The statistics a call logs, measured at the current parameters without updating.

        Called before the first call, this gives both players' gradient norms at
        initialization, the reference against which gradient health judges explosion and
        divergence (a blow-up inside the first compiled call is otherwise invisible). It
        uses the first D step's and the G step's batches of the current step (stateless
        streams: nothing is consumed) and D's loss with its regularizer; no optimizer
        steps. Reparametrization vectors and regularizer state are advanced as in a D step
        and then restored, so the training trajectory is unchanged.
        """
        state = [*self.variables["d_wrapper"], *self.variables["d_state"]]
        saved = [v.numpy() for v in state]
        try:
            stats = {**self._d_update(0, apply=False), **self._g_update(apply=False)}
            return {name: float(stats[name]) for name in self.stat_names}
        finally:
            for variable, value in zip(state, saved, strict=True):
                variable.assign(value)

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
