"""What the harness needs from a dataset."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf


class Dataset(abc.ABC):
    """A target distribution with its networks, evaluation and ranking metric.

    ``family`` picks the profile schedule (``mixture``, ``dirac``, ``image``).
    ``primary_metrics`` ranks leaderboards: ``(metric, "max"|"min")`` pairs, first first.
    ``method_settings`` holds per-method hyperparameter overrides that this dataset's
    protocol prescribes (key ``"*"`` applies to every method); records show them.
    """

    name: str
    family: str
    description: str
    latent_dim: int
    primary_metrics: tuple[tuple[str, str], ...]
    method_settings: Mapping[str, Mapping[str, Any]] = {}

    @property
    def source(self) -> str:
        """Where the data comes from (recorded in every result)."""
        return "synthetic"

    @abc.abstractmethod
    def networks(self) -> tuple[Any, Any]:
        """A fresh (generator, discriminator) pair of functional networks."""

    @abc.abstractmethod
    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        """``n`` real samples from a stateless seed; traceable inside XLA."""

    @abc.abstractmethod
    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        """Quality metrics of generated ``samples``."""

    def settings_for(self, method: str) -> dict[str, Any]:
        """The hyperparameter overrides this dataset prescribes for ``method``."""
        return {**self.method_settings.get("*", {}), **self.method_settings.get(method, {})}

    def evaluation_info(self, n_fake: int) -> dict[str, Any]:
        """How ``evaluate`` computes its numbers: sample counts, reference, feature space."""
        return {"n_real": None, "n_fake": n_fake, "real_split": "closed-form mixture",
                "backbone": None}

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "family": self.family, "source": self.source}
