"""The README's examples of adding a dataset, a metric and an executor, run as written."""

import re
import types
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from benches import datasets
from benches.cli import main
from benches.results.records import iter_records
from benches.run import executors
from benches.run.executors.registry import run_plan

ROOT = Path(__file__).resolve().parent.parent


def readme_module(tag: str) -> types.ModuleType:
    """The README's ``<!-- example-TAG -->`` code block, executed as a module."""
    text = (ROOT / "README.md").read_text()
    code = re.search(rf"<!-- example-{tag} -->\n```python\n(.*?)```", text, re.S).group(1)
    module = types.ModuleType(f"readme_example_{tag}")
    exec(compile(code, f"README.md:example-{tag}", "exec"), module.__dict__)
    return module


@pytest.fixture(autouse=True)
def scratch_registries(monkeypatch):
    """Registrations made by a test end with it."""
    import benches.datasets.registry as dataset_registry
    import benches.run.executors.registry as executor_registry

    datasets.names(), executors.names()  # discovered before copying
    for module in (dataset_registry, executor_registry):
        monkeypatch.setattr(module, "_FACTORIES", dict(module._FACTORIES))


def test_readme_dataset_registers_and_runs(tmp_path):
    assert "ring4" not in datasets.names()
    readme_module("dataset")
    assert datasets.names()[:4] == ["dirac", "ring8", "grid25", "ring4"]  # by family cost
    assert main(["run", "--methods", "nsgan", "--datasets", "ring4", "--profile", "smoke",
                 "--steps", "50", "--out", str(tmp_path)]) == 0
    (record,) = iter_records(tmp_path, strict=True)
    assert record["status"] == "ok" and 0 <= record["metrics"]["modes"] <= 4
    assert (tmp_path / "leaderboards" / "ring4.md").exists()


def test_readme_metric_matches_scipy():
    energy_distance = readme_module("metric").energy_distance
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=200), rng.normal(0.5, 2.0, size=150)
    assert energy_distance(x[:, None], y[:, None]) == pytest.approx(
        stats.energy_distance(x, y) ** 2, rel=1e-10)
    assert energy_distance(x[:, None], x[:, None]) == pytest.approx(0.0, abs=1e-12)


def test_readme_executor_runs_the_matrix_backwards(tmp_path, monkeypatch):
    readme_module("executor")
    assert "reversed" in executors.names()
    ran = []

    def recording_run(plan):
        ran.append(plan.cell_id)
        return run_plan(plan)

    monkeypatch.setattr("benches.run.executors.local.run_plan", recording_run)
    assert main(["run", "--methods", "gan", "--datasets", "dirac", "--seeds", "2",
                 "--profile", "smoke", "--steps", "20", "--executor", "reversed",
                 "--out", str(tmp_path)]) == 0
    assert ran == ["dirac__gan__seed1", "dirac__gan__seed0"]
    assert all(r["status"] == "ok" for r in iter_records(tmp_path, strict=True))
