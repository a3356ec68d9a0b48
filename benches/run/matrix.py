"""The run matrix: method specs (with overrides) x datasets x seeds."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import methods
from benches import datasets

_SAFE = re.compile(r"[^A-Za-z0-9._+=-]")


@dataclass(frozen=True)
class MethodSpec:
    """A registered method name plus user hyperparameter overrides."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the method appears in tables: ``nsgan`` or ``nsgan[lr=0.0001]``."""
        if not self.overrides:
            return self.name
        inner = ",".join(f"{k}={v}" for k, v in sorted(self.overrides.items()))
        return f"{self.name}[{inner}]"

    @property
    def slug(self) -> str:
        """The method's part of a cell id (file names): ``nsgan,lr=0.0001``, readable.

        Characters file systems or shells mangle become ``-``; an unreadably long spec
        (over 80 characters) ends in a hash of its overrides instead.
        """
        if not self.overrides:
            return self.name
        inner = ",".join(f"{k}={_SAFE.sub('-', str(v))}" for k, v in sorted(self.overrides.items()))
        slug = f"{self.name},{inner}"
        if len(slug) <= 80:
            return slug
        digest = hashlib.sha1(json.dumps(self.overrides, sort_keys=True).encode()).hexdigest()
        return f"{slug[:70]},{digest[:8]}"


@dataclass(frozen=True)
class Cell:
    """One unit of work: a method on a dataset with a seed."""

    method: MethodSpec
    dataset: str
    seed: int

    @property
    def cell_id(self) -> str:
        return f"{self.dataset}__{self.method.slug}__seed{self.seed}"


def parse_method_spec(text: str) -> MethodSpec:
    """Parse ``name`` or ``name:key=value:key=value``; errors list what is valid."""
    name, *pairs = text.strip().split(":")
    registration = methods.get(name)
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise ValueError(
                f"malformed override {pair!r} in {text!r}; expected NAME:KEY=VALUE[:KEY=VALUE], "
                f"with keys from: {', '.join(registration.defaults) or '(none)'}"
            )
        overrides[key] = registration.coerce(key, value)
    try:  # values are checked where the method checks them, before anything runs
        registration.build(**overrides)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{text.strip()}: {exc}") from None
    return MethodSpec(name, overrides)


def parse_methods(text: str | None) -> list[MethodSpec]:
    """Comma-separated method specs; ``None`` means every registered method."""
    if text is None:
        return [MethodSpec(r.name) for r in methods.available()]
    specs = [parse_method_spec(t) for t in text.split(",") if t.strip()]
    if not specs:
        valid = ", ".join(r.name for r in methods.available())
        raise ValueError(f"--methods is empty; valid: {valid}")
    return specs


def parse_datasets(text: str | None) -> list[str]:
    """Comma-separated dataset names; ``None`` means every dataset."""
    if text is None:
        return [d.name for d in datasets.available()]
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        valid = ", ".join(d.name for d in datasets.available())
        raise ValueError(f"--datasets is empty; valid: {valid}")
    for name in names:
        datasets.get(name)
    return names


def expand(
    method_specs: list[MethodSpec], dataset_names: list[str], seeds: list[int]
) -> list[Cell]:
    """Every cell of the matrix, dataset-major so each table fills in as the run goes."""
    return [Cell(m, d, s) for d in dataset_names for m in method_specs for s in seeds]
