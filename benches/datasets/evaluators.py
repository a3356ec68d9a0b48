"""Evaluator classifiers: the feature space and the mode labels of the image metrics.

One CNN per image family (MNIST digits, CIFAR-10), trained by the suite on the training
split with a fixed seed and cached on disk under ``GANBENCH_CACHE_DIR/evaluators/``,
keyed by the data source (its name and a hash of the training arrays) and the training
recipe, with the test accuracy stored beside the weights (``info.json``). The
penultimate layer (after ReLU) gives the features for the Frechet distance, KID and
precision/recall/density/coverage; the argmax of the logits counts modes.

Both networks use batch normalization (inference statistics at evaluation time); the
CIFAR-10 recipe adds augmentation (random 32x32 crops from 2-pixel zero-padded images
and horizontal flips); its size is set by what trains in well under an hour on a shared
2-core CPU. Inputs are images scaled to [-1, 1], the range
the generators produce.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benches.datasets import image_sources
from benches.results.records import write_atomic

log = logging.getLogger(__name__)

MIN_ACCURACY = {"mnist": 0.990, "cifar10": 0.80}


@dataclass(frozen=True)
class Recipe:
    """Architecture and training schedule of an evaluator (part of its cache key)."""

    blocks: tuple[tuple[int, ...], ...]  # conv widths per block; 2x2 max-pool after each
    feature_dim: int
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    crop_padding: int  # random crops from zero-padded images (0: no augmentation)
    flips: bool
    flatten: bool = False  # flatten the last feature map instead of global average pooling
    seed: int = 0
    train_examples: int | None = None  # the first N training images (None: all)


RECIPES = {
    "mnist": Recipe(blocks=((16,), (32, 32)), feature_dim=64, epochs=5, batch_size=128,
                    learning_rate=3e-3, weight_decay=0.0, crop_padding=0, flips=False,
                    flatten=True),
    "cifar10": Recipe(blocks=((32,), (64, 64), (128, 128)), feature_dim=128, epochs=8,
                      batch_size=128, learning_rate=3e-3, weight_decay=5e-4, crop_padding=2,
                      flips=True),
}
# The smoke profile checks the pipeline, not the methods: its evaluators train in
# seconds (one epoch on 10,000 images, narrow layers), are cached under their own key,
# say "smoke" in every record and table that uses them, and are used by no other profile.
SMOKE_RECIPES = {
    "mnist": Recipe(blocks=((8,), (16,)), feature_dim=32, epochs=1, batch_size=128,
                    learning_rate=3e-3, weight_decay=0.0, crop_padding=0, flips=False,
                    flatten=True, train_examples=10_000),
    "cifar10": Recipe(blocks=((16,), (32,)), feature_dim=32, epochs=1, batch_size=128,
                      learning_rate=3e-3, weight_decay=0.0, crop_padding=0, flips=False,
                      train_examples=10_000),
}
SMOKE_LABEL = ("smoke evaluator (1 epoch on 10,000 images): checks the pipeline; its "
               "metrics are not comparable with other profiles'")
_smoke = False


@contextlib.contextmanager
def recipes_for(profile: str) -> Iterator[None]:
    """Inside the block, evaluators come from the smoke recipes iff ``profile`` is smoke."""
    global _smoke
    before, _smoke = _smoke, profile == "smoke"
    try:
        yield
    finally:
        _smoke = before


def recipe(family: str) -> Recipe:
    """The recipe in effect for ``family`` (see :func:`recipes_for`)."""
    table = SMOKE_RECIPES if _smoke else RECIPES
    if family not in table:
        raise KeyError(f"no evaluator for {family!r}; valid: {', '.join(table)}")
    return table[family]


LOADERS: dict[str, Callable[[str], image_sources.Split]] = {
    "mnist": image_sources.load_mnist, "cifar10": image_sources.load_cifar10}


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """uint8 ``[0, 255]`` to float32 ``[-1, 1]`` (the generators' range)."""
    return images.astype(np.float32) / 127.5 - 1.0


def build_model(recipe: Recipe, input_shape: tuple[int, int, int], classes: int = 10):
    """The evaluator CNN: conv-BN-ReLU blocks, pool or flatten, feature layer, logits."""
    import keras

    keras.utils.set_random_seed(recipe.seed)
    reg = keras.regularizers.l2(recipe.weight_decay)
    layers: list[Any] = [keras.Input(input_shape)]
    for widths in recipe.blocks:
        for width in widths:
            layers += [keras.layers.Conv2D(width, 3, padding="same", use_bias=False,
                                           kernel_regularizer=reg),
                       keras.layers.BatchNormalization(), keras.layers.ReLU()]
        layers.append(keras.layers.MaxPooling2D())
    pool = keras.layers.Flatten() if recipe.flatten else keras.layers.GlobalAveragePooling2D()
    layers += [pool,
               keras.layers.Dense(recipe.feature_dim, kernel_regularizer=reg),
               keras.layers.BatchNormalization(), keras.layers.ReLU(name="features"),
               keras.layers.Dropout(0.2), keras.layers.Dense(classes, name="logits")]
    return keras.Sequential(layers)


def _augment(recipe: Recipe):
    import tensorflow as tf

    def aug(x, y, seed):
        seeds = tf.random.experimental.stateless_split(seed, 2)
        if recipe.flips:
            x = tf.image.stateless_random_flip_left_right(x, seeds[0])
        if recipe.crop_padding:
            h, w, p = x.shape[0], x.shape[1], recipe.crop_padding
            x = tf.image.pad_to_bounding_box(x, p, p, h + 2 * p, w + 2 * p)
            x = tf.image.stateless_random_crop(x, [h, w, x.shape[2]], seeds[1])
        return x, y

    return aug


def train(family: str, recipe: Recipe, train_split: image_sources.Split,
          test_split: image_sources.Split) -> tuple[Any, float]:
    """Train an evaluator and return it with its test accuracy."""
    import keras
    import tensorflow as tf

    model = build_model(recipe, train_split.images.shape[1:])
    n = recipe.train_examples or len(train_split.images)
    x = to_unit_range(train_split.images[:n])
    ds = tf.data.Dataset.from_tensor_slices((x, train_split.labels[:n]))
    ds = ds.shuffle(len(x), seed=recipe.seed, reshuffle_each_iteration=True)
    if recipe.flips or recipe.crop_padding:
        seeds = tf.data.Dataset.random(seed=recipe.seed).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda xy, s: _augment(recipe)(xy[0], xy[1], s), num_parallel_calls=2)
    ds = ds.batch(recipe.batch_size).prefetch(2)
    steps = recipe.epochs * int(np.ceil(len(x) / recipe.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps, warmup_target=recipe.learning_rate, warmup_steps=steps // 15)
    model.compile(jit_compile=False,  # oneDNN convolutions beat XLA's on CPU here
                  optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(ds, epochs=recipe.epochs, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: log.info(
                  "%s evaluator epoch %d/%d: loss %.4f, train accuracy %.4f", family, e + 1,
                  recipe.epochs, logs["loss"], logs["accuracy"]))])
    logits = model.predict(to_unit_range(test_split.images), batch_size=500, verbose=0)
    accuracy = float((logits.argmax(1) == test_split.labels).mean())
    return model, accuracy


class Evaluator:
    """A trained classifier: ``features`` and ``predict`` on images in [-1, 1]."""

    def __init__(self, family: str, model: Any, info: dict[str, Any]):
        import keras
        import tensorflow as tf

        self.family = family
        self.info = info
        head = keras.Model(model.inputs, [model.get_layer("features").output,
                                          model.get_layer("logits").output])
        self._apply = tf.function(lambda x: head(x, training=False), autograph=False)

    @property
    def smoke(self) -> bool:
        return bool(self.info.get("smoke"))

    @property
    def backbone(self) -> str:
        kind = "smoke evaluator " if self.smoke else ""
        return (f"{self.family}-cnn {kind}{self.info['key']} "
                f"(test accuracy {self.info['accuracy']:.4f})")

    def features_and_logits(self, images: np.ndarray, batch: int = 500
                            ) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = [], []
        for start in range(0, len(images), batch):
            f, lg = self._apply(np.asarray(images[start:start + batch], np.float32))
            feats.append(f.numpy())
            logits.append(lg.numpy())
        return np.concatenate(feats).astype(np.float64), np.concatenate(logits)

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self.features_and_logits(images)[1].argmax(1)


def cache_key(family: str, recipe: Recipe, train_split: image_sources.Split) -> str:
    fields = dataclasses.asdict(recipe)
    if fields["train_examples"] is None:  # keeps the keys of caches made before the field
        del fields["train_examples"]
    digest = hashlib.sha1()
    digest.update(json.dumps([family, train_split.source, fields], sort_keys=True).encode())
    digest.update(np.ascontiguousarray(train_split.images).data)
    digest.update(np.ascontiguousarray(train_split.labels).data)
    return digest.hexdigest()[:12]


def evaluator_dir(family: str, key: str) -> Path:
    return image_sources.cache_dir() / "evaluators" / f"{family}-{key}"


_LOADED: dict[tuple[str, str], Evaluator] = {}
_LOADED_FOR: dict[tuple[Any, ...], Evaluator] = {}  # by family, recipe, loader, folders


def forget() -> None:
    """Drop the evaluators loaded in this process (the next ``get`` reads the disk)."""
    _LOADED.clear()
    _LOADED_FOR.clear()


def get(family: str, *, train_if_missing: bool = True) -> Evaluator:
    """The cached evaluator of ``family`` for the configured data and the recipe in effect
    (:func:`recipe`); trained if missing, once: parallel workers wait on a lock file while
    one of them trains it.

    Loaded (and its feature function traced) once per process, recipe and data folder:
    later calls neither reread the training split nor hash it.
    """
    chosen = recipe(family)
    where = (family, chosen, LOADERS[family], str(image_sources.data_dir()),
             str(image_sources.cache_dir()))
    if where not in _LOADED_FOR:
        _LOADED_FOR[where] = _load(family, chosen, train_if_missing)
    return _LOADED_FOR[where]


def _load(family: str, chosen: Recipe, train_if_missing: bool) -> Evaluator:
    import keras

    train_split = LOADERS[family]("train")
    key = cache_key(family, chosen, train_split)
    if (family, key) in _LOADED:
        return _LOADED[(family, key)]
    folder = evaluator_dir(family, key)
    with image_sources.cache_lock(folder.with_name(f"{folder.name}.lock")):
        if not (folder / "info.json").is_file():
            if not train_if_missing:
                raise FileNotFoundError(f"{folder}: no trained {family} evaluator; run "
                                        "`python -m benches evaluators` to train it")
            _train_and_save(family, chosen, key, train_split, folder)
    info = json.loads((folder / "info.json").read_text())
    model = keras.models.load_model(folder / "model.keras", compile=False)
    evaluator = Evaluator(family, model, info)
    _LOADED[(family, key)] = evaluator
    return evaluator


def _train_and_save(family: str, chosen: Recipe, key: str, train_split: image_sources.Split,
                    folder: Path) -> None:
    smoke = chosen == SMOKE_RECIPES.get(family)
    log.info("training the %s%s evaluator (key %s); this happens once", family,
             " smoke" if smoke else "", key)
    start = time.perf_counter()
    model, accuracy = train(family, chosen, train_split, LOADERS[family]("test"))
    info = {"family": family, "key": key, "accuracy": accuracy, "smoke": smoke,
            "data_source": train_split.source, "recipe": dataclasses.asdict(chosen),
            "train_seconds": time.perf_counter() - start,
            "n_train": chosen.train_examples or len(train_split.images)}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "model.tmp.keras"
    model.save(tmp)
    tmp.replace(folder / "model.keras")
    write_atomic(folder / "info.json", json.dumps(info, indent=1) + "\n")
    if not smoke and accuracy < MIN_ACCURACY[family]:
        log.warning("%s evaluator test accuracy %.4f is below the target %.3f",
                    family, accuracy, MIN_ACCURACY[family])
