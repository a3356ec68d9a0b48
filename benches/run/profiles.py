"""Run profiles: how long and how large each dataset family trains and evaluates.

``smoke`` takes seconds per cell (tests, CI); ``quick`` (the default) trains the 2D
baselines to convergence with 5 seeds, so that methods can be told apart, and the image
datasets past their first transient (the shipped run: 687 cell-minutes, about 6 hours
with ``--jobs 2`` on a 2-core CPU; the README gives the figures); ``full`` uses
paper-scale schedules and is meant for GPUs, and ``paper`` the papers' own protocols
(PacGAN's networks and iterations on the 2D mixtures).
"""

from __future__ import annotations

from dataclasses import dataclass

LR_DECAYS = ("constant", "linear")


@dataclass(frozen=True)
class Schedule:
    """Training and evaluation sizes of one dataset family under one profile."""

    steps: int
    batch_size: int
    steps_per_call: int
    evals: int
    eval_samples: int
    seeds: int
    checkpoint_every: int = 0  # steps between mid-cell checkpoints; 0: none
    lr_decay: str = "constant"  # or "linear": learning rates decay to 0 over the run
    # Generated samples on which a dataset with many modes (Stacked MNIST) counts modes
    # and mode KL, apart from the eval_samples of FD and the other metrics; 0: the same.
    mode_samples: int = 0
    fid: bool = False  # FID with the 2015 Inception graph on image datasets
    networks: str = "default"  # which of the dataset's architectures both players use

    def __post_init__(self) -> None:
        for field in ("steps", "batch_size", "steps_per_call", "evals", "eval_samples", "seeds"):
            if getattr(self, field) < 1:
                raise ValueError(f"schedule {field} must be >= 1, got {getattr(self, field)}")
        if self.mode_samples < 0:
            raise ValueError(f"mode_samples must be >= 0, got {self.mode_samples}")
        if self.checkpoint_every < 0:
            raise ValueError(f"checkpoint_every must be >= 0, got {self.checkpoint_every}")
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {self.lr_decay!r}")
        if self.steps % self.steps_per_call:
            raise ValueError(f"steps ({self.steps}) must be a multiple of steps_per_call")


def _dirac(seeds: int) -> Schedule:
    """Dirac-GAN's protocol is the same in every profile: 500 steps (Mescheder et al.
    2018); theta and psi are recorded every 10 steps. The batch only matters for
    stochastic methods (instance noise); seeds differ only for those."""
    return Schedule(steps=500, batch_size=256, steps_per_call=10, evals=50, eval_samples=16,
                    seeds=seeds)


# Stacked MNIST's 1,000 modes are counted on 26,000 samples as in VEEGAN (Srivastava et
# al. 2017) and PacGAN's Table 2 (fjxmlzn/PacGAN, stacked_MNIST_experiments/
# VEEGAN_experiment/config.py: num_test_sample); PacGAN's Table 3 (after Metz et al. 2017)
# uses 25,600. A perfect generator then misses 1000 e^-26 ~ 0 modes, where the 2,000
# samples of FD would miss ~135 and floor the mode KL at ~0.25 nats.
PAPER_MODE_SAMPLES = 26_000
# FID costs ~190 CPU-seconds per 1,000 images on one thread here (Inception-v3 at
# 299x299, ~6 GFLOP/image), ~13 CPU-minutes per quick image cell: on by default only in
# full (GPUs); ``run --fid`` turns it on elsewhere.

PROFILES: dict[str, dict[str, Schedule]] = {
    "smoke": {
        "mixture": Schedule(steps=200, batch_size=128, steps_per_call=50, evals=2,
                            eval_samples=1000, seeds=1),
        "dirac": _dirac(seeds=1),
        "image": Schedule(steps=20, batch_size=32, steps_per_call=10, evals=1,
                          eval_samples=500, seeds=1),
    },
    "quick": {
        # The nsgan convergence study (results/studies/convergence_2d.md): 16k steps at
        # batch 128 with learning rates decaying linearly to 0 reach HQ >= 0.9 on ring8
        # and grid25 (3 seeds); 5 seeds let an exact two-sided test reach p < 0.05.
        "mixture": Schedule(steps=16000, batch_size=128, steps_per_call=200, evals=8,
                            eval_samples=2500, seeds=5, lr_decay="linear"),
        "dirac": _dirac(seeds=5),
        # The nsgan learning curves (results/studies/learning_curve_images.md): by 2,000
        # steps (about one epoch at batch 32) MNIST's FD has left its first steep drop
        # (15.8 at 500 steps, 17.1 at 1,000, 12.1 at 1,500, 10.6 at 2,000, 8.2 at 4,000)
        # and recall has risen from 0.34 to 0.55; CIFAR-10's FD fell from 33.2 (500) to
        # 28.5 (1,000) and hovers there until 2,000 before a slower decline (21.9 at
        # 4,000). One seed: see the README for what one more costs.
        "image": Schedule(steps=2000, batch_size=32, steps_per_call=50, evals=2,
                          eval_samples=2000, seeds=1, mode_samples=PAPER_MODE_SAMPLES),
    },
    "full": {
        "mixture": Schedule(steps=25000, batch_size=512, steps_per_call=250, evals=10,
                            eval_samples=2500, seeds=10, checkpoint_every=2500),
        "dirac": _dirac(seeds=5),
        "image": Schedule(steps=50000, batch_size=64, steps_per_call=500, evals=10,
                          eval_samples=10000, seeds=5, checkpoint_every=5000,
                          mode_samples=PAPER_MODE_SAMPLES, fid=True),
    },
}
# The papers' own protocols, for users with the compute. 2D mixtures: PacGAN's (Lin et al.
# 2018, arXiv:1712.04086; fjxmlzn/PacGAN synthetic_data_experiments/2DRing_GAN&PacGAN/
# config.py and 2DGrid): its networks (4 x 400 batch-norm G, 3 x 200 maxout D), batch
# 100, 400 epochs of its 100,000-sample dataset = 400,000 iterations, metrics on 2,500
# samples, 10 runs per setting. PacGAN also trains with Adam 1e-4, beta_1 0.8: those are
# method hyperparameters, so pass them (README, "Profiles"). Images and Dirac-GAN: as in
# ``full``.
PROFILES["paper"] = {
    "mixture": Schedule(steps=400_000, batch_size=100, steps_per_call=1000, evals=40,
                        eval_samples=2500, seeds=10, checkpoint_every=20_000,
                        networks="pacgan"),
    "dirac": PROFILES["full"]["dirac"],
    "image": PROFILES["full"]["image"],
}


def schedule(profile: str, family: str) -> Schedule:
    """The schedule for a dataset family under a profile, with clear errors."""
    if profile not in PROFILES:
        raise KeyError(f"unknown profile {profile!r}; valid: {', '.join(PROFILES)}")
    families = PROFILES[profile]
    if family not in families:
        raise KeyError(f"profile {profile!r} has no schedule for dataset family {family!r}")
    return families[family]
