import pytest
from fake_records import write_run

from benches.cli import main
from benches.results.compare import compare

GOOD = [{"modes": 8.0, "kl": k} for k in (0.05, 0.06, 0.04, 0.07, 0.05)]
WORSE = [{"modes": 8.0, "kl": k} for k in (0.40, 0.35, 0.52, 0.47, 0.38)]
BETTER = [{"modes": 8.0, "kl": k} for k in (0.010, 0.012, 0.008, 0.011, 0.009)]


def test_significant_regression_fails_only_with_the_flag(tmp_path, capsys):
    a = write_run(tmp_path / "a", {("ring8", "nsgan"): GOOD, ("ring8", "gan"): GOOD})
    b = write_run(tmp_path / "b", {("ring8", "nsgan"): WORSE, ("ring8", "gan"): BETTER})
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "better" in out and "1 significant regression(s)" in out
    assert main(["compare", str(a), str(b), "--fail-on-regression"]) == 1
    # the improvement alone never fails
    assert main(["compare", str(b), str(b), "--fail-on-regression"]) == 0


def test_noise_within_seeds_is_not_a_regression(tmp_path):
    a = write_run(tmp_path / "a", {("ring8", "gan"): GOOD})
    shuffled = [{"modes": 8.0, "kl": k} for k in (0.06, 0.045, 0.05, 0.065, 0.055)]
    b = write_run(tmp_path / "b", {("ring8", "gan"): shuffled})
    assert main(["compare", str(a), str(b), "--fail-on-regression"]) == 0


def test_a_method_that_starts_diverging_is_a_regression(tmp_path):
    a = write_run(tmp_path / "a", {("ring8", "gan"): GOOD})
    b = write_run(tmp_path / "b", {("ring8", "gan"): [None] * 5})
    deltas, _ = compare(a, b)
    (failure,) = [d for d in deltas if d.metric == "failure_rate"]
    assert failure.p_value == pytest.approx(2 / 252)  # Fisher exact, 5/0 vs 0/5
    assert failure.regression
    assert main(["compare", str(a), str(b), "--fail-on-regression"]) == 1


def test_three_seeds_warn_that_significance_is_unreachable(tmp_path, capsys):
    a = write_run(tmp_path / "a", {("ring8", "gan"): GOOD[:3], ("ring8", "only-a"): GOOD[:3]})
    b = write_run(tmp_path / "b", {("ring8", "gan"): WORSE[:3]})
    assert main(["compare", str(a), str(b), "--fail-on-regression"]) == 0
    out = capsys.readouterr().out
    assert "too few seeds" in out and "only-a: only in A" in out
    assert "differ in (profile" not in out


def test_bad_folders_are_usage_errors(tmp_path, capsys):
    a = write_run(tmp_path / "a", {("ring8", "gan"): GOOD})
    b = write_run(tmp_path / "b", {("grid25", "gan"): GOOD})
    assert main(["compare", str(a), str(tmp_path / "missing")]) == 2
    assert "no records folder" in capsys.readouterr().err
    assert main(["compare", str(a), str(b)]) == 2
    assert "share no (dataset, method)" in capsys.readouterr().err
