"""The run loop's resume, retry, fail-fast and interruption rules, with cells faked.

Cells here return a record without training (``FakeRun``), so these tests check the
runner's bookkeeping in milliseconds; real training runs in test_checkpoints.py and
test_kill_rerun.py.
"""

import json
import os
import shlex
import signal
import sys

import pytest

from benches.cli import main
from benches.results.records import iter_records
from benches.run.plan import CellPlan


class FakeRun:
    """Stands in for ``run_plan``: records calls; statuses and signals by cell id."""

    def __init__(self):
        self.calls: list[str] = []
        self.status: dict[str, str] = {}
        self.signal_on: dict[str, int] = {}

    def __call__(self, task: CellPlan) -> dict:
        cell_id = task.cell.cell_id
        if cell_id in self.signal_on:
            os.kill(os.getpid(), self.signal_on.pop(cell_id))
        self.calls.append(cell_id)
        record = task.new_record()
        status = self.status.get(cell_id, "ok")
        record["status"] = status
        if status == "ok":
            record["metrics"] = {"modes": float(task.cell.seed), "kl": 0.5, "high_quality": 0.9}
        else:
            record["error"] = {"type": "RuntimeError", "message": "boom", "step": 7}
        return record


@pytest.fixture
def fake(monkeypatch):
    run = FakeRun()
    monkeypatch.setattr("benches.run.executors.local.run_plan", run)
    return run


def argv(out, *extra, seeds=2):
    return ["run", "--methods", "gan", "--datasets", "ring8", "--profile", "smoke",
            "--seeds", str(seeds), "--out", str(out), *extra]


def ids(*seeds):
    return [f"ring8__gan__seed{s}" for s in seeds]


def test_rerun_skips_complete_cells_and_force_reruns_them(fake, tmp_path):
    assert main(argv(tmp_path)) == 0
    assert fake.calls == ids(0, 1)
    assert main(argv(tmp_path)) == 0
    assert fake.calls == ids(0, 1)  # nothing ran again
    assert main(argv(tmp_path, "--force")) == 0
    assert fake.calls == ids(0, 1, 0, 1)


def test_diverged_is_a_result_failed_is_retried_unless_told_not_to(fake, tmp_path):
    fake.status = {"ring8__gan__seed0": "diverged", "ring8__gan__seed1": "failed"}
    assert main(argv(tmp_path, seeds=3)) == 3  # a failed cell; a diverged one is a result
    assert main(argv(tmp_path, "--no-retry-failed", seeds=3)) == 3  # kept, still failed
    assert fake.calls == ids(0, 1, 2)
    fake.status = {}
    assert main(argv(tmp_path, seeds=3)) == 0
    assert fake.calls == ids(0, 1, 2, 1)
    statuses = {r["cell_id"]: r["status"] for r in iter_records(tmp_path, strict=True)}
    assert statuses == dict(zip(ids(0, 1, 2), ["diverged", "ok", "ok"], strict=True))


def test_records_made_under_other_settings_are_rerun(fake, tmp_path):
    assert main(argv(tmp_path, "--steps", "50")) == 0
    assert main(argv(tmp_path, "--steps", "100")) == 0
    assert main(argv(tmp_path, "--steps", "100", "--methods", "gan:lr=1e-3")) == 0
    assert len(fake.calls) == 6
    # an override changes the cell id, so both labels keep their records
    assert {r["steps"] for r in iter_records(tmp_path, strict=True)} == {100}
    assert len(list(iter_records(tmp_path, strict=True))) == 4


def test_fail_fast_stops_at_the_first_failed_cell(fake, tmp_path, capsys):
    fake.status = {"ring8__gan__seed0": "failed"}
    assert main(argv(tmp_path / "a", seeds=3)) == 3  # isolation: the rest of the matrix runs
    assert fake.calls == ids(0, 1, 2)
    fake.calls.clear()
    assert main(argv(tmp_path / "b", "--fail-fast", seeds=3)) == 1
    assert fake.calls == ids(0)
    assert "--fail-fast: cell ring8__gan__seed0 failed" in capsys.readouterr().err


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_cleanly_and_the_printed_command_resumes(fake, tmp_path, capsys,
                                                              signum, code):
    fake.signal_on = {"ring8__gan__seed1": signum}
    assert main(argv(tmp_path, "--force", seeds=3)) == code
    err = capsys.readouterr().err
    assert f"interrupted by {signal.Signals(signum).name}: 1 of 3 cells" in err
    assert [r["cell_id"] for r in iter_records(tmp_path, strict=True)] == ids(0)
    assert not (tmp_path / "leaderboards").exists()
    assert not list((tmp_path / "records").glob(".*"))  # no temporary files left
    resume = err.split("resume with: ")[1].strip()
    assert "--force" not in resume
    words = shlex.split(resume)
    assert words[:3] == ["python", "-m", "benches"]
    assert main(words[3:]) == 0
    assert fake.calls == ids(0, 1, 2)
    assert (tmp_path / "leaderboards" / "ring8.md").exists()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers restored


def test_corrupt_record_of_a_planned_cell_is_kept_aside_and_the_cell_rerun(fake, tmp_path):
    assert main(argv(tmp_path)) == 0
    path = tmp_path / "records" / "ring8__gan__seed1.json"
    path.write_text('{"schema": 1, "cell_id": "ring8__gan__se')  # truncated
    assert main(argv(tmp_path)) == 0
    assert fake.calls == ids(0, 1, 1)
    kept = list((tmp_path / "records").glob("ring8__gan__seed1.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text().endswith("__se")
    assert len(list(iter_records(tmp_path, strict=True))) == 2


def test_leaderboard_skips_foreign_json_with_a_warning_or_fails_when_strict(
        fake, tmp_path, caplog, capsys):
    assert main(argv(tmp_path)) == 0
    board = tmp_path / "leaderboards" / "ring8.md"
    before = board.read_text()
    (tmp_path / "records" / "package.json").write_text(json.dumps({"name": "left-pad"}))
    (tmp_path / "records" / "broken.json").write_text("{not json")
    assert main(["leaderboard", str(tmp_path)]) == 0
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "package.json: not a ganbench record (missing schema" in warned
    assert "broken.json: not a readable JSON record" in warned
    assert board.read_text() == before
    board.write_text("sentinel")
    assert main(["leaderboard", str(tmp_path), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "broken.json: not a readable JSON record" in err and "nothing was written" in err
    assert board.read_text() == "sentinel"
    assert (tmp_path / "records" / "package.json").exists()


def test_steps_that_do_not_fit_the_compiled_call_are_rejected(fake, tmp_path, capsys):
    assert main(argv(tmp_path, "--steps", "120")) == 2
    assert "--steps 120: must be a multiple of 50" in capsys.readouterr().err
    assert fake.calls == [] and not (tmp_path / "records").exists()


def test_ray_executor_without_ray_says_how_to_install_it(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    assert main(argv(tmp_path, "--executor", "ray")) == 2
    assert "--executor ray needs Ray: pip install 'ganbench[ray]'" in capsys.readouterr().err
    assert fake.calls == [] and not list((tmp_path / "records").glob("*.json"))


def test_checkpoints_default_to_the_profile_and_the_flag_overrides_it(tmp_path):
    from benches.run.matrix import Cell, MethodSpec
    from benches.run.runner import RunOptions, plan

    cells = [Cell(MethodSpec("gan"), "ring8", 0)]
    (full,), _ = plan(RunOptions(cells, "full", tmp_path))
    assert full.checkpoint_every == 2500
    assert full.checkpoint_dir == tmp_path / "checkpoints" / "ring8__gan__seed0"
    (quick,), _ = plan(RunOptions(cells, "quick", tmp_path))
    assert quick.checkpoint_every == 0 and quick.checkpoint_dir is None
    (off,), _ = plan(RunOptions(cells, "full", tmp_path, checkpoint_every=0))
    assert off.checkpoint_dir is None


def test_a_datasets_tables_appear_as_soon_as_its_cells_are_done(fake, tmp_path, monkeypatch):
    seen_when_first_grid25_cell_ran = []
    ring8_table = tmp_path / "leaderboards" / "ring8.md"

    def run(task):
        if task.cell.dataset == "grid25":
            seen_when_first_grid25_cell_ran.append(ring8_table.exists())
        return fake(task)

    monkeypatch.setattr("benches.run.executors.local.run_plan", run)
    assert main(["run", "--methods", "gan", "--datasets", "ring8,grid25", "--profile", "smoke",
                 "--seeds", "2", "--out", str(tmp_path)]) == 0
    assert seen_when_first_grid25_cell_ran == [True, True]
    assert (tmp_path / "leaderboards" / "grid25.md").exists()
