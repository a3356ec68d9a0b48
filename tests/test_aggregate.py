import math

import numpy as np
import pytest
from fake_records import fake_record
from scipy import stats

from benches.results.aggregate import Entry, group, primary_metrics, summarize


def test_summary_matches_numpy_and_scipy_t_interval():
    x = np.array([0.31, 0.27, 0.45, 0.39, 0.22], dtype=np.float64)
    s = summarize(x)
    assert s.n == 5
    assert s.mean == pytest.approx(np.mean(x), rel=1e-15)
    assert s.std == pytest.approx(np.std(x, ddof=1), rel=1e-15)
    low, high = stats.t.interval(0.95, df=4, loc=np.mean(x), scale=stats.sem(x))
    assert (s.ci_low, s.ci_high) == pytest.approx((low, high), rel=1e-12)


def test_t_interval_hand_value_for_three_seeds():
    # mean 2, std 1, t_{0.975,2} = 4.302652729749464 -> half width 4.30265 / sqrt(3) (t table)
    s = summarize([1.0, 2.0, 3.0])
    half = 4.302652729749464 / math.sqrt(3)
    assert (s.ci_low, s.ci_high) == pytest.approx((2 - half, 2 + half), rel=1e-12)


def test_degenerate_sizes():
    assert summarize([]).n == 0 and math.isnan(summarize([]).mean)
    one = summarize([4.0])
    assert one.mean == 4.0 and math.isnan(one.std) and math.isnan(one.ci_low)


def test_failed_seeds_count_in_failure_rate_not_in_means():
    e = Entry("ring8", "gan", [
        fake_record(seed=0, metrics={"modes": 8.0}),
        fake_record(seed=1, metrics={"modes": 6.0}),
        fake_record(seed=2, status="diverged"),
        fake_record(seed=3, metrics={"modes": 7.0}),
    ])
    assert e.failure_rate == pytest.approx(0.25)
    assert e.summary("modes").mean == pytest.approx(7.0)  # mean, never the best (8)
    assert e.summary("modes").n == 3
    assert [r["seed"] for r in e.ok] == [0, 1, 3]


def test_curve_averages_seeds_per_step():
    e = Entry("ring8", "gan", [fake_record(seed=0, metrics={"kl": 1.0}),
                               fake_record(seed=1, metrics={"kl": 3.0})])
    assert e.curve("kl") == [(100.0, 1.0), (200.0, 2.0)]
    assert e.curve("g_grad_norm") == [(100.0, 0.5), (200.0, 0.25)]


def test_group_and_primary_metrics_from_records():
    records = [fake_record("ring8", "gan", 0, metrics={}), fake_record("ring8", "nsgan", 0),
               fake_record("dirac", "gan", 0, primary=[["distance", "min"]])]
    table = group(records)
    assert set(table) == {"ring8", "dirac"} and set(table["ring8"]) == {"gan", "nsgan"}
    assert primary_metrics(table["dirac"].values()) == (("distance", "min"),)
    assert primary_metrics(table["ring8"].values())[0] == ("modes", "max")
