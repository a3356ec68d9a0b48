"""Convergence study of the nsgan baseline on the 2D mixtures (ring8, grid25).

Issue "Converged, significant leaderboards", part 1: find the default 2D-mixture protocol
under which ``nsgan`` converges -- mean high-quality fraction (HQ) >= 0.90 on both ring8
and grid25 -- in as few sample-steps (steps x batch) as possible.

For every candidate protocol, dataset and seed this trains nsgan, evaluates 2,500
generated samples (the quick profile's evaluation, same evaluation seed) every
``--eval-every`` steps, and appends one row per evaluation to
``results/studies/convergence_2d_seeds.csv``. The per-seed rows are then summarized over
seeds into ``results/studies/convergence_2d.{csv,md}``: HQ mean +- std (and min), modes
and KL means, and the wall seconds a cell had spent when it reached that step
(construction, XLA compilation, training and the evaluations so far).
A (candidate, dataset, seed) already in the per-seed file with enough steps is not rerun,
so the study can be extended piece by piece.

A candidate is a label ``b<batch>-lr<lr>-z<latent>-h<w1>x<w2>...[-s<steps_per_call>]
[-lin<T>|-cos<T>]``, e.g. ``b128-lr1e-3-z2-h128x128``:

- batch size, Adam learning rate (beta_1 0.5 as nsgan's default), latent dimension and
  the hidden widths of both players' MLPs (``GaussianMixture(hidden=, latent_dim=)``);
- ``-lin<T>`` / ``-cos<T>``: the learning rate decays linearly / by a half cosine from
  ``lr`` to 0 over ``T`` steps (``T`` like ``30000`` or ``30k``). The library's optimizer
  spec has a constant float learning rate, so the study passes a ``tf.Variable`` as
  ``lr``; the compiled step reads it, and the host sets it between compiled calls to the
  schedule's value at the middle of the call: a piecewise-constant schedule with
  ``steps_per_call`` steps per piece. Only the evaluation at step ``T`` is the result of
  that protocol; the earlier rows belong to a run that is not finished decaying.

Run from the repository root, one process, single-threaded by default::

    python scripts/convergence_2d.py --candidates b128-lr1e-3-z2-h128x128 --seeds 3 --steps 20000
    python scripts/convergence_2d.py --report-only   # rebuild the tables from the seed file
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf

# The harness: everything this study uses from it, in one place (these modules may move).
import methods
from benches.datasets.mixtures import grid25, ring8
from benches.run import runtime
from benches.train.trainer import Trainer

DATASETS = {"ring8": ring8, "grid25": grid25}
EVAL_SAMPLES = 2500  # the quick profile's evaluation size
EVAL_SEED = 12345  # the harness's evaluation seed (benches/run/cell.py)
HQ_TARGET = 0.90
OUT = Path("results/studies")
SEED_FILE = "convergence_2d_seeds.csv"
SEED_FIELDS = ("candidate", "dataset", "seed", "step", "sample_steps", "high_quality",
               "modes", "kl", "wall_seconds", "train_seconds", "compile_seconds", "lr")

_LABEL = re.compile(r"^b(?P<batch>\d+)-lr(?P<lr>[0-9.eE+-]+?)-z(?P<latent>\d+)"
                    r"-h(?P<hidden>\d+(?:x\d+)*)(?:-s(?P<spc>\d+))?"
                    r"(?:-(?P<decay>lin|cos)(?P<total>\d+k?))?$")


@dataclass(frozen=True)
class Candidate:
    label: str
    batch_size: int
    lr: float
    latent_dim: int
    hidden: tuple[int, ...]
    steps_per_call: int = 200
    decay: str = "constant"  # constant | lin | cos
    decay_steps: int = 0

    @classmethod
    def parse(cls, label: str) -> Candidate:
        m = _LABEL.match(label)
        if not m:
            raise ValueError(f"bad candidate label {label!r}; expected e.g. "
                             "b128-lr1e-3-z2-h128x128[-s200][-cos30k]")
        total = m["total"] or "0"
        total_steps = int(total[:-1]) * 1000 if total.endswith("k") else int(total)
        return cls(label, int(m["batch"]), float(m["lr"]), int(m["latent"]),
                   tuple(int(h) for h in m["hidden"].split("x")),
                   int(m["spc"] or 200), m["decay"] or "constant", total_steps)

    def lr_at(self, step: float) -> float:
        """The learning rate at ``step`` (constant, or decayed to 0 at ``decay_steps``)."""
        if self.decay == "constant":
            return self.lr
        frac = min(max(step / self.decay_steps, 0.0), 1.0)
        if self.decay == "lin":
            return self.lr * (1.0 - frac)
        return self.lr * 0.5 * (1.0 + math.cos(math.pi * frac))


def run_seed(cand: Candidate, dataset_name: str, seed: int, steps: int,
             eval_every: int) -> list[dict]:
    """Train one (candidate, dataset, seed) for ``steps`` steps; one row per evaluation."""
    if eval_every % cand.steps_per_call or steps % cand.steps_per_call:
        raise ValueError(f"{cand.label}: steps and --eval-every must be multiples of "
                         f"steps_per_call={cand.steps_per_call}")
    start = time.perf_counter()
    dataset = DATASETS[dataset_name](hidden=cand.hidden, latent_dim=cand.latent_dim)
    lr = (tf.Variable(cand.lr_at(0.5 * cand.steps_per_call), trainable=False,
                      dtype=tf.float32, name="lr")
          if cand.decay != "constant" else cand.lr)
    method = methods.get("nsgan").build(lr=lr, beta_1=0.5)
    trainer = Trainer(method, dataset, seed=seed, batch_size=cand.batch_size,
                      steps_per_call=cand.steps_per_call)
    rows, train_seconds, compile_seconds = [], 0.0, 0.0
    for call in range(1, steps // cand.steps_per_call + 1):
        done = (call - 1) * cand.steps_per_call
        if cand.decay != "constant":
            lr.assign(cand.lr_at(done + 0.5 * cand.steps_per_call))
        t0 = time.perf_counter()
        trainer.train_call()
        seconds = time.perf_counter() - t0
        train_seconds += seconds
        if call == 1:
            compile_seconds = seconds
        step = call * cand.steps_per_call
        if step % eval_every == 0 or step == steps:
            metrics = dataset.evaluate(trainer.generate(EVAL_SAMPLES, EVAL_SEED))
            rows.append({"candidate": cand.label, "dataset": dataset_name, "seed": seed,
                         "step": step, "sample_steps": step * cand.batch_size,
                         "high_quality": round(metrics["high_quality"], 5),
                         "modes": metrics["modes"], "kl": round(metrics["kl"], 5),
                         "wall_seconds": round(time.perf_counter() - start, 3),
                         "train_seconds": round(train_seconds, 3),
                         "compile_seconds": round(compile_seconds, 3),
                         "lr": f"{cand.lr_at(step):.3g}"})
            print(f"{cand.label} {dataset_name} seed {seed} step {step}: "
                  f"HQ {metrics['high_quality']:.3f} modes {metrics['modes']:.0f} "
                  f"KL {metrics['kl']:.3f} ({rows[-1]['wall_seconds']:.1f} s)", flush=True)
    return rows


def load_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def save_rows(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=SEED_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def summarize(rows: list[dict]) -> list[dict]:
    """One row per (candidate, dataset, step): means and spreads over seeds."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["candidate"], r["dataset"], int(r["step"])), []).append(r)
    out = []
    for (cand, ds, step), rs in groups.items():
        hq_mean, hq_std = _mean_std([float(r["high_quality"]) for r in rs])
        out.append({"candidate": cand, "dataset": ds, "steps": step,
                    "sample_steps": int(rs[0]["sample_steps"]), "seeds": len(rs),
                    "hq_mean": round(hq_mean, 4), "hq_std": round(hq_std, 4),
                    "hq_min": round(min(float(r["high_quality"]) for r in rs), 4),
                    "modes_mean": round(statistics.fmean(float(r["modes"]) for r in rs), 2),
                    "kl_mean": round(statistics.fmean(float(r["kl"]) for r in rs), 4),
                    "wall_seconds": round(statistics.fmean(float(r["wall_seconds"])
                                                           for r in rs), 1)})
    order = {name: i for i, name in enumerate(DATASETS)}
    out.sort(key=lambda r: (r["candidate"], order.get(r["dataset"], 99), r["steps"]))
    return out


def _hq_text(r: dict, with_min: bool = False) -> str:
    """HQ as ``mean ± std`` over seeds (plus the worst seed), or the value for one seed."""
    if r["seeds"] < 2:
        return f"{r['hq_mean']:.3f} (1 seed)"
    text = f"{r['hq_mean']:.3f} ± {r['hq_std']:.3f}"
    return f"{text} (min {r['hq_min']:.3f})" if with_min else text


def crossings(summary: list[dict]) -> list[dict]:
    """Per candidate (and seed count): the first step where mean HQ >= target on both."""
    by: dict[tuple, dict] = {}
    for r in summary:
        by.setdefault((r["candidate"], r["seeds"]), {}).setdefault(r["steps"], {})[r["dataset"]] = r
    out = []
    for (cand, seeds), steps in by.items():
        first = None
        total = Candidate.parse(cand).decay_steps
        if total:  # a decay protocol's result is its final evaluation only
            steps = {s: cells for s, cells in steps.items() if s == total}
            if not steps:
                continue
        for step in sorted(steps):
            cells = steps[step]
            if all(d in cells and cells[d]["hq_mean"] >= HQ_TARGET for d in DATASETS):
                first = step
                break
        last = max(steps)
        best = first if first is not None else last
        cells = steps[best]
        out.append({"candidate": cand, "seeds": seeds, "converged_step": first,
                    "max_step": last,
                    "sample_steps": cells[next(iter(cells))]["sample_steps"],
                    **{f"{d}_hq": (_hq_text(cells[d], with_min=True) if d in cells else "")
                       for d in DATASETS},
                    **{f"{d}_modes": cells[d]["modes_mean"] if d in cells else ""
                       for d in DATASETS},
                    **{f"{d}_wall": cells[d]["wall_seconds"] if d in cells else ""
                       for d in DATASETS}})
    out.sort(key=lambda r: (r["converged_step"] is None,
                            r["sample_steps"] if r["converged_step"] else 0, r["candidate"]))
    return out


def write_report(rows: list[dict], out: Path, note: str = "") -> None:
    summary = summarize(rows)
    if not summary:
        return
    with (out / "convergence_2d.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    lines = [
        "# nsgan convergence on the 2D mixtures",
        "",
        "Written by `scripts/convergence_2d.py` from `convergence_2d_seeds.csv` (one row per "
        "seed and evaluation). HQ: share of 2,500 generated samples within 3 std of their "
        "nearest mode (`metrics/mixture.py`); modes: modes captured; KL: mode histogram vs "
        "uniform (nats). Mean ± std over seeds, min = worst seed. Wall: seconds a cell had "
        "spent at that step (networks, XLA compile, training, evaluations every "
        "2,000 steps), single-threaded, mean over seeds. Candidate label: "
        "`b<batch>-lr<Adam lr>-z<latent dim>-h<hidden widths>` (beta_1 0.5, steps_per_call "
        "200 unless `-s<n>`); `-lin<T>`/`-cos<T>`: lr decays to 0 at step T (only the "
        "row at T is that protocol's result).",
        *(["", note] if note else []),
        "",
        f"## First step with mean HQ >= {HQ_TARGET:.2f} on both datasets",
        "",
        "| candidate | seeds | converged at step | sample-steps | ring8 HQ | grid25 HQ "
        "| ring8 modes | grid25 modes | wall s ring8 / grid25 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in crossings(summary):
        step = (f"{c['converged_step']:,}" if c["converged_step"]
                else f"not by {c['max_step']:,}")
        lines.append(f"| {c['candidate']} | {c['seeds']} | {step} | {c['sample_steps']:,} "
                     f"| {c['ring8_hq']} | {c['grid25_hq']} | {c['ring8_modes']} "
                     f"| {c['grid25_modes']} | {c['ring8_wall']} / {c['grid25_wall']} |")
    lines += ["", "## Every evaluation", "",
              "| candidate | dataset | steps | sample-steps | seeds | HQ mean ± std | HQ min "
              "| modes | KL | wall s |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in summary:
        lines.append(f"| {r['candidate']} | {r['dataset']} | {r['steps']:,} "
                     f"| {r['sample_steps']:,} | {r['seeds']} "
                     f"| {_hq_text(r)} | {r['hq_min']:.3f} "
                     f"| {r['modes_mean']:.1f} | {r['kl_mean']:.3f} | {r['wall_seconds']:.1f} |")
    (out / "convergence_2d.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", default="",
                        help="comma-separated candidate labels (see the module docstring)")
    parser.add_argument("--datasets", default="ring8,grid25")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=20000,
                        help="training steps (a decay candidate uses its own T)")
    parser.add_argument("--eval-every", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--note", default="",
                        help="a paragraph for the Markdown table (e.g. the machine's load)")
    args = parser.parse_args(argv)

    runtime.configure()
    seed_path = args.out / SEED_FILE
    rows = load_rows(seed_path)
    if not args.report_only:
        for label in filter(None, args.candidates.split(",")):
            cand = Candidate.parse(label)
            steps = cand.decay_steps or args.steps
            for ds in args.datasets.split(","):
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    have = [r for r in rows if (r["candidate"], r["dataset"], int(r["seed"]))
                            == (label, ds, seed)]
                    if have and max(int(r["step"]) for r in have) >= steps:
                        continue
                    new = run_seed(cand, ds, seed, steps, args.eval_every)
                    rows = [r for r in rows if r not in have] + new
                    save_rows(seed_path, rows)
                    write_report(rows, args.out, args.note)
    write_report(rows, args.out, args.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
