"""Gradient health: summary and outcome label of a training run from its logged series.

GAN training fails through its gradients: a discriminator that separates real from fake
saturates and starves the generator (Goodfellow et al. 2014, arXiv:1406.2661, section 3;
Arjovsky & Bottou 2017, arXiv:1701.04862, theorem 2.4), unconstrained critics explode,
and the two players rotate around the equilibrium instead of reaching it (Mescheder et
al. 2018, arXiv:1801.04406, the Dirac-GAN). This module reads the series the trainer logs
once per compiled call (``record["gradient_log"]``: ``step`` and lists of floats per stat
name) and turns them into a per-cell summary. Pure numpy, so rules are testable on
synthetic series.

Levels are relative to the start of training. The *initial level* of a norm is its value
at step 0, which the trainer measures at the initial parameters before any update
(legacy logs without step 0 fall back to the start level); explosion and divergence are
judged against it, so a blow-up inside the first compiled call is caught. The *start
level* is the largest of the first ``start_fraction`` logged values (at least one), which
tracks the envelope of an oscillating norm instead of a lucky low sample; vanishing is
judged against it. The *final level* is the median of the last ``final_fraction`` logged
values (at least two where available).

Outcome label, first rule that applies wins:

1. ``diverged``: the cell's status is ``diverged`` (its error step), or a logged value is
   NaN/Inf, or either player's gradient norm exceeds ``diverged`` x its initial level
   (the first such logged step). Reported with ``label_step``.
2. ``vanished``: the generator's final level is below ``vanishing`` x its start level
   while the discriminator still separates the data: where D outputs probabilities, the
   final mean of D(real) - D(fake) is at least ``separated``; for critics, the dataset's
   mode coverage is below 1 (with neither kind of evidence a decayed gradient is not called
   vanished). The generator is starved, not finished.
3. ``low-quality``: the dataset's sample quality (the fraction of samples on the data:
   the high-quality fraction for mixtures, precision for images) is below ``low_quality``.
   Samples off the data say nothing about which modes the generator would cover.
4. ``mode-collapsed``: the dataset's mode coverage (e.g. modes captured by high-quality
   samples / total modes for mixtures) is below ``collapsed``: mass is missing from modes.
5. ``converged``: the generator's final level is below ``settled`` x the peak of its
   norm (the gradients died out and D no longer separates, else rule 2 applied).
6. ``oscillating``: the gradients did not die out and, over the second half of training,
   the discriminator's preference D(real) - D(fake) swings to both sides: its largest and
   its most negative value each exceed ``two_sided`` x its largest magnitude there. D
   alternately favours real and fake data, as when the players rotate around each other
   (Dirac-GAN) instead of settling. A D with a steady preference (even a noisy one) does
   not qualify; a D balanced at exactly zero preference plus noise does, and is rare
   outside converged runs, which rule 5 catches first.
7. ``converged`` otherwise: a steady state (e.g. the noisy equilibrium of minibatch
   training) with no failure above.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

LABELS = ("converged", "oscillating", "mode-collapsed", "low-quality", "vanished", "diverged")


@dataclass(frozen=True)
class Thresholds:
    """The documented thresholds of the summary and the outcome rules (see module doc)."""

    vanishing: float = 1e-2  # G norm below 1% of its start level: vanishing
    # Against the norm at initialization, where D is untrained and G's gradient small:
    # healthy runs grow G's norm by up to ~500x early on (smoke runs, batch 32, 80 steps:
    # nsgan/sngan on mnist 20-50x, wgan 140x, wgan-gp 540x); nsgan at lr=1e3 on ring8
    # reaches 4e13x within the first call.
    exploding: float = 1e3  # G norm above 1000x its initial level: exploding
    diverged: float = 1e4  # either norm above 10^4 x its initial level: diverged
    saturated: float = 0.01  # D(fake) < 0.01 or D(real) > 1 - 0.01: D saturated
    separated: float = 0.5  # final mean D(real) - D(fake) at least this: D separates
    settled: float = 1e-2  # G final level below 1% of its peak: gradients died out
    low_quality: float = 0.5  # fewer than half the samples on the data: low quality
    collapsed: float = 0.5  # fewer than half the modes captured: mode collapse
    two_sided: float = 0.25  # D's preference swings this far to both sides: oscillating
    start_fraction: float = 0.1
    final_fraction: float = 0.25


DEFAULT = Thresholds()


def _series(log: Mapping[str, Sequence[float]], name: str) -> np.ndarray:
    return np.asarray(log.get(name, []), dtype=np.float64)


def start_level(values: np.ndarray, fraction: float = DEFAULT.start_fraction) -> float:
    """Largest of the first ``fraction`` of ``values`` (at least one)."""
    return float(np.max(values[: max(1, math.ceil(fraction * len(values)))]))


def final_level(values: np.ndarray, fraction: float = DEFAULT.final_fraction) -> float:
    """Median of the last ``fraction`` of ``values`` (at least two where available)."""
    return float(np.median(values[-max(2, math.ceil(fraction * len(values))):]))


def two_sided_swing(preference: np.ndarray) -> float:
    """How far D's preference swings to its weaker side over the second half, relative to
    its largest magnitude there: ``min(max(p), -min(p)) / max|p|``, 0 if one-sided."""
    half = preference[len(preference) // 2:]
    scale = float(np.max(np.abs(half))) if half.size else 0.0
    if scale == 0.0:
        return 0.0
    return max(0.0, min(float(half.max()), -float(half.min()))) / scale


def initial_level(log: Mapping[str, Sequence[float]], name: str) -> float | None:
    """The value of ``name`` at step 0 (measured before any update), if it was logged."""
    steps, values = _series(log, "step"), _series(log, name)
    if steps.size and steps[0] == 0 and len(values) == len(steps) and np.isfinite(values[0]):
        return float(values[0])
    return None


def reference_level(log: Mapping[str, Sequence[float]], name: str,
                    thresholds: Thresholds = DEFAULT) -> float | None:
    """What explosion and divergence of norm ``name`` are judged against: its initial
    level if positive, else (legacy logs) its start level; None if nothing finite."""
    initial = initial_level(log, name)
    if initial is not None and initial > 0:
        return initial
    values = _series(log, name)
    finite = values[np.isfinite(values)]
    return start_level(finite, thresholds.start_fraction) if finite.size else None


def first_divergence(log: Mapping[str, Sequence[float]],
                     thresholds: Thresholds = DEFAULT) -> int | None:
    """The first logged step with a non-finite value or a norm past ``diverged`` x its
    reference level (the initial one where logged)."""
    steps = _series(log, "step")
    bad = np.zeros(len(steps), dtype=bool)
    for name, values in log.items():
        values = np.asarray(values, dtype=np.float64)
        if name == "step" or len(values) != len(steps):
            continue
        bad |= ~np.isfinite(values)
        if name in ("g_grad_norm", "d_grad_norm"):
            reference = reference_level(log, name, thresholds)
            if reference is not None:
                bad |= values > thresholds.diverged * reference
    return int(steps[bad.argmax()]) if bad.any() else None


def assess(log: Mapping[str, Sequence[float]], *, probability: bool,
           diverged_step: int | None = None, mode_coverage: float | None = None,
           quality: float | None = None, thresholds: Thresholds = DEFAULT) -> dict[str, Any]:
    """Per-cell gradient-health summary and outcome label of a logged run.

    ``log``: ``{"step": [...], "g_grad_norm": [...], "d_grad_norm": [...], "d_real": [...],
    "d_fake": [...], ...}`` (one entry per logged call, step 0 the initial parameters);
    ``probability``: whether D's outputs are probabilities; ``diverged_step``: the step
    where the cell diverged (status ``diverged``), if it did; ``mode_coverage``: the
    dataset's mode metric in [0, 1], if any; ``quality``: the dataset's fraction of samples
    on the data in [0, 1], if any.
    """
    t = thresholds
    g = _series(log, "g_grad_norm")
    finite = np.isfinite(g)
    g_ok = g[finite]
    start = start_level(g_ok, t.start_fraction) if g_ok.size else math.nan
    reference = reference_level(log, "g_grad_norm", t)
    summary: dict[str, Any] = {
        "logged_steps": len(g),
        "g_grad_norm_initial": initial_level(log, "g_grad_norm"),
        "d_grad_norm_initial": initial_level(log, "d_grad_norm"),
        "g_grad_norm_start": start if g_ok.size else None,
        "g_grad_norm_median": float(np.median(g_ok)) if g_ok.size else None,
        "g_grad_norm_max": float(np.max(g_ok)) if g_ok.size else None,
        "g_grad_norm_final": final_level(g_ok, t.final_fraction) if g_ok.size else None,
        "vanishing_fraction": float(np.mean(g_ok < t.vanishing * start)) if g_ok.size else None,
        "exploding_fraction": (float(np.mean(g_ok > t.exploding * reference))
                               if g_ok.size and reference is not None else None),
        "saturation_fraction": None,
        "d_outputs_probability": probability,
        "mode_coverage": mode_coverage,
        "quality": quality,
        "thresholds": asdict(t),
    }
    preference = _series(log, "d_real") - _series(log, "d_fake")
    if probability and preference.size:
        saturated = (_series(log, "d_fake") < t.saturated) | (
            _series(log, "d_real") > 1.0 - t.saturated)
        summary["saturation_fraction"] = float(np.mean(saturated))
    label, step, reason = _outcome(g_ok, start, preference, probability, diverged_step,
                                   first_divergence(log, t), mode_coverage, quality, t)
    summary.update(label=label, label_step=step, reason=reason)
    return summary


def _outcome(g: np.ndarray, start: float, preference: np.ndarray, probability: bool,
             diverged_step: int | None, divergence: int | None, coverage: float | None,
             quality: float | None, t: Thresholds) -> tuple[str, int | None, str]:
    if diverged_step is not None:
        return "diverged", diverged_step, f"training produced NaN/Inf at step {diverged_step}"
    if divergence is not None:
        return "diverged", divergence, (f"non-finite value or gradient norm above "
                                        f"{t.diverged:g}x its initial level at step {divergence}")
    if not g.size:
        return "converged", None, "nothing logged"
    ratio = final_level(g, t.final_fraction) / start if start > 0 else 0.0
    if probability:
        gap = final_level(preference, t.final_fraction) if preference.size else 0.0
        separates = gap >= t.separated
        evidence = f"final D(real) - D(fake) = {gap:.3g}"
    else:
        separates = coverage is not None and coverage < 1.0
        evidence = f"mode coverage {coverage}"
    if ratio < t.vanishing and separates:
        return "vanished", None, f"G gradient at {ratio:.2g}x its start and {evidence}"
    if quality is not None and quality < t.low_quality:
        return "low-quality", None, (f"sample quality {quality:.3g} < {t.low_quality:g} "
                                     f"(mode coverage {coverage})")
    if coverage is not None and coverage < t.collapsed:
        return "mode-collapsed", None, f"mode coverage {coverage:.3g} < {t.collapsed:g}"
    of_peak = final_level(g, t.final_fraction) / float(g.max()) if g.max() > 0 else 0.0
    if of_peak < t.settled:
        return "converged", None, f"G gradient died out ({of_peak:.2g}x its peak)"
    swing = two_sided_swing(preference) if preference.size else 0.0
    if swing >= t.two_sided:
        return "oscillating", None, (f"G gradient at {of_peak:.2g}x its peak and D's preference "
                                     f"swings to both sides (weaker side {swing:.2g} of max)")
    return "converged", None, (f"steady state: G gradient at {of_peak:.2g}x its peak, D's "
                               f"preference one-sided (weaker side {swing:.2g} of max)")
