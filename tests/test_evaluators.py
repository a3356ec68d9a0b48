import dataclasses
import json

import numpy as np
import pytest

from benches import datasets
from benches.datasets import evaluators, image_sources, images
from benches.run.profiles import PROFILES, schedule


def _toy_split(n: int, seed: int) -> image_sources.Split:
    # Two classes a small CNN separates at once: bright top half vs bright bottom half.
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 60, (n, 8, 8, 1))
    images[labels == 0, :4] += 180
    images[labels == 1, 4:] += 180
    return image_sources.Split(images.astype(np.uint8), labels.astype(np.int64), "toy")


def _toy_evaluator(monkeypatch, tmp_path, recipe, min_accuracy):
    """Register evaluator family "toy" with ``recipe``, cached under ``tmp_path``."""
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setitem(evaluators.RECIPES, "toy", recipe)
    monkeypatch.setitem(evaluators.MIN_ACCURACY, "toy", min_accuracy)


def test_trains_caches_and_reloads_a_tiny_evaluator(tmp_path, monkeypatch):
    recipe = evaluators.Recipe(blocks=((4,),), feature_dim=8, epochs=3, batch_size=32,
                               learning_rate=1e-2, weight_decay=0.0, crop_padding=1,
                               flips=True)
    _toy_evaluator(monkeypatch, tmp_path, recipe, 0.9)
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
    evaluators.forget()
    again = evaluators.get("toy", train_if_missing=False)
    np.testing.assert_allclose(again.features_and_logits(
        evaluators.to_unit_range(splits["test"].images))[0], feats, rtol=1e-5, atol=1e-5)


def test_smoke_evaluators_are_used_only_in_smoke_cached_apart_and_labelled(tmp_path,
                                                                          monkeypatch):
    import fcntl

    full = evaluators.Recipe(blocks=((4,),), feature_dim=8, epochs=2, batch_size=32,
                             learning_rate=1e-2, weight_decay=0.0, crop_padding=0, flips=False)
    _toy_evaluator(monkeypatch, tmp_path, full, 0.9)
    smoke = dataclasses.replace(full, epochs=1, train_examples=64)
    monkeypatch.setitem(evaluators.SMOKE_RECIPES, "toy", smoke)
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


# A small MNIST evaluator: one epoch, ~22 CPU-seconds, 97.7% test accuracy (measured);
# enough for counting Stacked MNIST modes (see the test below).
SMALL_MNIST = evaluators.Recipe(blocks=((8,), (16,)), feature_dim=32, epochs=1,
                                batch_size=128, learning_rate=3e-3, weight_decay=0.0,
                                crop_padding=0, flips=False, flatten=True)


def _papers_mode_samples() -> int:
    counts = {p: schedule(p, "image").mode_samples for p in PROFILES if p != "smoke"}
    # VEEGAN / PacGAN Table 2 count on 26,000 samples, PacGAN Table 3 on 25,600
    assert min(counts.values()) >= 25_600, counts
    return min(counts.values())


def _stacked_mnist_at_the_papers_count() -> tuple[dict[str, float], int]:
    ds = images.stacked_mnist()  # a fresh instance: its reference features are this evaluator's
    n = _papers_mode_samples()
    eval_samples = 1000  # FD, KID, PR/DC on the first 1,000 only (time); modes on all n
    assert ds.samples_per_evaluation(eval_samples, n) == n
    return ds.evaluate_schedule(ds.real_reference(n), eval_samples, fid=False), n


def test_real_stacked_mnist_at_the_papers_count_covers_all_modes(tmp_path, monkeypatch):
    """Real Stacked MNIST, counted as the suite counts generated samples: >= 995 of the
    1,000 modes and mode KL <= 0.05 at the papers' sample count.

    The suite's evaluator is cached nowhere in CI and takes minutes to train, so this
    trains a small one in seconds. It suffices: modes and KL depend on the evaluator only
    through its argmax per channel, and an error rate e per digit only moves samples
    between modes. At N = 26,000 draws over 1,000 modes a perfect classifier misses
    1000 e^-26 ~ 0 modes (the rarest triple, 5-5-5 at 8.92%^3 of the test split, is
    missed with probability e^-18) and its KL sits at the finite-sample floor
    (K - 1) / 2N ~ 0.019 plus the test split's unequal digit frequencies (~0.005). A 2-4%
    error adds at most a few thousandths per channel by unbalancing the predicted digits
    (measured: KL 0.0256 with this evaluator, 0.0245 with the suite's 99% one).
    At the old 2,000 samples even a perfect classifier finds only ~865 modes.
    """
    if image_sources.data_dir() is None:
        pytest.skip(f"set {image_sources.DATA_DIR_ENV} to the offline data to test on real "
                    "Stacked MNIST")
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path))  # never the real one
    monkeypatch.setitem(evaluators.RECIPES, "mnist", SMALL_MNIST)
    monkeypatch.setitem(evaluators.MIN_ACCURACY, "mnist", 0.96)
    ev = evaluators.get("mnist")
    assert ev.info["accuracy"] >= 0.96
    m, n = _stacked_mnist_at_the_papers_count()
    assert m["modes"] >= 995 and m["mode_kl"] <= 0.05, (n, m["modes"], m["mode_kl"])


def test_real_stacked_mnist_with_the_suites_evaluator():
    _cached_or_skip("mnist")
    m, _ = _stacked_mnist_at_the_papers_count()
    assert m["modes"] >= 995 and m["mode_kl"] <= 0.05


def test_an_evaluator_is_loaded_once_per_process_and_data_folder(tmp_path, monkeypatch):
    recipe = evaluators.Recipe(blocks=((2,),), feature_dim=4, epochs=1, batch_size=32,
                               learning_rate=1e-2, weight_decay=0.0, crop_padding=0,
                               flips=False)
    _toy_evaluator(monkeypatch, tmp_path, recipe, 0.0)
    reads = []

    def load(split):
        reads.append(split)
        return _toy_split(64, 0)

    monkeypatch.setitem(evaluators.LOADERS, "toy", load)
    first = evaluators.get("toy")
    n_reads = len(reads)
    assert evaluators.get("toy") is first and len(reads) == n_reads  # no reread, no rehash
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path / "other"))
    evaluators.get("toy")  # another cache folder: looked up again
    assert len(reads) > n_reads
