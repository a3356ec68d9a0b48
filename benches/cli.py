"""Command line: ``python -m benches {list,run,leaderboard,compare,diagnose,timing,evaluators}``.

Exit statuses are :data:`EPILOG`'s (``--help`` shows them).
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from benches.run import executors
from benches.run.profiles import PROFILES

log = logging.getLogger("benches")


class UsageError(Exception):
    """Bad command-line input; the message says what was wrong and what is valid."""


def _integer_at_least(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum``, with a message naming what is valid."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text}")
        return value

    return parse


_positive_int = _integer_at_least(1, "a positive integer")
_non_negative_int = _integer_at_least(0, "an integer >= 0")


def _positive_int_list(text: str) -> list[int]:
    """An argparse type: comma-separated positive integers, e.g. ``8,128,512``."""
    try:
        return [_positive_int(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers, got {text}") from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {value}")
    return value


DESCRIPTION = ("ganbench: benchmark GAN stabilization methods over a matrix of datasets and "
               "seeds, with XLA-compiled training steps, and turn the records into leaderboards.")

ENVIRONMENT = {
    "GANBENCH_DATA_DIR": "offline image data folder (mnist/, cifar10/); same as --data-dir",
    "GANBENCH_CACHE_DIR": "decoded arrays and evaluator classifiers "
                          "(default ~/.cache/ganbench)",
    "GANBENCH_METHODS_PATH": "folders of plugin method files, separated by ':'",
    "GANBENCH_INTRA_OP_THREADS": "TensorFlow intra-op threads (default 1; 0 = TensorFlow's)",
    "GANBENCH_INTER_OP_THREADS": "TensorFlow inter-op threads (default 1; 0 = TensorFlow's)",
    "GANBENCH_INCEPTION_GRAPH": "the 2015-12-05 Inception graph file; adds FID on images",
}
# Exit statuses of every command (also in the README and --help).
EXIT_OK, EXIT_STOPPED, EXIT_USAGE, EXIT_CELLS_FAILED = 0, 1, 2, 3
EPILOG = (
    "environment variables:\n"
    + "".join(f"  {name:27s}{text}\n" for name, text in ENVIRONMENT.items())
    + "\nexit status:\n"
      "  0    success: every cell of the matrix is ok or diverged\n"
      "  1    run --fail-fast stopped at a failed cell; compare --fail-on-regression found "
      "a regression; diagnose: the cell failed\n"
      "  2    usage error: bad arguments, data folder, output folder or plugin\n"
      "  3    run finished, but some cells failed (the last line says which and why)\n"
      "  130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM: re-run the same command to "
      "resume\n")


def _tolerance(text: str):
    from benches.results.compare import parse_tolerance

    return parse_tolerance(text)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's -v must not reset one given before the subcommand
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="debug logging")
    parser = argparse.ArgumentParser(prog="python -m benches", description=DESCRIPTION,
                                     epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return subparsers.add_parser(name, help=text, description=text[0].upper() + text[1:],
                                     parents=[common], epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)

    command("list", "show methods (paper, reference code, hyperparameters, settings per "
                    "dataset family) and datasets")

    run = command("run", "run a matrix of methods x datasets x seeds")
    run.add_argument("--all", action="store_true", help="every method on every dataset")
    run.add_argument("--methods", help="comma-separated, e.g. gan,nsgan:lr=2e-4:beta_1=0.5 "
                                       "(default: every method)")
    run.add_argument("--datasets", help="comma-separated dataset names (default: every dataset)")
    run.add_argument("--seeds", type=_positive_int, help="seeds 0..N-1 (default: profile's)")
    run.add_argument("--steps", type=_positive_int, help="override the profile's training steps")
    run.add_argument("--profile", choices=list(PROFILES), default="quick",
                     help="training schedule: smoke (seconds per cell), quick, full "
                          "(default: quick)")
    run.add_argument("--out", type=Path, default=Path("runs/latest"),
                     help="output folder (default: runs/latest)")
    run.add_argument("--no-xla", action="store_true", help="run the same step without XLA")
    run.add_argument("--force", action="store_true",
                     help="rerun every cell, even those with complete records")
    run.add_argument("--no-retry-failed", dest="retry_failed", action="store_false",
                     help="on re-run, keep failed cells' records instead of retrying them")
    run.add_argument("--fail-fast", action="store_true",
                     help="stop at the first failed cell (exit 1)")
    run.add_argument("--checkpoint-every", type=_non_negative_int, metavar="STEPS",
                     help="checkpoint long cells every STEPS steps, 0 = never "
                          "(default: the profile's; on for full)")
    run.add_argument("--jobs", type=_positive_int, default=1,
                     help="worker processes, sharing the CPU threads (default 1: in-process)")
    run.add_argument("--executor", choices=executors.names(), default="local",
                     help="local (in-process or --jobs workers) or ray (one task per cell)")
    run.add_argument("--address", help="Ray cluster address for --executor ray "
                                       "(default: start a local Ray instance)")
    run.add_argument("--tensorboard", action="store_true",
                     help="also write per-cell TensorBoard scalars to OUT/tensorboard/")
    run.add_argument("--data-dir", type=Path,
                     help="offline image data folder (mnist/, cifar10/); sets GANBENCH_DATA_DIR")
    run.add_argument("--fid", action="store_true",
                     help="FID with the 2015 Inception graph on image datasets (default: on "
                          "in full only). Costs ~190 CPU-seconds per 1,000 images on one "
                          "thread (~13 CPU-minutes per quick-profile image cell, plus ~6 "
                          "once per dataset for the real statistics); the graph (~90 MB) is "
                          "downloaded on first use")

    ev = command("evaluators", "train missing evaluator classifiers, show accuracy")
    ev.add_argument("--data-dir", type=Path,
                    help="offline image data folder (mnist/, cifar10/); sets GANBENCH_DATA_DIR")
    ev.add_argument("--families", default="mnist,cifar10",
                    help="comma-separated (default: mnist,cifar10)")

    board = command("leaderboard",
                    "rebuild leaderboards (Markdown, CSV) and index.html from records")
    board.add_argument("out", type=Path)
    board.add_argument("--strict", action="store_true",
                       help="fail on a file among the records that is not a record "
                            "(default: skip it with a warning)")

    comp = command("compare", "per (dataset, method) deltas between two run folders")
    comp.add_argument("a", type=Path, help="baseline run folder")
    comp.add_argument("b", type=Path, help="candidate run folder")
    comp.add_argument("--alpha", type=_probability, default=0.05,
                      help="significance level of the Mann-Whitney U tests (default 0.05)")
    comp.add_argument("--tolerance", action="append", type=_tolerance, default=[],
                      metavar="[METRIC:]VALUE",
                      help="how far B may be worse than A before it is a regression: "
                           "VALUE%% of A's mean or an absolute VALUE, for METRIC or every "
                           "metric; repeatable (default: 10%% per metric, 0 for "
                           "failure_rate)")
    comp.add_argument("--fail-on-regression", action="store_true",
                      help="exit 1 when B is worse than A beyond the tolerance on a primary "
                           "metric or the failure rate")
    comp.add_argument("--all-rows", action="store_true",
                      help="list every comparison, not only changes and significant ones")

    diag = command("diagnose", "run one cell and report its gradient health")
    diag.add_argument("method", help="method spec, e.g. gan or nsgan:lr=1e-3")
    diag.add_argument("dataset")
    diag.add_argument("--profile", choices=list(PROFILES), default="smoke",
                      help="training schedule (default: smoke)")
    diag.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    diag.add_argument("--steps", type=_positive_int, help="override the profile's training steps")
    diag.add_argument("--out", type=Path, default=Path("runs/diagnose"),
                      help="output folder (default: runs/diagnose)")
    diag.add_argument("--no-xla", action="store_true", help="run the same step without XLA")

    timing = command("timing", "time each method's train step, XLA on and off")
    timing.add_argument("--methods", help="comma-separated (default: every method)")
    timing.add_argument("--datasets", help="comma-separated (default: every dataset)")
    timing.add_argument("--profile", choices=list(PROFILES), default="quick",
                        help="batch size and steps per call come from this profile "
                             "(default: quick)")
    timing.add_argument("--windows", type=_positive_int, default=5,
                        help="timed calls per side (default: 5)")
    timing.add_argument("--steps-per-call", type=_positive_int, help="override the profile's")
    timing.add_argument("--batch-sizes", type=_positive_int_list, default=[None],
                        help="comma-separated batch sizes, one row each (default: the "
                             "profile's)")
    timing.add_argument("--out", type=Path, default=Path("runs/timing"),
                        help="output folder (default: runs/timing)")
    timing.add_argument("--estimate", action="store_true",
                        help="instead: measure a cost table (compile s, steps/s, evaluation s; "
                             "XLA only) and estimate the whole matrix's time")
    timing.add_argument("--from-records", type=Path, metavar="DIR",
                        help="with --estimate: take the cost table from DIR's records "
                             "instead of measuring")
    timing.add_argument("--jobs", type=_positive_int_list, default=[1, 2],
                        help="with --estimate: worker counts to predict wall time for "
                             "(default 1,2)")
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    import methods
    from benches import datasets

    try:
        registrations = methods.available()
    except ValueError as exc:
        raise UsageError(exc.args[0]) from None
    print("Methods:")
    for reg in registrations:
        hp = ", ".join(f"{k}={v!r}" for k, v in reg.defaults.items()) or "-"
        print(f"  {reg.name:18s} {reg.paper}")
        if reg.code:
            print(f"  {'':18s} code: {reg.code}")
        print(f"  {'':18s} hyperparameters: {hp}")
        for family, fs in reg.settings.items():
            values = ", ".join(f"{k}={v!r}" for k, v in fs.values.items())
            print(f"  {'':18s} {family}: {values}  [{fs.source}]")
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
    # os.access says yes to root even where the file system refuses (/proc, read-only
    # mounts), so try: create and remove a folder where the output will go.
    import tempfile

    try:
        os.rmdir(tempfile.mkdtemp(prefix=".ganbench-probe-", dir=probe))
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create files in {probe} "
                         f"({exc.strerror or exc})") from None
    for sub in ("records", "leaderboards", "checkpoints"):
        if (out / sub).exists() and not (out / sub).is_dir():
            raise UsageError(f"--out {out}: {out / sub} exists and is not a folder")


def _command(argv: list[str]) -> str:
    """The command line that ran, as recorded with results: with the plugin folders
    (``GANBENCH_METHODS_PATH``) it loaded methods from, which the results depend on."""
    import os

    from methods.registry import PLUGIN_PATH_VARIABLE

    plugins = os.environ.get(PLUGIN_PATH_VARIABLE)
    prefix = f"{PLUGIN_PATH_VARIABLE}={shlex.quote(plugins)} " if plugins else ""
    return prefix + "python -m benches " + " ".join(shlex.quote(a) for a in argv)


def _resume_command(argv: list[str]) -> str:
    """The command that continues an interrupted run (``--force`` would start over)."""
    return _command([a for a in argv if a != "--force"])


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
    from benches.datasets import evaluators
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


def _parse_matrix(args: argparse.Namespace) -> tuple[list, list[str]]:
    """``--methods`` and ``--datasets`` parsed (errors as usage errors); ``--out`` checked."""
    from benches.run.matrix import parse_datasets, parse_methods

    try:
        specs = parse_methods(args.methods)
        names = parse_datasets(args.datasets)
    except (KeyError, ValueError) as exc:
        raise UsageError(exc.args[0]) from None
    _check_writable(args.out)
    return specs, names


def cmd_run(args: argparse.Namespace) -> int:
    from benches import datasets
    from benches.run.matrix import expand
    from benches.run.profiles import schedule
    from benches.run.runner import RunOptions, SetupError, run_matrix

    if not (args.all or args.methods or args.datasets):
        raise UsageError("nothing to run: pass --all, or --methods and/or --datasets")
    _use_data_dir(args.data_dir)
    specs, names = _parse_matrix(args)
    if not args.all and (args.methods is None or args.datasets is None):
        log.info("no --%s given: running every %s (%d)",
                 *(("methods", "method", len(specs)) if args.methods is None
                   else ("datasets", "dataset", len(names))))

    cells = []
    for name in names:
        n_seeds = args.seeds or schedule(args.profile, datasets.get(name).family).seeds
        cells += expand(specs, [name], list(range(n_seeds)))
    options = RunOptions(
        cells=cells, profile=args.profile, out=args.out, xla=not args.no_xla, steps=args.steps,
        command=_command(args.argv),
        force=args.force, retry_failed=args.retry_failed, fail_fast=args.fail_fast,
        checkpoint_every=args.checkpoint_every, jobs=args.jobs, executor=args.executor,
        address=args.address, tensorboard=args.tensorboard, fid=args.fid)
    try:
        result = run_matrix(options)
    except SetupError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # the output folder became unwritable (full disk, removed, ...)
        raise UsageError(f"--out {args.out}: cannot write results ({exc})") from None
    done = result.skipped + result.finished
    summary = ", ".join(f"{n} {status}" for status, n in result.counts.items())
    if result.signum is not None:
        import signal

        name = signal.Signals(result.signum).name
        print(f"\ninterrupted by {name}: {done} of {result.total} cells have complete records "
              f"({result.finished} finished in this run: {summary}; {result.skipped} earlier). "
              f"Records on disk are whole; leaderboards were not updated; cells in progress "
              f"resume from their last checkpoint, if any.\n"
              f"resume with: {_resume_command(args.argv)}", file=sys.stderr)
        return 128 + result.signum
    log.info("done: %s (%d skipped as complete); leaderboards: %s", summary, result.skipped,
             ", ".join(str(p) for p in result.leaderboards))
    if result.stopped_on:
        print(f"error: --fail-fast: cell {result.stopped_on} failed; "
              f"{done} of {result.total} cells have records", file=sys.stderr)
        return EXIT_STOPPED
    if result.failures:
        print(f"error: {result.failure_summary()}; records in {args.out / 'records'} "
              f"(exit {EXIT_CELLS_FAILED})", file=sys.stderr)
        return EXIT_CELLS_FAILED
    return EXIT_OK


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from benches.results.publish import write_leaderboards
    from benches.results.records import RecordError

    try:
        boards = write_leaderboards(args.out, strict=args.strict)
    except (FileNotFoundError, RecordError) as exc:
        raise UsageError(f"{exc} (nothing was written)" if args.strict else str(exc)) from None
    for path in boards:
        print(path)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from benches.results.compare import compare, format_deltas, summary, tolerances

    table = tolerances(args.tolerance)
    try:
        deltas, notes = compare(args.a, args.b, args.alpha, table)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    if not deltas:
        raise UsageError(f"{args.a} and {args.b} share no (dataset, method) to compare")
    print(format_deltas(deltas, all_rows=args.all_rows))
    for note in notes:
        print(f"note: {note}")
    print(summary(deltas, table))
    regressions = any(d.regression for d in deltas)
    return EXIT_STOPPED if regressions and args.fail_on_regression else EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Run one cell, write its record and gradient-norm plot, print its health report."""
    from benches import datasets
    from benches.results.gradient_report import norms_chart, report
    from benches.results.records import write_atomic, write_record
    from benches.run.cell import run_cell
    from benches.run.matrix import Cell, parse_method_spec
    from benches.run.plan import plan_cell

    try:
        spec = parse_method_spec(args.method)
        datasets.get(args.dataset)
    except (KeyError, ValueError) as exc:
        raise UsageError(exc.args[0]) from None
    _check_writable(args.out)
    record = run_cell(plan_cell(Cell(spec, args.dataset, args.seed), args.profile,
                                xla=not args.no_xla, steps=args.steps,
                                command=_command(args.argv)))
    record_path = write_record(args.out, record)
    if record["gradient_health"] is None:
        print(f"{record['cell_id']}: failed: {record['error']['message']}\nrecord: {record_path}")
        return 1
    print(report(record))
    if record["gradient_log"]:
        plot = Path(args.out) / f"{record['cell_id']}.gradient_norms.svg"
        write_atomic(plot, norms_chart(record))
        print(f"plot: {plot}")
    print(f"record: {record_path}")
    return 0


def cmd_timing(args: argparse.Namespace) -> int:
    from benches.run.progress import ProgressBar
    from benches.run.timing import write_timing

    specs, names = _parse_matrix(args)
    command = _command(args.argv)
    if args.from_records is not None and not args.estimate:
        raise UsageError("--from-records needs --estimate")
    if args.from_records is not None and not (args.from_records / "records").is_dir():
        raise UsageError(f"--from-records {args.from_records}: no records folder in it")
    bar = ProgressBar(len(specs) * len(names) * len(args.batch_sizes), unit="pairs")
    if args.estimate:
        from benches.run.timing import write_estimate

        if args.from_records is None:
            bar.show()
        table, paths = write_estimate(args.out, specs, names, profile=args.profile,
                                      windows=args.windows, jobs=args.jobs,
                                      from_records=args.from_records, command=command,
                                      progress=bar.advance)
        bar.close()
        print(table, end="")
        for path in paths:
            print(path)
        return 0
    bar.show()
    table, paths = write_timing(args.out, specs, names, profile=args.profile,
                                windows=args.windows, steps_per_call=args.steps_per_call,
                                batch_sizes=args.batch_sizes,
                                command=command, progress=bar.advance)
    bar.close()
    print(table, end="")
    for path in paths:
        print(path)
    return 0


_COMMANDS = {"list": cmd_list, "run": cmd_run, "evaluators": cmd_evaluators,
             "leaderboard": cmd_leaderboard, "compare": cmd_compare,
             "diagnose": cmd_diagnose, "timing": cmd_timing}
# Commands that run TensorFlow; the others read records only and never import it.
_TRAINING_COMMANDS = {"run", "evaluators", "diagnose", "timing"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command in _TRAINING_COMMANDS:
            from benches.run import runtime

            try:
                runtime.configure()
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
