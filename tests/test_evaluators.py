import dataclasses
import json

import numpy as np
import pytest

from benches import datasets
from benches.datasets import evaluators, image_sources


def _toy_split(n: int, seed: int) -> image_sources.Split:
    # Two classes a small CNN separates at once: bright top half vs bright bottom half.
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 60, (n, 8, 8, 1))
    images[labels == 0, :4] += 180
    images[labels == 1, 4:] += 180
    return image_sources.Split(images.astype(np.uint8), labels.astype(np.int64), "toy")


def test_trains_caches_and_reloads_a_tiny_evaluator(tmp_path, monkeypatch):
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path))
    recipe = evaluators.Recipe(blocks=((4,),), feature_dim=8, epochs=3, batch_size=32,
                               learning_rate=1e-2, weight_decay=0.0, crop_padding=1,
                               flips=True)
    monkeypatch.setitem(evaluators.RECIPES, "toy", recipe)
    monkeypatch.setitem(evaluators.MIN_ACCURACY, "toy", 0.9)
    splits = {"train": _toy_split(256, 0), "test": _toy_split(128, 1)}
    monkeypatch.setitem(evaluators.LOADERS, "toy", splits.__getitem__)
    ev = evaluators.get("toy")
    assert ev.info["accuracy"] > 0.9
    folder = evaluators.evaluator_dir("toy", ev.info["key"])
    assert json.loads((folder / "info.json").read_text())["data_source"] == "toy"
    feats, logits = ev.features_and_logits(evaluators.to_unit_range(splits["test"].images))
    assert feats.shape == (128, 8) and logits.shape == (128, 10)  # 10-way head
    # the key changes with the recipe and with the data, so stale caches are never used
    other = dataclasses.replace(recipe, epochs=4)
    assert evaluators.cache_key("toy", other, splits["train"]) != ev.info["key"]
    assert evaluators.cache_key("toy", recipe, splits["test"]) != ev.info["key"]
    evaluators._LOADED.clear()
    again = evaluators.get("toy", train_if_missing=False)
    np.testing.assert_allclose(again.features_and_logits(
        evaluators.to_unit_range(splits["test"].images))[0], feats, rtol=1e-5, atol=1e-5)


def test_smoke_evaluators_are_used_only_in_smoke_cached_apart_and_labelled(tmp_path,
                                                                          monkeypatch):
    import fcntl

    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path))
    full = evaluators.Recipe(blocks=((4,),), feature_dim=8, epochs=2, batch_size=32,
                             learning_rate=1e-2, weight_decay=0.0, crop_padding=0, flips=False)
    smoke = dataclasses.replace(full, epochs=1, train_examples=64)
    monkeypatch.setitem(evaluators.RECIPES, "toy", full)
    monkeypatch.setitem(evaluators.SMOKE_RECIPES, "toy", smoke)
    monkeypatch.setitem(evaluators.MIN_ACCURACY, "toy", 0.9)
    splits = {"train": _toy_split(256, 0), "test": _toy_split(64, 1)}
    monkeypatch.setitem(evaluators.LOADERS, "toy", splits.__getitem__)
    real_train = evaluators._train_and_save
    trained = []

    def train_under_lock(family, recipe, key, split, folder):
        # a second worker cannot take the lock while this one trains
        with (open(folder.with_name(f"{folder.name}.lock"), "a") as other,
              pytest.raises(BlockingIOError)):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        trained.append(recipe)
        return real_train(family, recipe, key, split, folder)

    monkeypatch.setattr(evaluators, "_train_and_save", train_under_lock)
    with evaluators.recipes_for("smoke"):
        small = evaluators.get("toy")
    with evaluators.recipes_for("quick"):
        big = evaluators.get("toy")
    assert evaluators.get("toy") is big  # outside any profile: the full recipe
    assert trained == [smoke, full]
    assert small.info["key"] != big.info["key"] and small.info["n_train"] == 64
    assert small.smoke and "smoke evaluator" in small.backbone
    assert not big.smoke and "smoke" not in big.backbone


def test_missing_evaluator_says_how_to_train(tmp_path, monkeypatch):
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setitem(evaluators.LOADERS, "mnist", lambda split: _toy_split(16, 0))
    with pytest.raises(FileNotFoundError, match="python -m benches evaluators"):
        evaluators.get("mnist", train_if_missing=False)


def _cached_or_skip(family: str) -> evaluators.Evaluator:
    if image_sources.data_dir() is None:
        pytest.skip(f"set {image_sources.DATA_DIR_ENV} to the offline data to test on real "
                    f"{family}")
    try:
        return evaluators.get(family, train_if_missing=False)
    except FileNotFoundError as exc:
        pytest.skip(f"no cached {family} evaluator ({exc})")


@pytest.mark.parametrize("family", ["mnist", "cifar10"])
def test_cached_evaluator_meets_its_accuracy_and_finds_all_classes(family):
    ev = _cached_or_skip(family)
    assert ev.info["accuracy"] >= evaluators.MIN_ACCURACY[family]
    test = evaluators.LOADERS[family]("test")
    # A random subset: the CIFAR-10 image folder lists the test split class by class.
    idx = np.random.default_rng(1).choice(len(test.images), 2000, replace=False)
    m = datasets.get(family).evaluate(evaluators.to_unit_range(test.images[idx]))
    assert m["modes"] == 10 and m["mode_kl"] < 0.05
    assert m["precision"] > 0.5 and m["recall"] > 0.5


def test_real_stacked_mnist_covers_about_all_1000_modes():
    _cached_or_skip("mnist")
    ds = datasets.get("stacked-mnist")
    m = ds.evaluate(ds.real_reference(10_000))
    # 10,000 uniform draws over 1000 modes miss 1000 * e^-10 ~ 0.05 modes in expectation;
    # the evaluator's ~1% error per digit only moves samples between modes.
    assert m["modes"] >= 995 and m["mode_kl"] < 0.1
