"""Game-dynamics methods: registrations, XLA smoke training, and adding a method by one file."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import methods
from benches import datasets
from benches.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
GAME_METHODS = {
    "consensus": "arXiv:1705.10461",
    "sga": "arXiv:1802.05642",
    "optimistic-adam": "arXiv:1711.00141",
    "extragradient": "arXiv:1802.10551",
    "unrolled": "arXiv:1611.02163",
}


@pytest.mark.parametrize("name,arxiv", GAME_METHODS.items())
def test_registration_cites_paper_and_exposes_lr(name, arxiv):
    reg = methods.get(name)
    assert arxiv in reg.paper and "lr" in reg.defaults
    method = reg.build(lr=1e-3)
    assert method.g_optimizer.learning_rate == method.d_optimizer.learning_rate == 1e-3


def test_each_method_uses_its_part():
    assert methods.get("consensus").build().joint_transform is not None
    assert methods.get("sga").build().simultaneous
    opt = methods.get("optimistic-adam").build()
    assert opt.g_optimizer.optimistic and opt.d_optimizer.optimistic and opt.simultaneous
    assert methods.get("extragradient").build().extrapolate
    assert methods.get("unrolled").build().g_step is not None
    assert methods.get("unrolled").defaults["unroll_steps"] == 5


@pytest.mark.parametrize("name", GAME_METHODS)
def test_smoke_steps_on_ring8_with_xla_stay_finite(name):
    t = Trainer(methods.get(name).build(), datasets.get("ring8"), seed=0, batch_size=64,
                steps_per_call=3)
    assert t.xla
    before = [p.numpy().copy() for p in [*t.g_params, *t.d_params]]
    stats = t.train_call()
    assert all(np.isfinite(v) for v in stats.values())
    assert stats["g_grad_norm"] > 0 and stats["d_grad_norm"] > 0
    after = [p.numpy() for p in [*t.g_params, *t.d_params]]
    assert all(np.isfinite(a).all() for a in after)
    assert any(not np.array_equal(a, b) for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize("name", GAME_METHODS)
def test_xla_and_plain_steps_agree_on_dirac(name):
    params = []
    for xla in (True, False):
        t = Trainer(methods.get(name).build(), datasets.get("dirac"), seed=0, batch_size=8,
                    steps_per_call=2, xla=xla)
        t.train_call()
        params.append([p.numpy() for p in [*t.g_params, *t.d_params]])
    for a, b in zip(*params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
        assert not np.allclose(a, 1.0)  # both players moved from the start (1, 1)


def readme_example() -> tuple[str, str]:
    """The README's complete example method file and its registered name."""
    text = (ROOT / "README.md").read_text()
    code = re.search(r"<!-- example-method -->\n```python\n(.*?)```", text, re.S).group(1)
    return code, re.search(r'@register\("([^"]+)"', code).group(1)


def run_cli(args: list[str], plugin_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, methods.PLUGIN_PATH_VARIABLE: str(plugin_dir),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
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

    monkeypatch.setattr(methods, "_discovered", False)
    monkeypatch.setenv(methods.PLUGIN_PATH_VARIABLE, str(tmp_path / "missing"))
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "GANBENCH_METHODS_PATH" in err and "missing' is not a folder" in err
