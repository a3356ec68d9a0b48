import numpy as np
import pytest

from metrics.kid import kernel_inception_distance, mmd2_unbiased


def test_mmd2_unbiased_against_a_direct_double_sum():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((5, 3)) + 1.0

    def k(a, b):
        return (a @ b / 3 + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    assert mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_about_zero_for_one_distribution_and_positive_when_shifted():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((2000, 16)), rng.standard_normal((2000, 16))
    same = kernel_inception_distance(x, y, subsets=20, subset_size=500)
    shifted = kernel_inception_distance(x, y + 0.5, subsets=20, subset_size=500)
    assert abs(same.mean) < 3 * same.std + 1e-3
    assert shifted.mean > 10 * max(same.std, abs(same.mean))
    assert shifted.std > 0


def test_kid_is_the_mean_of_mmd2_over_the_same_random_subsets():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(60, 4)), rng.normal(0.3, 1.0, size=(50, 4))
    draws = np.random.default_rng(7)
    values = []
    for _ in range(5):
        r = real[draws.choice(60, 40, replace=False)]
        values.append(mmd2_unbiased(r, fake[draws.choice(50, 40, replace=False)]))
    kid = kernel_inception_distance(real, fake, subsets=5, subset_size=40, seed=7)
    assert kid.mean == pytest.approx(np.mean(values), rel=1e-10)
    assert kid.std == pytest.approx(np.std(values), rel=1e-8)
