import json

import pytest

from benches.cli import main
from benches.records import iter_records


@pytest.mark.parametrize("argv,message", [
    (["run", "--methods", "nope", "--profile", "smoke"], "unknown method 'nope'; valid:"),
    (["run", "--datasets", "mnist2", "--profile", "smoke"], "unknown dataset 'mnist2'; valid:"),
    (["run", "--methods", "nsgan:lr", "--profile", "smoke"], "malformed override"),
    (["run", "--profile", "smoke"], "nothing to run"),
])
def test_bad_arguments_exit_nonzero_with_valid_choices(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [["run", "--all", "--seeds", "0"],
                                  ["run", "--all", "--profile", "huge"],
                                  ["run", "--all", "--steps", "-5"]])
def test_argparse_rejections(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", "--all", "--profile", "smoke", "--out", str(blocker / "sub")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_list_shows_methods_and_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "nsgan" in out and "arXiv:1406.2661" in out and "lr=0.0002" in out
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
