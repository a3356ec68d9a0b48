"""Whole-matrix time estimates: cost rows from records and the pool replayed by hand."""

import pytest

from benches.run import estimate
from benches.run.estimate import Cost
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell

# smoke mixtures: 200 steps, 2 evaluations of 1000 samples.
A = Cost("ring8", "gan", 128, steps_per_second=100.0, compile_seconds=10.0,
         eval_seconds=0.75, eval_samples=500)  # 2 s training + 2 x 1.5 s evaluation = 5 s
B = Cost("ring8", "nsgan", 128, steps_per_second=50.0, compile_seconds=4.0,
         eval_seconds=0.5, eval_samples=1000)  # 4 s + 2 x 0.5 s = 5 s
TABLE = estimate.merged([A, B])


def plans(methods=("gan", "nsgan"), seeds=3):
    return [plan_cell(Cell(MethodSpec(m), "ring8", s), "smoke")
            for m in methods for s in range(seeds)]


def test_one_worker_compiles_each_program_once():
    e = estimate.estimate(plans(), TABLE, jobs=1, cpus=2)
    assert e.cell_minutes["ring8"] * 60 == pytest.approx(10 + 4 + 6 * 5)
    assert e.wall_minutes * 60 == pytest.approx(44)
    assert e.compile_minutes * 60 == pytest.approx(14)


def test_two_workers_replay_the_pools_dispatch():
    # t=0: w0 gan0 (15 s), w1 nsgan0 (9 s); w1 nsgan1 (9-14), nsgan2 (14-19); w0 gan1
    # (15-20); at 19 w1 leaves the last gan cell to w0, which runs it 20-25.
    e = estimate.estimate(plans(), TABLE, jobs=2, cpus=2)
    assert e.wall_minutes * 60 == pytest.approx(25)
    assert e.cell_minutes["ring8"] * 60 == pytest.approx(44)


def test_more_workers_than_cpus_slow_every_cell_down():
    one = estimate.estimate(plans(("gan",), 1), TABLE, jobs=1, cpus=2)
    four = estimate.estimate(plans(("gan",), 1), TABLE, jobs=4, cpus=2)
    assert four.wall_minutes == pytest.approx(2 * one.wall_minutes)


def test_unknown_methods_borrow_nsgan_and_unknown_datasets_are_named():
    cells = [plan_cell(Cell(MethodSpec("wgan"), "ring8", 0), "smoke"),
             plan_cell(Cell(MethodSpec("nsgan"), "grid25", 0), "smoke")]
    e = estimate.estimate(cells, TABLE, jobs=1, cpus=1)
    assert e.borrowed == ["ring8__wgan__seed0"]
    assert e.unknown == ["grid25__nsgan__seed0"]
    assert e.cell_minutes == {"ring8": pytest.approx((4 + 5) / 60)}
    assert "1 cells without a cost row" in e.summary()


def _record(method, seed, wall, compile_s, rate, reused=False):
    return {"status": "ok", "dataset": {"name": "ring8"}, "batch_size": 128,
            "eval_samples": 1000, "steps": 200, "history": [{}, {}],
            "method": {"label": method},
            "timing": {"wall_seconds": wall, "compile_seconds": compile_s,
                       "steps_per_second": rate, "program_reused": reused}}


def test_cost_rows_from_records_are_medians_and_skip_reused_compiles():
    records = [_record("gan", 0, 17.0, 10.0, 100.0),
               _record("gan", 1, 7.0, 0.0, 100.0, reused=True),
               _record("gan", 2, 9.0, 0.5, 100.0, reused=True),
               {"status": "failed", "timing": {}}]
    (row,) = estimate.costs_from_records(records)
    assert row.compile_seconds == 10.0  # the reused cells compiled nothing
    assert row.steps_per_second == 100.0
    # outside training: (17-10-2)/2, (7-0-2)/2, (9-0.5-2)/2 -> median 2.5 per evaluation
    assert row.eval_seconds == pytest.approx(2.5)


def test_the_stored_table_prices_the_whole_quick_matrix():
    table = estimate.merged(estimate.load_table())
    from benches import datasets

    cells = [plan_cell(Cell(MethodSpec("nsgan"), d.name, 0), "quick")
             for d in datasets.available()]
    assert estimate.estimate(cells, table).unknown == []


def test_a_row_at_another_batch_size_is_rescaled_at_equal_samples_per_second():
    wide = Cost("ring8", "nsgan", 512, steps_per_second=25.0, compile_seconds=4.0,
                eval_seconds=0.5, eval_samples=1000)
    e = estimate.estimate(plans(("nsgan",), 1), estimate.merged([wide]), jobs=1, cpus=1)
    # batch 128: 100 steps/s -> 2 s for 200 steps, + 2 x 0.5 s evaluation + 4 s compile
    assert e.wall_minutes * 60 == pytest.approx(7)
    assert e.borrowed == []


def _timed(dataset, method, start, wall, compile_s, reused=False):
    return {"dataset": {"name": dataset}, "method": {"label": method},
            "created": f"2026-01-01T00:{start // 60:02d}:{start % 60:02d}+00:00",
            "timing": {"wall_seconds": wall, "compile_seconds": compile_s,
                       "program_reused": reused}}


def test_what_a_run_spent_counts_reused_compiles_and_busy_wall_time():
    records = [_timed("ring8", "gan", 0, 60.0, 12.0),            # 0-60
               _timed("ring8", "gan", 10, 30.0, 0.0, True),      # 10-40, inside
               _timed("ring8", "gan", 50, 30.0, 0.0, True),      # 50-80
               _timed("mnist", "nsgan", 600, 120.0, 30.0),       # 600-720, after a gap
               {"status": "failed", "timing": {}}]               # never timed: skipped
    s = estimate.spent(records)
    assert s.cells == 4
    assert s.cell_minutes == {"ring8": pytest.approx(2.0), "mnist": pytest.approx(2.0)}
    assert s.compile_minutes * 60 == pytest.approx(42)
    assert s.unreused_compile_minutes * 60 == pytest.approx(42 + 2 * 12)
    assert s.busy_minutes * 60 == pytest.approx(80 + 120)
    assert "compilation 0.7, 17.5%" in s.summary()   # 42 of 240 cell-seconds
    assert "(compilation 25.0%)" in s.summary()      # 66 of 264
