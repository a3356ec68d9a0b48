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


# -- issue 17: colliding and broken plugins, the method's code in the settings ---------------
PROBE = '''"""A plugin for the tests: nsgan under another name."""

from methods.parts.losses import non_saturating
from methods.parts.method import Method
from methods.parts.optimizers import adam
from methods.registry import register


@register("plugin_probe", paper="Goodfellow et al. 2014, arXiv:1406.2661")
def plugin_probe(lr: float = 2e-4) -> Method:
    """The non-saturating GAN."""
    return Method(loss=non_saturating, g_optimizer=adam(lr), d_optimizer=adam(lr))
'''


@pytest.fixture
def fresh_registry(monkeypatch):
    """Rediscover methods with this test's plugin folders; undo it afterwards."""
    monkeypatch.setattr(methods.registry, "_discovered", False)
    monkeypatch.setattr(methods.registry, "_REGISTRY", dict(methods.registry._REGISTRY))
    monkeypatch.setattr(methods, "__path__", list(methods.__path__))
    methods.registry.source.cache_clear()
    before = set(sys.modules)
    yield monkeypatch
    for name in set(sys.modules) - before:
        if name.startswith("methods."):
            del sys.modules[name]
    methods.registry.source.cache_clear()


def test_plugin_named_like_a_builtin_module_is_an_error_naming_both(fresh_registry, tmp_path,
                                                                     capsys):
    from benches.cli import main

    (tmp_path / "gan.py").write_text(PROBE)
    fresh_registry.setenv(methods.PLUGIN_PATH_VARIABLE, str(tmp_path))
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "gan.py") in err and str(ROOT / "methods" / "gan.py") in err


def test_broken_plugin_is_an_error_naming_it_only_where_methods_load(fresh_registry, tmp_path,
                                                                     capsys):
    from fake_records import write_run

    from benches.cli import main

    (tmp_path / "broken.py").write_text("def oops(:\n")
    fresh_registry.setenv(methods.PLUGIN_PATH_VARIABLE, str(tmp_path))
    run = write_run(tmp_path / "run", {("ring8", "gan"): [{"modes": 8.0, "kl": 0.1}]})
    assert main(["leaderboard", str(run)]) == 0  # records only: no methods loaded
    assert main(["compare", str(run), str(run)]) == 0
    capsys.readouterr()
    for argv in (["list"], ["run", "--methods", "gan", "--datasets", "ring8", "--profile",
                            "smoke", "--out", str(tmp_path / "o")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"method file {tmp_path / 'broken.py'} does not load: SyntaxError" in err
    assert not (tmp_path / "o").exists()


def test_changed_method_code_reruns_its_cells_and_records_name_the_plugin(fresh_registry,
                                                                          tmp_path):
    from benches.cli import _command
    from benches.results.records import write_record
    from benches.run.matrix import Cell, MethodSpec
    from benches.run.plan import plan_cell
    from benches.run.runner import complete_record

    (tmp_path / "plugin_probe.py").write_text(PROBE)
    fresh_registry.setenv(methods.PLUGIN_PATH_VARIABLE, str(tmp_path))
    cell = Cell(MethodSpec("plugin_probe"), "ring8", 0)
    before = plan_cell(cell, "smoke")
    record = before.new_record()
    assert record["method"]["source"]["plugin_folder"] == str(tmp_path)
    assert record["method"]["source"]["file"] == str(tmp_path / "plugin_probe.py")
    write_record(tmp_path / "out", record)
    assert complete_record(tmp_path / "out", plan_cell(cell, "smoke"), True) is not None
    (tmp_path / "plugin_probe.py").write_text(PROBE.replace("adam(lr)", "adam(lr, 0.0)"))
    methods.registry.source.cache_clear()  # a new process reads the file afresh
    after = plan_cell(cell, "smoke")
    assert after.settings["method_code"] != before.settings["method_code"]
    assert complete_record(tmp_path / "out", after, True) is None  # runs again
    assert _command(["list"]) == (f"{methods.PLUGIN_PATH_VARIABLE}={tmp_path} "
                                  "python -m benches list")


def test_method_code_digest_covers_the_parts_it_uses():
    source = methods.source("nsgan")
    assert source["plugin_folder"] is None and source["file"].endswith("methods/nsgan.py")
    used = {}
    methods.registry._parts_used(source["file"], used)
    assert {"methods.parts.losses", "methods.parts.optimizers", "methods.parts.method",
            "methods.parts.update"} <= set(used)  # update: through method, transitively
