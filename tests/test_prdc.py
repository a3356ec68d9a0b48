import numpy as np
import pytest

from metrics.prdc import density_coverage, knn_radii, precision_recall


def test_hand_computed_one_dimensional_case():
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.5], [20.0]])
    # k=1 radii of real: 1, 1, 1, 8; the fake at 0.5 lies in the balls of 0 and 1.
    np.testing.assert_allclose(knn_radii(real, 1), [1, 1, 1, 8])
    dc = density_coverage(real, fake, k=1)
    assert dc == {"density": pytest.approx(2 / 2), "coverage": pytest.approx(2 / 4)}
    pr = precision_recall(real, fake, k=1)
    assert pr["precision"] == 0.5
    # fake radii (k=1): both 19.5, so every real point is inside the fake manifold
    assert pr["recall"] == 1.0


def test_identical_distributions_land_near_known_values():
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((2000, 8)), rng.standard_normal((2000, 8))
    dc = density_coverage(real, fake, k=5)
    assert dc["density"] == pytest.approx(1.0, abs=0.08)
    # Naeem et al. 2020: E[coverage] -> 1 - 1/2^k for M = N.
    assert dc["coverage"] == pytest.approx(1 - 0.5 ** 5, abs=0.02)
    pr = precision_recall(real, fake, k=3)
    assert pr["precision"] == pytest.approx(pr["recall"], abs=0.05)
    assert pr["precision"] > 0.6


def test_shifted_fakes_lose_precision_and_coverage():
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((1000, 8)), rng.standard_normal((1000, 8)) + 3.0
    assert precision_recall(real, fake)["precision"] < 0.1
    assert density_coverage(real, fake)["coverage"] < 0.1
