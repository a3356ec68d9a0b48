import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fake_records import write_run

from benches.cli import build_parser, main
from benches.datasets.image_sources import DATA_DIR_ENV
from benches.results.records import iter_records


@pytest.mark.parametrize("argv,message", [
    (["run", "--methods", "nope", "--profile", "smoke"], "unknown method 'nope'; valid:"),
    (["run", "--datasets", "mnist2", "--profile", "smoke"], "unknown dataset 'mnist2'; valid:"),
    (["run", "--methods", "nsgan:lr", "--profile", "smoke"], "malformed override"),
    (["run", "--profile", "smoke"], "nothing to run"),
    (["run", "--methods", "gan:lr=fast", "--profile", "smoke"], "gan:lr expects a float"),
    (["run", "--all", "--address", "ray://head:10001"], "--address is for --executor ray"),
])
def test_bad_arguments_exit_nonzero_with_valid_choices(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv,message", [
    (["run", "--all", "--seeds", "0"], "--seeds: expected a positive integer, got 0"),
    (["run", "--all", "--seeds", "-2"], "--seeds: expected a positive integer, got -2"),
    (["run", "--all", "--profile", "huge"], "invalid choice: 'huge'"),
    (["run", "--all", "--steps", "-5"], "--steps: expected a positive integer, got -5"),
    (["run", "--all", "--steps", "0"], "--steps: expected a positive integer, got 0"),
    (["run", "--all", "--jobs", "0"], "--jobs: expected a positive integer, got 0"),
    (["run", "--all", "--checkpoint-every", "-1"], "expected an integer >= 0, got -1"),
    (["run", "--all", "--executor", "dask"], "invalid choice: 'dask'"),
    (["timing", "--batch-sizes", "64,x"], "expected comma-separated positive integers, got 64,x"),
])
def test_argparse_rejections(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", "--all", "--profile", "smoke", "--out", str(blocker / "sub")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_output_whose_records_folder_is_a_file(tmp_path, capsys):
    (tmp_path / "records").write_text("not a folder")
    assert main(["run", "--all", "--profile", "smoke", "--out", str(tmp_path)]) == 2
    assert "records exists and is not a folder" in capsys.readouterr().err
    assert (tmp_path / "records").read_text() == "not a folder"


def test_leaderboard_of_a_folder_without_records(tmp_path, capsys):
    assert main(["leaderboard", str(tmp_path)]) == 2
    assert "no records folder" in capsys.readouterr().err


def test_list_shows_methods_and_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "nsgan" in out and "arXiv:1406.2661" in out and "lr=0.0002" in out
    assert "code: google/lecam-gan" in out
    assert "dirac: gamma=1.0  [notebooks/DiracGAN.ipynb GAN_Consensus(1.)" in out
    assert "grid25" in out and "ring8" in out


@pytest.mark.slow
def test_end_to_end_smoke_run(tmp_path):
    out = tmp_path / "run"
    argv = ["run", "--methods", "gan,nsgan:lr=1e-3", "--datasets", "ring8,grid25",
            "--profile", "smoke", "--steps", "100", "--tensorboard", "--out", str(out)]
    assert main(argv) == 0
    records = list(iter_records(out, strict=True))
    assert len(records) == 4
    assert {r["status"] for r in records} == {"ok"}
    r = records[0]
    assert r["timing"]["xla"] is True and r["timing"]["steps_per_second"] > 0
    assert {"modes", "kl", "high_quality"} <= set(r["metrics"])
    assert r["samples"]["kind"] == "points" and len(r["samples"]["points"]) == 512
    assert len(r["samples"]["reference"]) in (8, 25)
    assert (out / "leaderboards" / "grid25.csv").is_file()
    assert (out / "index.html").read_text().count('<svg class="plot"') >= 8
    assert len(list((out / "tensorboard").iterdir())) == 4
    board = (out / "leaderboards" / "ring8.md").read_text()
    assert "nsgan[lr=0.001]" in board and "| gan |" in board
    # the leaderboard command regenerates the same tables from the records alone
    before = board
    (out / "leaderboards" / "ring8.md").unlink()
    assert main(["leaderboard", str(out)]) == 0
    assert (out / "leaderboards" / "ring8.md").read_text() == before
    json.loads((out / "records" / f"{r['cell_id']}.json").read_text())


# -- issue 17: exit codes, output folder, help, quiet start, permissions ----------------------
ROOT = Path(__file__).resolve().parent.parent


def test_failed_cells_exit_3_with_a_one_line_summary(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "data"
    empty.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(empty))  # restored after the test
    argv = ["run", "--methods", "gan", "--datasets", "mnist", "--profile", "smoke",
            "--data-dir", str(empty), "--out", str(tmp_path / "o")]
    assert main(argv) == 3
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: 1 of 1 cells failed: DataError: ")
    assert "mnist: no such folder" in err and "(mnist__gan__seed0)" in err
    [record] = iter_records(tmp_path / "o")
    assert record["status"] == "failed"
    # a failed record kept on re-run is still a failed cell of the matrix
    assert main([*argv, "--no-retry-failed"]) == 3
    assert "1 of 1 cells failed" in capsys.readouterr().err


@pytest.mark.parametrize("spec,message", [
    ("nsgan:lr=-1", "nsgan:lr=-1: learning rate must be > 0, got -1.0"),
    ("gan:lr=0", "gan:lr=0: learning rate must be > 0"),
])
def test_bad_hyperparameter_values_are_usage_errors_before_anything_runs(spec, message,
                                                                         tmp_path, capsys):
    assert main(["run", "--methods", spec, "--datasets", "ring8", "--profile", "smoke",
                 "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_output_folder_the_file_system_refuses_is_a_usage_error(tmp_path, capsys):
    """As root, os.access says /proc is writable; creating files there fails."""
    out = "/proc/ganbench-unwritable/run"
    assert main(["run", "--methods", "gan", "--datasets", "ring8", "--profile", "smoke",
                 "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out {out}: ") and "Traceback" not in err
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.geteuid() == 0:  # root writes there anyway: a writable folder, no error
        return
    assert main(["run", "--methods", "gan", "--datasets", "ring8", "--profile", "smoke",
                 "--out", str(locked / "o")]) == 2


def _help(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*argv, "--help"])
    assert exc.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # unwrapped


def test_run_help_says_what_missing_options_default_to(capsys):
    text = _help(["run"], capsys)
    assert "--methods METHODS comma-separated" in text and "(default: every method)" in text
    assert "(default: every dataset)" in text
    assert "(default: quick)" in text and "(default: runs/latest)" in text


def test_help_is_plain_text_and_lists_environment_and_exit_codes(capsys):
    text = _help([], capsys)
    assert "``" not in text and ":class:" not in text
    used = set()
    for folder in ("benches", "methods", "metrics"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"GANBENCH_[A-Z_]+[A-Z]", path.read_text()))
    assert used and sorted(v for v in used if v not in text) == []
    assert "3 run finished, but some cells failed" in text and "130" in text
    assert "GANBENCH_DATA_DIR" in _help(["run"], capsys)


def test_verbose_works_after_the_subcommand(capsys):
    assert main(["list", "-v"]) == 0
    assert build_parser().parse_args(["-v", "list"]).verbose
    assert build_parser().parse_args(["list", "--verbose"]).verbose
    assert not build_parser().parse_args(["list"]).verbose


def test_readme_offline_instructions_need_no_private_folder():
    readme = (ROOT / "README.md").read_text()
    assert "../shared/data" not in readme
    for text in ("train-images-idx3-ubyte.gz", "cifar-10-binary.tar.gz",
                 "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"):
        assert text in readme, text


@pytest.mark.slow
def test_start_is_quiet(tmp_path):
    """No TensorFlow start-up lines (absl preamble, oneDNN, CUDA, cuInit) reach the user."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-m", "benches", "run", "--methods", "gan", "--datasets", "dirac",
         "--profile", "smoke", "--out", str(tmp_path / "o")],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600)
    assert done.returncode == 0, done.stderr
    noise = [ln for ln in done.stderr.splitlines()
             if re.match(r"[IWE]\d{4} ", ln) or re.search(
                 r"absl::InitializeLog|oneDNN|cuInit|cuda|TensorRT|cpu_feature_guard", ln)]
    assert noise == []
    assert "INFO benches: done: 1 ok" in done.stderr


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_get_the_umask_permissions(tmp_path, umask, mode):
    out = write_run(tmp_path / "run", {("ring8", "gan"): [{"modes": 8, "kl": 0.1}]})
    previous = os.umask(umask)
    try:
        assert main(["leaderboard", str(out)]) == 0
    finally:
        os.umask(previous)
    for path in [out / "index.html", out / "leaderboards" / "ring8.md"]:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
