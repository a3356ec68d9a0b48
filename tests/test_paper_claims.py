"""scripts/paper_claims.py: claims judged from records with the suite's exact test."""

import sys
from pathlib import Path

import pytest
from fake_records import write_run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from paper_claims import claims_table


def modes(*values):
    return [{"modes": float(v), "kl": 0.1} for v in values]


def row(table: str, dataset: str, method: str) -> str:
    return next(line for line in table.splitlines()
                if f"| {dataset} | {method} | nsgan |" in line)


def test_claims_are_reproduced_refuted_or_not_separated(tmp_path):
    write_run(tmp_path, {
        ("grid25", "nsgan"): modes(12, 11, 13, 12, 12),
        ("grid25", "pacgan"): modes(20, 21, 19, 22, 20),  # above every nsgan seed
        ("grid25", "unrolled"): modes(5, 6, 4, 5, 6),  # below every nsgan seed
        ("ring8", "nsgan"): modes(8, 8, 7, 8, 8),
        ("ring8", "wgan-gp"): modes(8, 8, 8, 8, 8),
        ("ring8", "r1"): modes(8, 7, 8, 8, 8),
    })
    table = claims_table(tmp_path)
    assert row(table, "grid25", "pacgan").endswith("| 0.00794 | reproduced |")  # 2 / 252
    assert row(table, "grid25", "unrolled").endswith("| not reproduced |")
    assert "all 8 modes in every seed; not separated" in row(table, "ring8", "wgan-gp")
    assert "not all 8 modes in every seed" in row(table, "ring8", "r1")
    assert row(table, "ring8", "unrolled").endswith("| not run |")


@pytest.mark.parametrize("seeds", [1, 3])
def test_too_few_seeds_are_never_a_reproduction(tmp_path, seeds):
    write_run(tmp_path, {("grid25", "nsgan"): modes(*[5] * seeds),
                         ("grid25", "pacgan"): modes(*[25] * seeds)})
    assert row(claims_table(tmp_path), "grid25", "pacgan").endswith("| not separated |")
