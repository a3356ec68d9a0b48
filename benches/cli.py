"""Command line: ``python -m benches {list,run,leaderboard,evaluators}``."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from benches.profiles import PROFILES

log = logging.getLogger("benches")


class UsageError(Exception):
    """Bad command-line input; the message says what was wrong and what is valid."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benches", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="show methods (paper, hyperparameters) and datasets")

    run = sub.add_parser("run", help="run a matrix of methods x datasets x seeds")
    run.add_argument("--all", action="store_true", help="every method on every dataset")
    run.add_argument("--methods", help="comma-separated, e.g. gan,nsgan:lr=2e-4:beta_1=0.5")
    run.add_argument("--datasets", help="comma-separated dataset names")
    run.add_argument("--seeds", type=_positive_int, help="seeds 0..N-1 (default: profile's)")
    run.add_argument("--steps", type=_positive_int, help="override the profile's training steps")
    run.add_argument("--profile", choices=list(PROFILES), default="quick")
    run.add_argument("--out", type=Path, default=Path("runs/latest"), help="output folder")
    run.add_argument("--no-xla", action="store_true", help="run the same step without XLA")
    run.add_argument("--data-dir", type=Path,
                     help="offline image data folder (mnist/, cifar10/); sets GANBENCH_DATA_DIR")

    ev = sub.add_parser("evaluators", help="train missing evaluator classifiers, show accuracy")
    ev.add_argument("--data-dir", type=Path,
                    help="offline image data folder (mnist/, cifar10/); sets GANBENCH_DATA_DIR")
    ev.add_argument("--families", default="mnist,cifar10", help="comma-separated, e.g. mnist")

    board = sub.add_parser("leaderboard", help="rebuild leaderboards from a run folder")
    board.add_argument("out", type=Path)
    return parser


def cmd_list() -> int:
    import methods
    from benches import datasets

    print("Methods:")
    for reg in methods.available():
        hp = ", ".join(f"{k}={v!r}" for k, v in reg.defaults.items()) or "-"
        print(f"  {reg.name:18s} {reg.paper}\n  {'':18s} hyperparameters: {hp}")
    print("\nDatasets:")
    for ds in datasets.available():
        print(f"  {ds.name:18s} [{ds.family}] {ds.description}")
    return 0


def _check_writable(out: Path) -> None:
    probe = out
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"--out {out}: {probe} exists and is not a folder")
    import os

    if not os.access(probe, os.W_OK):
        raise UsageError(f"--out {out}: folder {probe} is not writable")


def _use_data_dir(path: Path | None) -> None:
    import os

    from benches.datasets.image_sources import DATA_DIR_ENV

    if path is None:
        return
    if not path.is_dir():
        raise UsageError(f"--data-dir {path}: no such folder; expected a folder holding "
                         "mnist/ (IDX .gz files) and/or cifar10/")
    os.environ[DATA_DIR_ENV] = str(path.resolve())


def cmd_evaluators(args: argparse.Namespace) -> int:
    from benches import evaluators
    from benches.datasets.image_sources import DataError

    _use_data_dir(args.data_dir)
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = [f for f in families if f not in evaluators.RECIPES]
    if unknown or not families:
        raise UsageError(f"--families {args.families!r}; valid: {', '.join(evaluators.RECIPES)}")
    for family in families:
        try:
            ev = evaluators.get(family)
        except DataError as exc:
            raise UsageError(str(exc)) from None
        info = ev.info
        folder = evaluators.evaluator_dir(family, info["key"])
        print(f"{family:8s} test accuracy {info['accuracy']:.4f} "
              f"(target >= {evaluators.MIN_ACCURACY[family]:.3f}; data {info['data_source']}; "
              f"trained in {info['train_seconds']:.0f} s; {folder})")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from benches.cell import run_cell
    from benches.leaderboard import write_leaderboards
    from benches.matrix import expand, parse_datasets, parse_methods
    from benches.profiles import schedule
    from benches.progress import ProgressBar
    from benches.records import write_record

    if not (args.all or args.methods or args.datasets):
        raise UsageError("nothing to run: pass --all, or --methods and/or --datasets")
    _use_data_dir(args.data_dir)
    try:
        specs = parse_methods(args.methods)
        names = parse_datasets(args.datasets)
    except (KeyError, ValueError) as exc:
        raise UsageError(exc.args[0]) from None
    _check_writable(args.out)
    from benches import datasets

    cells = []
    for name in names:
        n_seeds = args.seeds or schedule(args.profile, datasets.get(name).family).seeds
        cells += expand(specs, [name], list(range(n_seeds)))
    command = "python -m benches " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    log.info("running %d cells (profile %s) into %s", len(cells), args.profile, args.out)
    bar = ProgressBar(len(cells))
    bar.show()
    counts = {"ok": 0, "diverged": 0, "failed": 0}
    for cell in cells:
        record = run_cell(cell, args.profile, xla=not args.no_xla, steps=args.steps,
                          command=command)
        write_record(args.out, record)
        counts[record["status"]] += 1
        if record["status"] != "ok":
            log.warning("%s: %s (%s)", cell.cell_id, record["status"], record["error"]["message"])
        bar.advance(f"{cell.cell_id}: {record['status']}")
    bar.close()
    boards = write_leaderboards(args.out)
    log.info("done: %s; leaderboards: %s", counts, ", ".join(str(p) for p in boards))
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from benches.leaderboard import write_leaderboards

    try:
        boards = write_leaderboards(args.out)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    for path in boards:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "run":
            return cmd_run(args)
        if args.command == "evaluators":
            return cmd_evaluators(args)
        return cmd_leaderboard(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
