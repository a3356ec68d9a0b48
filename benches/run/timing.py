"""``python -m benches timing``: the compiled train step of each method, XLA on and off.

For every (dataset, method) pair it builds two trainers on the dataset's networks with the
profile's batch size and steps per call, one compiled with XLA and one without, compiles
both (first call), discards a warm-up call each, then times ``windows`` calls of each,
alternating between the two so both see the same machine load. Nothing trains to
convergence. Datasets that read data from disk get a synthetic stand-in for their real
batches (uniform in [-1, 1], shaped like the generator's output): the step's cost does not
depend on the pixel values, and the command stays data-free.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

import methods
from benches import datasets
from benches.datasets.base import Dataset
from benches.results.records import environment, write_atomic
from benches.run import estimate, runtime
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import resolve_hyperparameters
from benches.run.profiles import schedule
from benches.train.throughput import call_timing
from benches.train.trainer import Trainer
from methods.parts import rng

log = logging.getLogger(__name__)


class SyntheticReal(Dataset):
    """``dataset`` with real batches replaced by uniform noise of the generator's shape."""

    def __init__(self, dataset: Dataset):
        self.inner = dataset
        self.name, self.family = dataset.name, dataset.family
        self.description, self.latent_dim = dataset.description, dataset.latent_dim
        self.primary_metrics = dataset.primary_metrics
        generator, _ = dataset.networks()
        z = tf.zeros([1, dataset.latent_dim])
        self.sample_shape = tuple(generator.apply(generator.init(0), z).shape[1:])

    @property
    def source(self) -> str:
        return f"synthetic stand-in for {self.inner.source}"

    def networks(self, architecture: str = "default") -> tuple[Any, Any]:
        return self.inner.networks(architecture)

    def sample_real(self, seed: tf.Tensor, n: int) -> tf.Tensor:
        return 2.0 * rng.uniform([n, *self.sample_shape], seed) - 1.0

    def evaluate(self, samples: np.ndarray) -> dict[str, float]:
        raise NotImplementedError("timing only: a synthetic stand-in has no evaluation")


def _timed(trainer: Trainer) -> float:
    start = time.perf_counter()
    trainer.train_call()
    return time.perf_counter() - start


def time_pair(spec: MethodSpec, dataset_name: str, *, profile: str, windows: int,
              steps_per_call: int | None = None, batch_size: int | None = None,
              xla_off: bool = True) -> dict[str, Any]:
    """Time one method on one dataset with XLA on and off (``xla_off``); never raises
    for the pair."""
    row: dict[str, Any] = {"dataset": dataset_name, "method": spec.label, "status": "ok",
                           "error": None}
    try:
        dataset = datasets.get(dataset_name)
        sched = schedule(profile, dataset.family)
        spc = steps_per_call or sched.steps_per_call
        batch = batch_size or sched.batch_size
        if dataset.source != "synthetic":
            dataset = SyntheticReal(dataset)
        hyperparameters = resolve_hyperparameters(Cell(spec, dataset_name, 0)).hyperparameters
        method = methods.get(spec.name).build(**hyperparameters)
        row.update(batch_size=batch, steps_per_call=spc, real_batches=dataset.source)
        sides = (True, False) if xla_off else (True,)
        trainers = {xla: Trainer(method, dataset, seed=0, batch_size=batch,
                                 steps_per_call=spc, xla=xla) for xla in sides}
        calls: dict[bool, list[float]] = {xla: [] for xla in sides}
        for _ in range(2 + windows):  # compile, warm up, then alternate the timed windows
            for xla, trainer in trainers.items():
                calls[xla].append(_timed(trainer))
        for xla, key in ((True, "xla_on"), (False, "xla_off"))[:len(sides)]:
            row[key] = call_timing(calls[xla], steps_per_call=spc, batch_size=batch,
                                   xla=trainers[xla].xla, warmup=1)
        if not trainers[True].xla:
            row["xla_note"] = method.xla_note
        if not xla_off:
            return row
        ratios = (np.asarray(row["xla_on"]["steps_per_second_windows"])
                  / np.asarray(row["xla_off"]["steps_per_second_windows"]))
        row["speedup"] = float(np.median(ratios))
        row["speedup_iqr"] = [float(q) for q in np.percentile(ratios, [25, 75])]
    except Exception as exc:  # one failing pair is a row of the table; the rest goes on
        log.debug("timing %s on %s failed", spec.label, dataset_name, exc_info=True)
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    return row


def _number(x: float) -> str:
    """Three significant digits for rates from ~1 (image nets) to ~1000 (2D nets) steps/s."""
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _rate(t: dict[str, Any]) -> str:
    q25, q75 = t["steps_per_second_iqr"]
    return f"{_number(t['steps_per_second'])} [{_number(q25)}, {_number(q75)}]"


def markdown(rows: Sequence[dict[str, Any]], header: dict[str, Any]) -> str:
    """The timing table: steps/s (median [IQR] over windows), compile s, XLA speedup."""
    rt = header["runtime"]
    lines = [
        "# Train-step timing, XLA on and off",
        "",
        f"- command: `{header.get('command') or 'n/a'}`",
        f"- date: {header['created']}; profile: {header['profile']}; "
        f"{header['windows']} timed windows per side after 1 compile and 1 warm-up call, "
        "on and off interleaved",
        f"- hardware: {header['environment']['cpu']} ({header['environment']['cpu_count']} CPUs);"
        f" TensorFlow {header['environment']['tensorflow']}",
        f"- runtime: intra-op threads {rt['intra_op_threads']}, inter-op threads "
        f"{rt['inter_op_threads']}, XLA_FLAGS `{rt['xla_flags'] or '(none)'}`",
        "- steps/s: median [25th, 75th percentile] over windows; speedup: median [IQR] of "
        "the per-window ratio XLA on / off",
        "",
        "| dataset | method | batch | steps/call | XLA steps/s | no-XLA steps/s | speedup "
        "| XLA compile s | no-XLA compile s | XLA samples/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["status"] != "ok":
            lines.append(f"| {r['dataset']} | {r['method']} | failed: {r['error']} "
                         "| | | | | | | |")
            continue
        on, off = r["xla_on"], r["xla_off"]
        lo, hi = r["speedup_iqr"]
        xla_label = _rate(on) if on["xla"] else f"{_rate(on)} (XLA unavailable)"
        lines.append(
            f"| {r['dataset']} | {r['method']} | {r['batch_size']} | {r['steps_per_call']} | "
            f"{xla_label} | {_rate(off)} | {r['speedup']:.2f}x [{lo:.2f}, {hi:.2f}] | "
            f"{on['compile_seconds']:.1f} | {off['compile_seconds']:.1f} | "
            f"{on['samples_per_second']:.0f} |")
    notes = sorted({f"{r['dataset']}: real batches are a {r['real_batches']}"
                    for r in rows if r["status"] == "ok" and r["real_batches"] != "synthetic"})
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def write_timing(out: Path, specs: Sequence[MethodSpec], dataset_names: Sequence[str], *,
                 profile: str, windows: int, steps_per_call: int | None = None,
                 batch_sizes: Sequence[int | None] = (None,), command: str = "",
                 progress: Callable[[str], None] | None = None) -> tuple[str, list[Path]]:
    """Time every pair, write ``out/timing.md`` and ``out/timing.json``; return the table.

    ``batch_sizes`` other than None override the profile's batch size, one row each (a
    scan over batch sizes shows how much of a step is per-op overhead that XLA removes).
    ``progress`` is called with a label after each pair (the CLI draws a progress bar).
    """
    header = {"command": command, "profile": profile, "windows": windows,
              "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "environment": environment(), "runtime": runtime.settings()}
    rows = []
    for name in dataset_names:
        for batch_size, spec in itertools.product(batch_sizes, specs):
            rows.append(time_pair(spec, name, profile=profile, windows=windows,
                                  steps_per_call=steps_per_call, batch_size=batch_size))
            if progress is not None:
                progress(f"{name} {spec.label}: {rows[-1]['status']}")
            if rows[-1]["status"] != "ok":
                log.warning("%s on %s: %s", spec.label, name, rows[-1]["error"])
    table = markdown(rows, header)
    paths = [Path(out) / "timing.md", Path(out) / "timing.json"]
    write_atomic(paths[0], table)
    write_atomic(paths[1], json.dumps({**header, "rows": rows}, indent=1) + "\n")
    return table, paths


# -- cost table for whole-matrix estimates (``timing --estimate``) ------------------------
def _evaluation_seconds(dataset_name: str, profile: str) -> float | None:
    """Seconds of one evaluation at the profile's sample count (generate, then every
    metric), after one untimed call that loads evaluators and reference features; None
    when the dataset cannot evaluate here (e.g. no image data)."""
    from benches.run.cell import EVAL_SEED

    dataset = datasets.get(dataset_name)
    sched = schedule(profile, dataset.family)
    n = dataset.samples_per_evaluation(sched.eval_samples, sched.mode_samples)
    try:
        trainer = Trainer(methods.get("nsgan").build(), dataset, seed=0,
                          batch_size=sched.batch_size, steps_per_call=1)
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            dataset.evaluate_schedule(trainer.generate(n, EVAL_SEED), sched.eval_samples,
                                      sched.fid)
            dataset.player_metrics(trainer.g_params, trainer.d_params)
            seconds.append(time.perf_counter() - start)
    except Exception as exc:  # reported; the row keeps the stored table's value
        log.warning("%s: cannot time its evaluation here (%s: %s)", dataset_name,
                    type(exc).__name__, exc)
        return None
    return seconds[-1]


def measure_costs(specs: Sequence[MethodSpec], dataset_names: Sequence[str], *,
                  profile: str, windows: int,
                  progress: Callable[[str], None] | None = None) -> list[estimate.Cost]:
    """Cost rows measured here: each method's compile seconds and steps/s (XLA, the
    profile's batch and steps per call, ``windows`` timed calls after one warm-up), and
    each dataset's evaluation seconds. A dataset that cannot evaluate here keeps the
    stored table's evaluation seconds (or 0, with a warning)."""
    stored = {r.dataset: r for r in estimate.load_table()}
    rows = []
    for name in dataset_names:
        sched = schedule(profile, datasets.get(name).family)
        eval_s = _evaluation_seconds(name, profile)
        samples = datasets.get(name).samples_per_evaluation(sched.eval_samples,
                                                            sched.mode_samples)
        if eval_s is None:
            old = stored.get(name)
            eval_s = (old.eval_seconds * samples / old.eval_samples) if old else 0.0
        for spec in specs:
            row = time_pair(spec, name, profile=profile, windows=windows, xla_off=False)
            if row["status"] == "ok":
                t = row["xla_on"]
                rows.append(estimate.Cost(name, spec.label, sched.batch_size,
                                          t["steps_per_second"], t["compile_seconds"], eval_s,
                                          samples))
            else:
                log.warning("%s on %s: %s", spec.label, name, row["error"])
            if progress is not None:
                progress(f"{name} {spec.label}: {row['status']}")
    return rows


def write_estimate(out: Path, specs: Sequence[MethodSpec], dataset_names: Sequence[str], *,
                   profile: str, windows: int, jobs: Sequence[int],
                   from_records: Path | None = None, command: str = "",
                   progress: Callable[[str], None] | None = None) -> tuple[str, list[Path]]:
    """Measure (or read from ``from_records``) a cost table, write ``out/costs.json``,
    and return the estimate of the profile's matrix of these methods x datasets (with
    ``from_records``, followed by what those records actually spent)."""
    from benches.results.records import iter_records
    from benches.run.matrix import expand
    from benches.run.plan import plan_cell

    spent = None
    if from_records is not None:
        records = list(iter_records(from_records))
        rows = estimate.costs_from_records(records)
        spent = estimate.spent(records)
        source = f"records in {from_records}"
    else:
        rows = measure_costs(specs, dataset_names, profile=profile, windows=windows,
                             progress=progress)
        source = f"measured here, {windows} timed calls per method"
    header = {"command": command, "profile": profile, "source": source,
              "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "environment": environment(), "runtime": runtime.settings()}
    path = Path(out) / "costs.json"
    estimate.save_table(path, rows, header)
    table = estimate.merged(estimate.load_table(), rows)
    plans = [plan_cell(cell, profile)
             for name in dataset_names
             for cell in expand(list(specs), [name],
                                list(range(schedule(profile,
                                                    datasets.get(name).family).seeds)))]
    lines = [f"# Matrix estimate ({profile} profile, {len(plans)} cells; costs: {source})", ""]
    for n in jobs:
        lines.append(f"- {estimate.estimate(plans, table, n).summary()}")
    if spent is not None:
        lines.append(f"- {spent.summary()}")
    return "\n".join(lines) + "\n", [path]
