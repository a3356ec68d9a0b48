"""Hand-built ganbench records for testing everything downstream of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benches.results.records import SCHEMA_VERSION, write_record

ENVIRONMENT = {"python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4",
               "scipy": "1.17", "platform": "Linux", "cpu": "Test CPU", "cpu_count": 2,
               "gpus": [], "git_commit": "abc123"}
MIXTURE = [["modes", "max"], ["kl", "min"], ["high_quality", "max"]]


def fake_record(dataset: str = "ring8", label: str = "gan", seed: int = 0, *,
                metrics: dict[str, float] | None = None, status: str = "ok",
                primary: list[list[str]] | None = None, steps_per_second: float = 100.0,
                history: list[dict[str, float]] | None = None,
                samples: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """One record; ``metrics`` are the final values, ``history`` defaults to two points."""
    metrics = dict(metrics or {}) if status == "ok" else {}
    if history is None and status == "ok":
        history = [{"step": 100, **{k: v * 0.5 for k, v in metrics.items()},
                    "g_grad_norm": 0.5, "d_grad_norm": 2.0, "d_loss": 1.3, "g_loss": 0.7},
                   {"step": 200, **metrics, "g_grad_norm": 0.25, "d_grad_norm": 1.0,
                    "d_loss": 1.2, "g_loss": 0.8}]
    return {
        "schema": SCHEMA_VERSION, "cell_id": f"{dataset}__{label}__seed{seed}",
        "method": {"name": label.split("[")[0], "label": label, "paper": "x",
                   "hyperparameters": {}, "provenance": {}, "overrides": {},
                   "family_settings": {"family": "mixture", "values": {}, "source": None}},
        "dataset": {"name": dataset, "family": "mixture", "source": "synthetic",
                    "primary_metrics": primary or MIXTURE},
        "seed": seed, "profile": "quick", "steps": 200, "batch_size": 64, "eval_samples": 1000,
        "command": "python -m benches run --all", "created": f"2026-01-01T00:00:0{seed % 10}",
        "environment": ENVIRONMENT, "status": status,
        "error": None if status == "ok" else {"type": "Diverged", "message": "nan", "step": 50},
        "metrics": metrics, "history": history or [],
        "timing": {"steps_per_second": steps_per_second, "compile_seconds": 1.0}
        if status == "ok" else {"wall_seconds": 1.0},
        "samples": samples, **extra,
    }


def write_run(out: Path, rows: dict[tuple[str, str], list[dict[str, float] | None]],
              **kwargs: Any) -> Path:
    """Write records for ``{(dataset, label): [metrics per seed, None = diverged]}``."""
    for (dataset, label), per_seed in rows.items():
        for seed, metrics in enumerate(per_seed):
            status = "ok" if metrics is not None else "diverged"
            write_record(out, fake_record(dataset, label, seed, metrics=metrics, status=status,
                                          **kwargs))
    return out
