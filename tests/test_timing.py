import json

import numpy as np
import pytest
import tensorflow as tf
from fake_records import fake_record

import methods
from benches import datasets
from benches.cli import main
from benches.results.leaderboard import build_board, group, markdown
from benches.run import runtime
from benches.run.cell import run_cell
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell
from benches.run.timing import SyntheticReal
from benches.train.throughput import call_timing
from benches.train.trainer import Trainer


def test_summary_by_hand():
    # first call compiles; the second is warm-up; windows of 10 steps take 0.1, 0.2, 0.05 s
    t = call_timing([3.0, 0.5, 0.1, 0.2, 0.05], steps_per_call=10, batch_size=8, xla=True)
    assert t["warmup_calls"] == 1 and t["timed_windows"] == 3
    assert t["steps_per_second_windows"] == pytest.approx([100.0, 50.0, 200.0])
    assert t["steps_per_second"] == pytest.approx(100.0)
    assert t["steps_per_second_iqr"] == pytest.approx([75.0, 150.0])
    assert t["samples_per_second"] == pytest.approx(800.0)
    assert t["compile_seconds"] == pytest.approx(3.0 - 0.1)
    assert t["first_call_seconds"] == 3.0 and t["xla"] is True


def test_a_single_compiling_call_is_not_reported_as_speed():
    """--steps at or below steps per call: the one call includes compilation."""
    t = call_timing([3.0], steps_per_call=10, batch_size=8, xla=True)
    assert t["steps_per_second"] is None and t["compile_seconds"] is None
    assert t["first_call_seconds"] == 3.0 and t["timed_windows"] == 0
    assert "not measured" in t["note"]
    fast = fake_record(label="nsgan", metrics={"modes": 8})
    slow = fake_record(label="gan", metrics={"modes": 8})
    slow["timing"] = t
    md = markdown(build_board("ring8", group([fast, slow])["ring8"]))
    row = next(ln for ln in md.splitlines() if "| gan |" in ln)
    assert row.split(" | ")[6:9] == ["—", "—", "—"]  # steps/s, cost vs nsgan, compile s


@pytest.mark.parametrize("seconds", [[1.0, 0.3], [2.0, 0.4, 0.1, 0.3, 0.2, 0.25]])
def test_iqr_brackets_median_for_any_window_count(seconds):
    t = call_timing(seconds, steps_per_call=5, batch_size=4, xla=False)
    lo, hi = t["steps_per_second_iqr"]
    assert lo <= t["steps_per_second"] <= hi
    assert t["compile_seconds"] >= 0


def test_summary_needs_a_call():
    with pytest.raises(ValueError, match="no timed calls"):
        call_timing([], steps_per_call=1, batch_size=1, xla=True)


def test_record_timing_fields_are_consistent(tmp_path):
    record = run_cell(plan_cell(Cell(MethodSpec("nsgan"), "ring8", 0), "smoke", steps=200))
    assert record["status"] == "ok", record["error"]
    t = record["timing"]
    assert t["xla"] is True and t["steps_per_call"] == 50
    assert t["warmup_calls"] == 1 and t["timed_windows"] == 2
    lo, hi = t["steps_per_second_iqr"]
    assert 0 < lo <= t["steps_per_second"] <= hi
    assert t["samples_per_second"] == pytest.approx(t["steps_per_second"] * 128)
    call_seconds = 50 / t["steps_per_second"]
    assert t["first_call_seconds"] == pytest.approx(t["compile_seconds"] + call_seconds)
    assert t["runtime"] == runtime.settings()


def test_runtime_settings_are_applied_once_and_bad_values_rejected(monkeypatch):
    assert runtime.configure() is runtime.configure()
    assert runtime.settings()["intra_op_threads"] == runtime.DEFAULT_THREADS[
        "GANBENCH_INTRA_OP_THREADS"]
    monkeypatch.setenv("GANBENCH_INTRA_OP_THREADS", "two")
    with pytest.raises(ValueError, match="GANBENCH_INTRA_OP_THREADS='two': expected a non-neg"):
        runtime._threads("GANBENCH_INTRA_OP_THREADS")


def test_synthetic_real_batches_match_the_generator_output():
    ds = SyntheticReal(datasets.get("grid25"))
    assert ds.sample_shape == (2,)
    x = ds.sample_real(tf.constant([1, 2], tf.int64), 1000).numpy()
    assert x.shape == (1000, 2) and x.min() >= -1 and x.max() < 1
    assert abs(x.mean()) < 0.05 and x.std() == pytest.approx(1 / np.sqrt(3), rel=0.05)
    assert ds.source == "synthetic stand-in for synthetic"


def test_xla_on_and_off_agree_on_one_step_parameters():
    def one_step(xla):
        t = Trainer(methods.get("gan").build(), datasets.get("grid25"), seed=7, batch_size=64,
                    steps_per_call=1, xla=xla)
        t.train_call()
        return [p.numpy() for p in (*t.g_params, *t.d_params)]

    for a, b in zip(one_step(True), one_step(False), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_timing_command_on_a_tiny_config(tmp_path, capsys):
    out = tmp_path / "timing"
    argv = ["timing", "--methods", "nsgan,gan:lr=1e-3", "--datasets", "ring8",
            "--profile", "smoke", "--windows", "3", "--steps-per-call", "5",
            "--batch-sizes", "16,128", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    table = (out / "timing.md").read_text()
    assert table in printed
    assert "| ring8 | nsgan | 128 | 5 |" in table and "| ring8 | gan[lr=0.001] | 16 |" in table
    data = json.loads((out / "timing.json").read_text())
    assert data["runtime"] == runtime.settings() and len(data["rows"]) == 4
    assert [r["batch_size"] for r in data["rows"]] == [16, 16, 128, 128]
    for row in data["rows"]:
        assert row["status"] == "ok", row["error"]
        on, off = row["xla_on"], row["xla_off"]
        assert on["xla"] is True and off["xla"] is False
        assert on["timed_windows"] == off["timed_windows"] == 3
        ratios = np.divide(on["steps_per_second_windows"], off["steps_per_second_windows"])
        assert row["speedup"] == pytest.approx(np.median(ratios))
        assert row["speedup_iqr"][0] <= row["speedup"] <= row["speedup_iqr"][1]
        assert f"{row['speedup']:.2f}x" in table


def test_timing_command_rejects_unknown_names(tmp_path, capsys):
    assert main(["timing", "--datasets", "nope", "--out", str(tmp_path / "o")]) == 2
    assert "unknown dataset 'nope'; valid:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def _record(label, sps, seed=0):
    return {"dataset": {"name": "ring8", "source": "synthetic"}, "method": {"label": label},
            "status": "ok", "seed": seed, "profile": "smoke", "steps": 10, "batch_size": 8,
            "created": "2026-01-01T00:00:00+00:00", "metrics": {"modes": 8.0},
            "environment": {"tensorflow": "x", "keras": "x", "python": "x", "cpu": "x",
                            "cpu_count": 2, "gpus": []},
            "timing": {"xla": True, "steps_per_second": sps, "compile_seconds": 1.0}}


def test_leaderboard_shows_cost_relative_to_nsgan():
    records = [_record("nsgan", 300.0), _record("nsgan", 100.0, seed=1), _record("wgan", 50.0)]
    board = markdown(build_board("ring8", group(records)["ring8"]))
    assert "| steps/s | cost vs nsgan | compile s |" in board
    assert "| 50 | 4.00x |" in board  # nsgan mean 200 steps/s vs 50
    assert "| 200 ± 141 | 1.00x |" in board
    assert "XLA on" in board


def test_a_failing_pair_becomes_a_table_row():
    from benches.run.timing import markdown as timing_markdown
    from benches.run.timing import time_pair

    row = time_pair(MethodSpec("nsgan"), "ring8", profile="nope", windows=1)
    assert row["status"] == "failed" and "unknown profile 'nope'" in row["error"]
    header = {"created": "now", "profile": "nope", "windows": 1,
              "environment": {"cpu": "x", "cpu_count": 2, "tensorflow": "x"},
              "runtime": runtime.settings()}
    table = timing_markdown([row], header)
    assert "| ring8 | nsgan | failed: KeyError: \"unknown profile 'nope'" in table


def test_timing_estimate_measures_a_cost_table_and_prices_the_matrix(tmp_path, capsys):
    from benches.run import estimate

    out = tmp_path / "est"
    argv = ["timing", "--estimate", "--methods", "nsgan", "--datasets", "ring8",
            "--profile", "smoke", "--windows", "2", "--jobs", "1,2", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    (row,) = estimate.load_table(out / "costs.json")
    assert (row.dataset, row.method, row.batch_size, row.eval_samples) == ("ring8", "nsgan",
                                                                           128, 1000)
    assert row.steps_per_second > 0 and row.compile_seconds > 0 and row.eval_seconds > 0
    assert "estimate for 1 cells" in printed and "--jobs 2" in printed
    assert main(["timing", "--from-records", str(tmp_path), "--out", str(out)]) == 2
    assert "--from-records needs --estimate" in capsys.readouterr().err
