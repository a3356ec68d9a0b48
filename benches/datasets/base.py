"""What the harness needs from a dataset."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from methods.parts.network import Network
from methods.parts.optimizers import OptimizerSpec
from methods.registry import FAMILIES

__all__ = ["FAMILIES", "Dataset"]


class Dataset(abc.ABC):
    """A target distribution with its networks, evaluation and ranking metric.

    ``family`` picks the profile schedule and each method's reference settings
    (``mixture``, ``dirac``, ``image``; :class:`methods.FamilySettings`).
    ``primary_metrics`` ranks leaderboards: ``(metric, "max"|"min")`` pairs, first first.
    ``optimizer``, when set, is the update rule this dataset's protocol prescribes for
    both players of every method (e.g. Dirac-GAN's plain gradient steps); the method's
    optimism flag is kept, its own rule and learning rate are not. Records show it.
    """

    name: str
    family: str
    description: str
    latent_dim: int
    primary_metrics: tuple[tuple[str, str], ...]
    sample_kind: str = "points"  # how the report shows samples: "points", "images", "none"
    pixel_range: tuple[float, float] = (-1.0, 1.0)  # images: generator output range
    optimizer: OptimizerSpec | None = None

    @property
    def source(self) -> str:
        """Where the data comes from (recorded in every result)."""
        return "synthetic"

    # Network sets a profile can ask for (``Schedule.networks``); "default" is the suite's.
    architectures: tuple[str, ...] = ("default",)

    @abc.abstractmethod
    def networks(self, architecture: str = "default") -> tuple[Network, Network]:
        """A fresh (generator, discriminator) pair of functional networks; ``architecture``
        is one of ``architectures``."""

    @abc.abstractmethod
    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        """``n`` real samples from a stateless seed; traceable inside XLA."""

    @abc.abstractmethod
    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        """Quality metrics of generated ``samples``."""

    def samples_per_evaluation(self, eval_samples: int, mode_samples: int) -> int:
        """Generated samples one scheduled evaluation takes: ``eval_samples``, or
        ``mode_samples`` where the dataset counts many modes on more (Stacked MNIST)."""
        return eval_samples

    def evaluate_schedule(self, samples: np.ndarray, eval_samples: int,
                          fid: bool) -> dict[str, float]:
        """Metrics of one scheduled evaluation of ``samples_per_evaluation`` samples: the
        first ``eval_samples`` feed all metrics but mode counts; ``fid`` asks for FID
        where the dataset has it."""
        return self.evaluate(samples)

    def mode_coverage(self, metrics: Mapping[str, float]) -> float | None:
        """Fraction of the target's modes the generator captures, from its final metrics.

        ``None`` where the dataset has no notion of modes (or the metric is missing); the
        gradient-health outcome label uses it to call a cell mode-collapsed.
        """
        return None

    def sample_quality(self, metrics: Mapping[str, float]) -> float | None:
        """Fraction of generated samples on the data, from its final metrics.

        ``None`` where the dataset has no such metric; the gradient-health outcome label
        uses it to call a cell low-quality (samples off the data) apart from
        mode-collapsed (mass missing from modes).
        """
        return None

    def player_metrics(self, g_params: Sequence[tf.Variable],
                       d_params: Sequence[tf.Variable]) -> dict[str, float]:
        """Metrics read from the players' parameters (none unless a dataset defines them)."""
        return {}

    def optimizer_for(self, spec: OptimizerSpec) -> OptimizerSpec:
        """The optimizer a player with ``spec`` uses on this dataset."""
        if self.optimizer is None:
            return spec
        return dataclasses.replace(self.optimizer, optimistic=spec.optimistic)

    def reference_points(self) -> np.ndarray | None:
        """Points drawn under generated samples in the report (e.g. a mixture's modes)."""
        return None

    def evaluation_info(self, n_fake: int, mode_samples: int = 0,
                        fid: bool = False) -> dict[str, Any]:
        """How ``evaluate`` computes its numbers: sample counts, reference, feature space."""
        return {"n_real": None, "n_fake": n_fake, "real_split": "closed-form mixture",
                "backbone": None}

    def describe(self) -> dict[str, Any]:
        out = {"name": self.name, "family": self.family, "source": self.source,
               "primary_metrics": [list(p) for p in self.primary_metrics]}
        if self.optimizer is not None:
            rule = dataclasses.asdict(self.optimizer)
            del rule["optimistic"]  # the method's own flag applies
            out["optimizer"] = rule
        return out
