"""Renders a report in headless Chromium (scripts/check_report.py) and checks every plot."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fake_records import fake_record, write_run

from benches.results.publish import write_leaderboards
from benches.results.records import write_record
from benches.results.samples import keep_samples

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from check_report import find_chromium  # noqa: E402

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium binary on PATH (apt-get install -y chromium); "
    "scripts/check_report.py needs one to render the report")


class FakeImages:
    name = "fake-images"
    sample_kind = "images"
    pixel_range = (0.0, 1.0)


def make_run(out: Path) -> Path:
    ring = [[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)]
    points = {"kind": "points", "points": np.random.default_rng(0).normal(size=(64, 2)).tolist(),
              "reference": ring}
    write_run(out, {("ring8", "gan"): [{"modes": 8, "kl": 0.1}] * 3,
                    ("ring8", "nsgan"): [{"modes": 6, "kl": 0.4}, None, {"modes": 7, "kl": 0.3}]},
              samples=points)
    imgs = np.random.default_rng(1).uniform(size=(16, 8, 8, 1))
    for seed in range(2):
        cell = f"fake-images__gan__seed{seed}"
        write_record(out, fake_record("fake-images", "gan", seed, metrics={"fd": 3.0 + seed},
                                      primary=[["fd", "min"]],
                                      samples=keep_samples(FakeImages(), imgs, out, cell)))
    write_leaderboards(out)
    return out / "index.html"


def run_check(report: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "check_report.py"),
                           str(report), "--chromium", CHROMIUM],
                          capture_output=True, text=True, timeout=180)


def test_every_plot_of_the_report_loads_in_chromium(tmp_path):
    result = run_check(make_run(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"bad": []' in result.stdout and '"images": 1' in result.stdout
    assert not list(tmp_path.glob(".check-*"))


def test_a_broken_image_fails_the_check(tmp_path):
    report = make_run(tmp_path)
    (tmp_path / "samples" / "fake-images__gan__seed0.png").write_bytes(b"not a png")
    write_leaderboards(tmp_path)
    result = run_check(report)
    assert result.returncode == 1 and "img: gan, seed 0" in result.stdout
