import math

import numpy as np
import pytest
import tensorflow as tf

from benches import datasets
from metrics.mixture import mixture_metrics, mode_kl


@pytest.mark.parametrize("name,n_modes,std", [("ring8", 8, 0.01), ("grid25", 25, 0.05)])
def test_dataset_means_and_stds(name, n_modes, std):
    ds = datasets.get(name)
    assert ds.means.shape == (n_modes, 2)
    x = ds.sample_real(tf.constant([3, 4], tf.int64), 50_000).numpy().astype(np.float64)
    idx = ((x[:, None] - ds.means[None]) ** 2).sum(-1).argmin(1)
    resid = x - ds.means[idx]
    assert resid.std(0) == pytest.approx([std, std], rel=0.03)
    counts = np.bincount(idx, minlength=n_modes) / len(x)
    assert np.abs(counts - 1 / n_modes).max() < 0.01


def test_ring_and_grid_means():
    ring = datasets.get("ring8").means
    np.testing.assert_allclose(ring[2], [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 1.0)
    grid = datasets.get("grid25").means
    assert set(np.unique(grid)) == {-4.0, -2.0, 0.0, 2.0, 4.0}


def test_sampling_is_deterministic_in_the_seed():
    ds = datasets.get("grid25")
    a = ds.sample_real(tf.constant([1, 2], tf.int64), 100).numpy()
    b = ds.sample_real(tf.constant([1, 2], tf.int64), 100).numpy()
    c = ds.sample_real(tf.constant([1, 3], tf.int64), 100).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_true_sampler_captures_every_mode(name):
    ds = datasets.get(name)
    x = ds.sample_real(tf.constant([0, 1], tf.int64), 2500).numpy()
    m = mixture_metrics(x, ds.means, ds.std)
    assert m["modes"] == len(ds.means)
    # 2D Gaussian: P(|x - mu| <= 3 sigma) = 1 - exp(-9/2).
    assert m["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.006)
    assert m["kl"] < 0.02


def test_sampler_stuck_on_one_mode_captures_exactly_one():
    ds = datasets.get("grid25")
    rng = np.random.default_rng(0)
    x = ds.means[7] + ds.std * rng.standard_normal((2500, 2))
    m = mixture_metrics(x, ds.means, ds.std)
    assert m["modes"] == 1
    assert m["kl"] == pytest.approx(math.log(25), rel=1e-9)


def test_far_samples_are_low_quality_and_capture_nothing():
    ds = datasets.get("ring8")
    m = mixture_metrics(np.full((100, 2), 5.0), ds.means, ds.std)
    assert m["high_quality"] == 0.0 and m["modes"] == 0
    # no high-quality sample: the documented value ln K (PacGAN's code gives 0/0 = NaN)
    assert m["kl"] == pytest.approx(math.log(8), rel=1e-12)


def test_kl_bins_only_high_quality_samples_as_pacgan():
    """PacGAN (fjxmlzn/PacGAN, pacgan/extensions.py, MetricLogger): the histogram holds the
    samples within 3 std of their nearest mode; reverse KL = ln K - scipy entropy of it."""
    from scipy.stats import entropy

    ds = datasets.get("ring8")
    good = {0: 30, 1: 10, 5: 20}  # high-quality samples per mode, 2 std off the mean
    off = [(0, 200), (3, 100), (6, 50)]  # 10 std off: nearest mode 0, 3, 6 but low quality
    x = np.concatenate(
        [np.repeat(ds.means[[k]] + [[0.0, 2 * ds.std]], n, 0) for k, n in good.items()]
        + [np.repeat(1.1 * ds.means[[k]], n, 0) for k, n in off])
    m = mixture_metrics(x, ds.means, ds.std)
    hist = np.zeros(8)
    hist[list(good)] = list(good.values())
    assert m["kl"] == pytest.approx(math.log(8) - entropy(hist / hist.sum()), rel=1e-12)
    assert m["high_quality"] == pytest.approx(60 / 410, rel=1e-12)
    assert m["modes"] == 3
    # the old definition binned every sample by its nearest mode
    all_hist = hist + np.bincount([k for k, n in off for _ in range(n)], minlength=8)
    assert m["kl"] != pytest.approx(math.log(8) - entropy(all_hist / all_hist.sum()), rel=1e-3)


def test_blurry_generator_spread_evenly_no_longer_scores_near_zero_kl():
    # Each mode blurred to 50x its std, equal mass per mode: every nearest-mode bin is
    # equally full (all-sample KL ~0.001, the old value), but only ~0.2% of the samples
    # (1 - exp(-9/2 / 50^2)) lie within 3 std, so the high-quality histogram is sparse.
    ds = datasets.get("ring8")
    rng = np.random.default_rng(0)
    k = np.arange(2500) % 8
    x = ds.means[k] + 50 * ds.std * rng.standard_normal((2500, 2))
    idx = ((x[:, None] - ds.means[None]) ** 2).sum(-1).argmin(1)
    assert mode_kl(idx, 8) < 0.01  # the old, all-sample value
    m = mixture_metrics(x, ds.means, ds.std)
    assert m["high_quality"] < 0.01
    assert m["kl"] >= math.log(8 / m["modes"]) - 1e-12  # KL >= ln(K / support)
    assert m["kl"] > 0.5


def test_mode_kl_against_scipy():
    from scipy.stats import entropy

    idx = np.array([0, 0, 1, 2, 2, 2, 3])
    p = np.bincount(idx, minlength=5) / len(idx)
    assert mode_kl(idx, 5) == pytest.approx(entropy(p, np.full(5, 0.2)), rel=1e-12)


def test_bad_sample_shapes_are_rejected():
    ds = datasets.get("ring8")
    with pytest.raises(ValueError, match="shape"):
        mixture_metrics(np.zeros((10, 3)), ds.means, ds.std)
    with pytest.raises(FloatingPointError):
        mixture_metrics(np.full((10, 2), np.nan), ds.means, ds.std)
