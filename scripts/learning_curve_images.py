"""Learning curves of nsgan on the image datasets: where to stop the default schedule.

Trains ``nsgan`` on mnist, stacked-mnist and cifar10 with the quick profile's batch and
networks for ``--steps`` steps, evaluating every ``--every`` steps (the quick profile's
evaluation: evaluator features of ``eval_samples`` generated against as many real test
images), and writes one row per evaluation to ``results/studies/learning_curve_images.
{csv,md}``: FD, modes, precision, recall, and the wall seconds so far. Rows of datasets
not run this time are kept from the existing table, so each dataset can be run (and
rerun) on its own. The default image schedule is chosen where these curves have left
their first steep drop.

    GANBENCH_DATA_DIR=... python scripts/learning_curve_images.py --steps 4000 --every 500
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import logging
from pathlib import Path

from benches.results.records import write_atomic
from benches.run import runtime
from benches.run.cell import run_cell
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell

COLUMNS = ("dataset", "seed", "step", "epochs", "fd", "modes", "mode_kl", "precision",
           "recall", "wall_seconds")
DATASETS = ("mnist", "stacked-mnist", "cifar10")
TRAIN_SIZE = {"mnist": 60_000, "stacked-mnist": 60_000, "cifar10": 50_000}


def curve(dataset: str, seed: int, steps: int, every: int, method: str) -> list[dict]:
    """One training run's evaluations, each a row of COLUMNS."""
    plan = plan_cell(Cell(MethodSpec(method), dataset, seed), "quick",
                     command="python scripts/learning_curve_images.py")
    spc = plan.schedule.steps_per_call
    if every % spc:
        raise SystemExit(f"--every must be a multiple of {spc} (steps per compiled call)")
    plan = dataclasses.replace(plan, schedule=dataclasses.replace(
        plan.schedule, steps=steps, evals=steps // every))
    record = run_cell(plan)
    if record["status"] != "ok":
        raise SystemExit(f"{dataset} seed {seed}: {record['status']}: {record['error']}")
    batch = plan.schedule.batch_size
    wall = record["timing"]["wall_seconds"]
    return [{"dataset": dataset, "seed": seed, "step": h["step"],
             "epochs": h["step"] * batch / TRAIN_SIZE[dataset],
             **{k: h.get(k) for k in COLUMNS[4:-1]},
             "wall_seconds": wall * h["step"] / steps}
            for h in record["history"]]


def markdown(rows: list[dict]) -> str:
    def fmt(v: object) -> str:  # values read back from the CSV are strings
        try:
            x = float(v)
        except (TypeError, ValueError):
            return str(v)
        return str(int(x)) if x.is_integer() else f"{x:.4g}"

    commands = "\n".join(f"    {c}" for c in dict.fromkeys(r["command"] for r in rows))
    lines = [f"# nsgan learning curves on the image datasets\n\nMade by:\n\n{commands}\n",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--method", default="nsgan")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", type=Path, default=Path("results/studies"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    runtime.configure()
    names = args.datasets.split(",")
    command = ("GANBENCH_DATA_DIR=... python scripts/learning_curve_images.py "
               f"--steps {args.steps} --every {args.every} --seeds {args.seeds} "
               f"--method {args.method} --datasets {args.datasets}")
    table = args.out / "learning_curve_images.csv"
    kept = []
    if table.exists():
        with open(table, newline="") as f:
            kept = [r for r in csv.DictReader(f) if r["dataset"] not in names]
    rows = []
    for dataset in names:
        for seed in range(args.seeds):
            rows += [{**r, "command": command}
                     for r in curve(dataset, seed, args.steps, args.every, args.method)]
            logging.info("%s seed %d done: %s", dataset, seed, rows[-1])
    rows = sorted(kept + rows, key=lambda r: (DATASETS.index(r["dataset"]) if r["dataset"]
                                              in DATASETS else len(DATASETS), int(r["seed"]),
                                              int(r["step"])))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, [*COLUMNS, "command"])
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(table, buf.getvalue())
    write_atomic(args.out / "learning_curve_images.md", markdown(rows))


if __name__ == "__main__":
    main()
