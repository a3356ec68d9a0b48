"""Kill a run mid-matrix (SIGTERM, SIGKILL), rerun it, get the uninterrupted run's records."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benches.cli import main
from benches.results.records import iter_records

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ["run", "--methods", "gan", "--datasets", "ring8", "--seeds", "2", "--profile",
          "smoke", "--steps", "150", "--checkpoint-every", "50"]


def results(out):
    return {r["cell_id"]: (r["status"], r["metrics"], r["history"])
            for r in iter_records(out, strict=True)}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    assert main([*MATRIX, "--out", str(out)]) == 0
    return results(out)


def start(argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PYTHONFAULTHANDLER": "1"}  # a native crash prints its stack to stderr
    return subprocess.Popen([sys.executable, "-m", "benches", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_first_record(process, out, timeout=600):
    deadline = time.monotonic() + timeout
    while not list((out / "records").glob("*.json")):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no record appeared"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_killed_run_rerun_ends_with_the_uninterrupted_records(uninterrupted, tmp_path, signum):
    out = tmp_path / "run"
    argv = [*MATRIX, "--out", str(out)]
    process = start(argv)
    wait_for_first_record(process, out)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == (143 if signum == signal.SIGTERM else -signal.SIGKILL), err
    assert len(results(out)) == 1  # killed mid-matrix: one of two cells finished
    if signum == signal.SIGTERM:
        assert "interrupted by SIGTERM: 1 of 2 cells have complete records" in err
        assert f"resume with: python -m benches {shlex.join(argv)}" in err
        assert not (out / "leaderboards").exists()
    rerun = start(argv)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert "skipping 1 of 2 cells with complete records" in err
    assert results(out) == uninterrupted
    assert not (out / "checkpoints").exists()
    assert (out / "leaderboards" / "ring8.md").exists()
