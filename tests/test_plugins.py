"""Adding a method by one file: the README's example as a plugin, and plugin errors."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import methods

ROOT = Path(__file__).resolve().parent.parent


def readme_example() -> tuple[str, str]:
    """The README's complete example method file and its registered name."""
    text = (ROOT / "README.md").read_text()
    code = re.search(r"<!-- example-method -->\n```python\n(.*?)```", text, re.S).group(1)
    return code, re.search(r'@register\("([^"]+)"', code).group(1)


def run_cli(args: list[str], plugin_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, methods.PLUGIN_PATH_VARIABLE: str(plugin_dir)}
    return subprocess.run([sys.executable, "-m", "benches", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_readme_example_file_is_listed_and_runs_in_the_matrix(tmp_path):
    code, name = readme_example()
    assert name not in {r.name for r in methods.available()}  # really new
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / f"{name}.py").write_text(code)

    listed = run_cli(["list"], plugins)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if ln.strip().startswith(name))
    assert "arXiv:1705.10461" in line and "lr=0.01" in listed.stdout

    out = tmp_path / "run"
    ran = run_cli(["run", "--methods", f"{name},{name}:lr=0.05", "--datasets", "dirac",
                   "--profile", "smoke", "--steps", "20", "--out", str(out)], plugins)
    assert ran.returncode == 0, ran.stderr
    records = [json.loads(p.read_text()) for p in sorted((out / "records").glob("*.json"))]
    assert [r["status"] for r in records] == ["ok", "ok"]
    assert f"| {name} |" in (out / "leaderboards" / "dirac.md").read_text()
    assert not (ROOT / "methods" / f"{name}.py").exists()


def test_plugin_path_that_is_not_a_folder_is_a_clear_error(monkeypatch, tmp_path, capsys):
    from benches.cli import main

    monkeypatch.setattr(methods.registry, "_discovered", False)
    monkeypatch.setenv(methods.PLUGIN_PATH_VARIABLE, str(tmp_path / "missing"))
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "GANBENCH_METHODS_PATH" in err and "missing' is not a folder" in err
