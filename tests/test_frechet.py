import numpy as np
import pytest
import scipy.linalg

from metrics.frechet import (
    frechet_distance,
    frechet_from_moments,
    trace_sqrt_product,
    trace_sqrt_product_sqrtm,
)


def _random_cov(rng, d):
    a = rng.standard_normal((d, 2 * d))
    return a @ a.T / (2 * d)


def test_matches_the_closed_form_for_commuting_gaussians():
    # Diagonal covariances: d^2 = |dm|^2 + sum (sqrt(a) - sqrt(b))^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert frechet_from_moments(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected)


def test_trace_term_agrees_with_scipy_sqrtm():
    rng = np.random.default_rng(0)
    s1, s2 = _random_cov(rng, 64), _random_cov(rng, 64)
    assert trace_sqrt_product(s1, s2) == pytest.approx(trace_sqrt_product_sqrtm(s1, s2),
                                                       rel=1e-6)
    # and with an independent route: sqrtm of each factor
    a = scipy.linalg.sqrtm(s1).real
    assert trace_sqrt_product(s1, s2) == pytest.approx(
        np.trace(scipy.linalg.sqrtm(a @ s2 @ a).real), rel=1e-6)


def test_large_samples_approach_the_population_distance():
    rng = np.random.default_rng(1)
    d = 4
    s1, s2 = _random_cov(rng, d), _random_cov(rng, d)
    mu1, mu2 = np.zeros(d), np.full(d, 0.5)
    x = rng.multivariate_normal(mu1, s1, 200_000)
    y = rng.multivariate_normal(mu2, s2, 200_000)
    exact = frechet_from_moments(mu1, s1, mu2, s2)
    assert frechet_distance(x, y) == pytest.approx(exact, rel=0.02)


def test_zero_for_identical_sets_and_symmetric():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((500, 8)), rng.standard_normal((400, 8)) + 0.3
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(x, y) == pytest.approx(frechet_distance(y, x), rel=1e-9)
    assert frechet_distance(x, y) > 0.5


def test_rejects_too_few_samples():
    with pytest.raises(ValueError, match="n >= 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
