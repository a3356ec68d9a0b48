import itertools
import math

import numpy as np
import pytest
from scipy import stats

from benches.results.significance import mann_whitney_p, min_p_value


def brute_force_p(a, b):
    """Two-sided exact MWU p by enumerating every split of the pooled values (midranks)."""
    pooled = np.concatenate([a, b]).astype(np.float64)
    ranks = stats.rankdata(pooled)
    n1 = len(a)
    mean_u = n1 * len(b) / 2

    def u(idx):
        return ranks[list(idx)].sum() - n1 * (n1 + 1) / 2

    observed = abs(u(range(n1)) - mean_u)
    splits = list(itertools.combinations(range(len(pooled)), n1))
    return sum(abs(u(s) - mean_u) >= observed - 1e-12 for s in splits) / len(splits)


def test_matches_scipy_exact_without_ties():
    a = np.array([0.12, 0.40, 0.33, 0.28, 0.51])
    b = np.array([0.62, 0.47, 0.70, 0.58, 0.66, 0.49])
    expected = stats.mannwhitneyu(a, b, alternative="two-sided", method="exact").pvalue
    assert mann_whitney_p(a, b) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("a,b", [([8, 8, 8], [7, 7, 7]), ([8, 7, 8, 8, 6], [6, 6, 7, 5, 6]),
                                 ([1, 2, 2, 4, 5], [2, 7, 8, 9, 10])])
def test_exact_under_ties_matches_enumeration(a, b):
    assert mann_whitney_p(np.array(a), np.array(b)) == pytest.approx(brute_force_p(a, b))


def test_three_seeds_can_never_reach_five_percent():
    assert min_p_value(3, 3) == pytest.approx(0.1)
    assert mann_whitney_p(np.array([1.0, 2, 3]), np.array([10.0, 11, 12])) == pytest.approx(0.1)
    assert min_p_value(5, 5) == pytest.approx(2 / 252)


def test_single_seed_against_several():
    assert mann_whitney_p(np.array([10.0]), np.array([0.0])) == pytest.approx(1.0)
    assert mann_whitney_p(np.array([10.0]), np.array([0.0, 1, 2])) == pytest.approx(0.5)


def test_identical_and_empty():
    assert mann_whitney_p(np.array([8.0, 8.0]), np.array([8.0, 8.0, 8.0])) == 1.0
    assert math.isnan(mann_whitney_p(np.array([]), np.array([1.0])))


def test_large_samples_use_the_normal_approximation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(0.5, size=40)
    expected = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").pvalue
    assert mann_whitney_p(a, b) == pytest.approx(expected, rel=1e-12)
