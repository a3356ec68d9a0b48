"""Are the papers' qualitative claims reproduced on the 2D mixtures? Tested from records.

Each claim compares one method with its baseline on one metric over seeds, with the
suite's two-sided Mann-Whitney U test (``benches.results.significance``):

- PacGAN (Lin et al. 2018, arXiv:1712.04086, Table 1) covers more grid25 modes than its
  unpacked baseline (nsgan);
- WGAN-GP (Gulrajani et al. 2017, arXiv:1704.00028) and R1 (Mescheder et al. 2018,
  arXiv:1801.04406) keep all ring8 modes, and more of them than nsgan;
- unrolling (Metz et al. 2017, arXiv:1611.02163) helps mode coverage over nsgan.

A claim is "reproduced" when the method's mean is better and p < ALPHA, "not reproduced"
when it is worse and p < ALPHA, and "not separated" otherwise; "keeps all modes" also
needs every finished seed at the maximum. Writes ``OUT/claims.md``.

    python scripts/paper_claims.py results
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benches.results.aggregate import Entry, group, summarize
from benches.results.leaderboard import fmt, mean_std
from benches.results.records import iter_records, write_atomic
from benches.results.significance import ALPHA, mann_whitney_p

# (claim, dataset, method, baseline, metric, all-modes count or None)
CLAIMS = (
    ("PacGAN covers more modes than its unpacked baseline", "grid25", "pacgan", "nsgan",
     "modes", None),
    ("PacGAN covers more modes than its unpacked baseline", "ring8", "pacgan", "nsgan",
     "modes", None),
    ("WGAN-GP keeps all ring8 modes", "ring8", "wgan-gp", "nsgan", "modes", 8),
    ("R1 keeps all ring8 modes", "ring8", "r1", "nsgan", "modes", 8),
    ("Unrolling helps mode coverage", "ring8", "unrolled", "nsgan", "modes", None),
    ("Unrolling helps mode coverage", "grid25", "unrolled", "nsgan", "modes", None),
)


def verdict(method: Entry, baseline: Entry, metric: str, all_modes: int | None
            ) -> tuple[str, float]:
    a, b = method.values(metric), baseline.values(metric)
    if not (a.size and b.size):
        return "no finished seeds", float("nan")
    p = mann_whitney_p(a, b)
    if all_modes is not None:
        kept = bool((a == all_modes).all())
        return (f"{'all' if kept else 'not all'} {all_modes} modes in every seed; "
                + ("more than the baseline" if a.mean() > b.mean() and p < ALPHA
                   else "not separated from the baseline")), p
    if p >= ALPHA:
        return "not separated", p
    return ("reproduced" if a.mean() > b.mean() else "not reproduced"), p


def _mean_std(v: np.ndarray) -> str:
    return f"{mean_std(summarize(v))} (n={v.size})" if v.size else "—"


def claims_table(out: Path) -> str:
    entries = group(iter_records(out))
    lines = ["# The papers' qualitative claims on the 2D mixtures", "",
             f"`python scripts/paper_claims.py {out}`: two-sided Mann-Whitney U over seeds, "
             f"alpha {ALPHA}; values are mean ± std over finished seeds.", "",
             "| claim | dataset | method | baseline | metric | method value | baseline value "
             "| p | verdict |", "|---|---|---|---|---|---:|---:|---:|---|"]
    for claim, dataset, method, baseline, metric, all_modes in CLAIMS:
        rows = entries.get(dataset, {})
        if method not in rows or baseline not in rows:
            lines.append(f"| {claim} | {dataset} | {method} | {baseline} | {metric} | — | — "
                         f"| — | not run |")
            continue
        m, b = rows[method], rows[baseline]
        text, p = verdict(m, b, metric, all_modes)
        value = [_mean_std(e.values(metric)) for e in (m, b)]
        lines.append(f"| {claim} | {dataset} | {method} | {baseline} | {metric} | {value[0]} "
                     f"| {value[1]} | {fmt(p)} | {text} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a run folder with records/")
    args = parser.parse_args()
    text = claims_table(args.out)
    write_atomic(args.out / "claims.md", text)
    print(text, end="")


if __name__ == "__main__":
    main()
