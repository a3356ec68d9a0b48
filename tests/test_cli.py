import json

import pytest

from benches.cli import main
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
