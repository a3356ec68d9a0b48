"""Image datasets: MNIST, Stacked MNIST and CIFAR-10.

The training split is held as one uint8 tensor and real batches are gathered with
indices from :mod:`methods.parts.rng` inside the compiled step (no host round trip), scaled to
[-1, 1]. Stacked MNIST (Metz et al. 2017, arXiv:1611.02163; Srivastava et al. 2017,
arXiv:1705.07761; Lin et al. 2018, arXiv:1712.04086) stacks three independently drawn
MNIST digits as the RGB channels: 1,000 modes.

Evaluation compares ``n_fake`` generated samples with ``n_real`` = ``n_fake`` real
samples drawn (fixed seed) from the *test* split, in the penultimate-layer feature space
of the family's evaluator classifier (:mod:`benches.datasets.evaluators`); Stacked MNIST
classifies and embeds each channel with the MNIST evaluator (features concatenated) and
counts its 1,000 modes on the schedule's ``mode_samples`` (26,000, as in the papers),
of which the first ``n_fake`` also feed the other metrics. Where the schedule asks for
FID (:mod:`metrics.inception`), the TTUR Inception graph is found or downloaded under
the cache folder and the real split's Inception statistics are computed once and cached
there; when the graph cannot be had (offline) the record says why FID is absent.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from benches.datasets import evaluators, image_sources
from benches.datasets.base import Dataset
from benches.datasets.registry import register
from benches.train.networks import DCGANDiscriminator, DCGANGenerator
from methods.parts import rng
from metrics import inception
from metrics.frechet import frechet_distance
from metrics.kid import kernel_inception_distance
from metrics.mode_coverage import mode_coverage
from metrics.prdc import density_coverage, precision_recall

log = logging.getLogger(__name__)

REAL_SPLIT = "test"
_REFERENCE_SEED = 2024
FID_COST = "~190 CPU-seconds per 1,000 images on one thread"  # measured, see profiles.py


def inception_cache() -> Path:
    """Where the Inception graph and the real splits' Inception statistics live."""
    return image_sources.cache_dir() / "inception"


@functools.cache
def _inception_graph(cache: Path) -> tuple[Path | None, str]:
    """The verified Inception graph and its sha256, or None and why FID is absent (once
    per process and cache folder: an offline download is not retried per cell)."""
    try:
        path = inception.graph_path(cache=cache)
        return path, inception.verify(path)
    except Exception as exc:  # offline, or a damaged file: FID is absent, the cell goes on
        log.warning("FID is absent: %s", exc)
        return None, f"absent: {exc}"


@functools.cache
def _split(family: str, split: str, data_dir: str | None) -> image_sources.Split:
    del data_dir  # part of the cache key only: the loaders read the environment
    return evaluators.LOADERS[family](split)


def load_split(family: str, split: str) -> image_sources.Split:
    """A split of ``family``'s data for the configured data folder (cached per process)."""
    root = image_sources.data_dir()
    return _split(family, split, str(root) if root else None)


class ImageDataset(Dataset):
    """An image dataset drawn from an evaluator family's training split."""

    sample_kind = "images"  # the report shows an image grid (samples/<cell_id>.png)

    family = "image"
    latent_dim = 64
    separate_mode_samples = False  # count modes on the schedule's mode_samples

    def __init__(self, name: str, evaluator_family: str, image_shape: tuple[int, int, int],
                 n_classes: int, description: str,
                 primary_metrics: tuple[tuple[str, str], ...]):
        self.name = name
        self.evaluator_family = evaluator_family
        self.image_shape = image_shape
        self.n_classes = n_classes
        self.description = description
        self.primary_metrics = primary_metrics
        self._train: tf.Tensor | None = None
        self._reference: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}

    @property
    def source(self) -> str:
        try:
            return load_split(self.evaluator_family, "train").source
        except image_sources.DataError as exc:  # the cell then fails with this message
            return f"unavailable: {exc}"

    def networks(self, architecture: str = "default"
                 ) -> tuple[DCGANGenerator, DCGANDiscriminator]:
        return (DCGANGenerator(self.latent_dim, self.image_shape),
                DCGANDiscriminator(self.image_shape))

    @property
    def train_images(self) -> tf.Tensor:
        """The training split as one uint8 tensor (built once)."""
        if self._train is None:
            with tf.init_scope():  # an eager tensor the compiled step captures, not a constant
                self._train = tf.constant(load_split(self.evaluator_family, "train").images)
        return self._train

    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        images = self.train_images
        idx = rng.integers([n], seed, int(images.shape[0]))
        return tf.cast(tf.gather(images, idx), tf.float32) / 127.5 - 1.0

    # -- evaluation ---------------------------------------------------------------------
    def real_reference(self, n: int) -> np.ndarray:
        """``n`` real images from the test split in [-1, 1], fixed by a seed."""
        test = load_split(self.evaluator_family, REAL_SPLIT).images
        idx = np.random.default_rng(_REFERENCE_SEED).choice(len(test), n, replace=n > len(test))
        return evaluators.to_unit_range(test[idx])

    def embed(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Evaluator features and predicted mode of each image."""
        f, logits = evaluators.get(self.evaluator_family).features_and_logits(images)
        return f, logits.argmax(1)

    def _reference_features(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Evaluator features of ``n`` reference images, computed once per size and
        evaluator."""
        key = (n, evaluators.get(self.evaluator_family).info["key"])
        if key not in self._reference:
            self._reference[key] = self.embed(self.real_reference(n))
        return self._reference[key]

    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        return self._metrics(samples, len(samples), fid=False)

    def samples_per_evaluation(self, eval_samples: int, mode_samples: int) -> int:
        if self.separate_mode_samples:
            return max(eval_samples, mode_samples)
        return eval_samples

    def evaluate_schedule(self, samples: np.ndarray, eval_samples: int,
                          fid: bool) -> dict[str, float]:
        return self._metrics(samples, eval_samples, fid)

    def _metrics(self, samples: np.ndarray, n_features: int, fid: bool) -> dict[str, float]:
        """Feature metrics (and FID) on the first ``n_features`` samples, modes on all."""
        samples = np.asarray(samples, np.float32)
        if samples.shape[1:] != self.image_shape:
            raise ValueError(f"samples must have shape (n, {', '.join(map(str, self.image_shape))})"
                             f", got {samples.shape}")
        if not np.isfinite(samples).all():
            raise FloatingPointError("generated samples contain NaN or Inf")
        fake, fake_modes = self.embed(samples[:n_features])
        if len(samples) > n_features:
            fake_modes = np.concatenate([fake_modes, self.embed(samples[n_features:])[1]])
        real, _ = self._reference_features(n_features)
        kid = kernel_inception_distance(real, fake)
        extra = {}
        graph, _ = _inception_graph(inception_cache()) if fid else (None, "")
        if graph is not None:
            extra["fid"] = inception.fid_to_statistics(self._fid_reference(n_features),
                                                       samples[:n_features], graph)
        return {
            **extra,
            "fd": frechet_distance(real, fake),
            "kid": kid.mean, "kid_std": kid.std,
            **precision_recall(real, fake, k=3),
            **density_coverage(real, fake, k=5),
            **mode_coverage(fake_modes, self.n_classes),
        }

    def _fid_reference(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Inception statistics of the ``n`` real reference images: computed once, cached
        on disk keyed by the images and the graph."""
        graph, digest = _inception_graph(inception_cache())
        images = self.real_reference(n)
        key = hashlib.sha1(np.ascontiguousarray(images).data).hexdigest()[:12]
        return inception.cached_statistics(
            f"{self.name}-{REAL_SPLIT}-{n}-{key}-graph{digest[:12]}", lambda: images,
            inception_cache(), graph)

    def mode_coverage(self, metrics: Mapping[str, float]) -> float | None:
        """Classes (modes) predicted for at least one sample / classes."""
        return metrics["modes"] / self.n_classes if "modes" in metrics else None

    def sample_quality(self, metrics: Mapping[str, float]) -> float | None:
        """Precision (Kynkaanniemi et al. 2019): generated samples inside the real manifold."""
        return metrics.get("precision")

    def evaluation_info(self, n_fake: int, mode_samples: int = 0,
                        fid: bool = False) -> dict[str, Any]:
        ev = evaluators.get(self.evaluator_family)
        smoke = {"evaluator": evaluators.SMOKE_LABEL} if ev.smoke else {}
        info = {"n_real": n_fake, "n_fake": n_fake, "real_split": REAL_SPLIT, **smoke,
                "backbone": ev.backbone, "evaluator_accuracy": ev.info["accuracy"],
                "features": "evaluator penultimate layer"
                            + (" per channel, concatenated" if self.image_shape[2] == 3
                               and self.evaluator_family == "mnist" else "")}
        if self.separate_mode_samples:
            info["mode_samples"] = self.samples_per_evaluation(n_fake, mode_samples)
        if not fid:
            info["fid"] = f"off in this profile: `run --fid` adds it ({FID_COST})"
            return info
        graph, digest = _inception_graph(inception_cache())
        if graph is None:
            info["fid"] = digest
        else:
            info["fid"] = (f"Inception 2015-12-05 graph ({graph}), {n_fake} fake vs {n_fake} "
                           f"real {REAL_SPLIT} images (real statistics cached)")
            info["fid_graph_sha256"] = digest
        return info


class StackedMNIST(ImageDataset):
    """Three independent MNIST digits as RGB channels; mode = the 3-digit number."""

    separate_mode_samples = True

    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        images = self.train_images  # [N, 28, 28, 1]
        idx = rng.integers([n, 3], seed, int(images.shape[0]))
        stacked = tf.concat([tf.gather(images, idx[:, c]) for c in range(3)], axis=-1)
        return tf.cast(stacked, tf.float32) / 127.5 - 1.0

    def real_reference(self, n: int) -> np.ndarray:
        test = load_split("mnist", REAL_SPLIT).images
        idx = np.random.default_rng(_REFERENCE_SEED).integers(0, len(test), (n, 3))
        return evaluators.to_unit_range(np.concatenate([test[idx[:, c]] for c in range(3)], -1))

    def embed(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        parts = [super(StackedMNIST, self).embed(images[..., c:c + 1]) for c in range(3)]
        features = np.concatenate([f for f, _ in parts], axis=1)
        modes = 100 * parts[0][1] + 10 * parts[1][1] + parts[2][1]
        return features, modes


_RANKING = (("fd", "min"), ("modes", "max"))


@register("mnist")
def mnist() -> ImageDataset:
    return ImageDataset("mnist", "mnist", (28, 28, 1), 10,
                        "MNIST digits, 28x28x1 (LeCun et al. 1998)", _RANKING)


@register("stacked-mnist")
def stacked_mnist() -> StackedMNIST:
    return StackedMNIST("stacked-mnist", "mnist", (28, 28, 3), 1000,
                        "3 MNIST digits as RGB channels, 1000 modes (Metz et al. 2017)",
                        (("modes", "max"), ("mode_kl", "min"), ("fd", "min")))


@register("cifar10")
def cifar10() -> ImageDataset:
    return ImageDataset("cifar10", "cifar10", (32, 32, 3), 10,
                        "CIFAR-10, 32x32x3 (Krizhevsky 2009)", _RANKING)
