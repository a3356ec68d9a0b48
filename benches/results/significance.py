"""Mann-Whitney U tests between two methods' per-seed values.

Mann & Whitney 1947, "On a test of whether one of two random variables is
stochastically larger than the other" (Ann. Math. Statist. 18(1)). Rank-based, so it
assumes nothing about the metric's distribution across seeds. Small samples get the
exact permutation distribution (correct under ties, which integer metrics such as modes
captured produce); large ones the normal approximation with tie correction.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

ALPHA = 0.05
EXACT_LIMIT = 100_000  # largest number of rank arrangements enumerated exactly


def min_p_value(n1: int, n2: int) -> float:
    """Smallest two-sided p the test can reach with ``n1`` and ``n2`` values (no ties).

    With 3 seeds against 3 it is 2 / C(6, 3) = 0.1, so no difference between two
    3-seed methods can be significant at 0.05; 5 seeds against 5 reach 2 / 252 = 0.008.
    """
    if n1 < 1 or n2 < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


def mann_whitney_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Mann-Whitney U p-value of ``a`` against ``b``; NaN if either is empty."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        return math.nan
    if np.array_equal(np.unique(a), np.unique(b)) and np.unique(a).size == 1:
        return 1.0  # all values equal: no evidence of any difference
    arrangements = math.comb(a.size + b.size, a.size)
    if min(a.size, b.size) < 2:
        method = "exact"  # scipy's permutation test needs two values a side
    elif arrangements <= EXACT_LIMIT:
        method = stats.PermutationMethod(n_resamples=arrangements)
    else:
        method = "asymptotic"
    return float(stats.mannwhitneyu(a, b, alternative="two-sided", method=method).pvalue)
