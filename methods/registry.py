"""The method registry: names -> registration functions with papers and hyperparameters."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from methods.parts.method import Method

MethodFactory = Callable[..., Method]


@dataclass(frozen=True)
class Registration:
    """A registered method: its name, paper, factory and default hyperparameters."""

    name: str
    paper: str
    factory: MethodFactory
    defaults: Mapping[str, Any]
    summary: str

    def build(self, **overrides: Any) -> Method:
        """Instantiate the method with ``overrides`` on top of the defaults."""
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            valid = ", ".join(self.defaults) or "(none)"
            raise ValueError(
                f"method {self.name!r} has no hyperparameter {', '.join(unknown)}; valid: {valid}"
            )
        return self.factory(**{**self.defaults, **overrides})

    def coerce(self, key: str, text: str) -> Any:
        """Parse an override value given as text, by the type of its default."""
        if key not in self.defaults:
            valid = ", ".join(self.defaults) or "(none)"
            raise ValueError(f"method {self.name!r} has no hyperparameter {key!r}; valid: {valid}")
        default = self.defaults[key]
        try:
            if isinstance(default, bool):
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(text)
                return text.lower() in ("true", "1")
            if isinstance(default, int):
                return int(text)
            if isinstance(default, float):
                return float(text)
        except ValueError:
            kind = type(default).__name__
            raise ValueError(
                f"hyperparameter {self.name}:{key} expects a {kind}, got {text!r}"
            ) from None
        return text


_REGISTRY: dict[str, Registration] = {}
PLUGIN_PATH_VARIABLE = "GANBENCH_METHODS_PATH"
_INFRASTRUCTURE = {"registry", "parts"}
_discovered = False


def discover() -> None:
    """Import every method module of the ``methods`` package and of the folders on
    ``GANBENCH_METHODS_PATH`` (once); those folders join the package's search path."""
    global _discovered
    if _discovered:
        return
    package = importlib.import_module("methods")
    for folder in filter(None, os.environ.get(PLUGIN_PATH_VARIABLE, "").split(os.pathsep)):
        if not os.path.isdir(folder):
            raise ValueError(f"{PLUGIN_PATH_VARIABLE}: {folder!r} is not a folder; it must "
                             f"list folders of method files, separated by {os.pathsep!r}")
        if folder not in package.__path__:
            package.__path__.append(folder)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"methods.{info.name}")
    _discovered = True


def register(name: str, *, paper: str) -> Callable[[MethodFactory], MethodFactory]:
    """Register a method factory under ``name``; its keyword defaults are its hyperparameters."""

    def decorate(factory: MethodFactory) -> MethodFactory:
        if name in _REGISTRY and _REGISTRY[name].factory.__module__ != factory.__module__:
            raise ValueError(f"method {name!r} is registered twice")
        params = inspect.signature(factory).parameters.values()
        missing = [p.name for p in params if p.default is inspect.Parameter.empty]
        if missing:
            raise TypeError(f"method {name!r}: hyperparameters need defaults: {missing}")
        doc = inspect.getdoc(factory) or ""
        _REGISTRY[name] = Registration(
            name=name,
            paper=paper,
            factory=factory,
            defaults={p.name: p.default for p in params},
            summary=doc.splitlines()[0] if doc else "",
        )
        return factory

    return decorate


def get(name: str) -> Registration:
    """The registration for ``name``; a clear error lists valid names otherwise."""
    discover()
    if name not in _REGISTRY:
        raise KeyError(f"unknown method {name!r}; valid: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def available() -> list[Registration]:
    """All registered methods, sorted by name."""
    discover()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
