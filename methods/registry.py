"""The method registry: names -> factories with their paper, reference code, default
hyperparameters and the reference settings per dataset family."""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from methods.parts.contract import check_generator_step
from methods.parts.method import Method, MethodError

MethodFactory = Callable[..., Method]

# Dataset families, cheapest first: the keys of a method's per-family settings (and of
# the run profiles' schedules, ``benches.run.profiles``).
FAMILIES = ("dirac", "mixture", "image")


@dataclass(frozen=True)
class FamilySettings:
    """Hyperparameters a method's references prescribe for one dataset family.

    ``values`` override the factory's defaults on that family; ``source`` says where they
    come from (paper table or section, or reference file and repository), e.g.
    ``FamilySettings({"penalty_weight": 0.1}, source="gan_toy.py,
    igul222/improved_wgan_training")``.
    """

    values: Mapping[str, Any]
    source: str

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError("FamilySettings needs a source (paper table or reference file)")
        object.__setattr__(self, "values", dict(self.values))


# Methods on nsgan's Adam(2e-4, beta_1 0.5) recipe whose references give no 2D-mixture
# setting train there at the rate under which nsgan converges in the quick profile's
# mixture protocol (HQ >= 0.9 on ring8 and grid25, 3 seeds).
STUDY_MIXTURE_SETTINGS = FamilySettings(
    {"lr": 1e-3}, source="ganbench 2D convergence study, results/studies/convergence_2d.md "
                         "(scripts/convergence_2d.py): nsgan's mixture learning rate")


@dataclass(frozen=True)
class Resolved:
    """A method's final hyperparameters on one family, and where each value came from.

    ``provenance[key]`` is ``"default"`` (the factory's keyword default), ``"family"``
    (``family_settings``) or ``"override"`` (the user's ``NAME:KEY=VALUE``).
    """

    hyperparameters: dict[str, Any]
    provenance: dict[str, str]
    family: str
    family_settings: FamilySettings | None

    def describe(self) -> dict[str, Any]:
        """The family part as plain data, for records."""
        if self.family_settings is None:
            return {"family": self.family, "values": {}, "source": None}
        return {"family": self.family, "values": dict(self.family_settings.values),
                "source": self.family_settings.source}


@dataclass(frozen=True)
class Registration:
    """A registered method: name, paper, reference code, factory, default
    hyperparameters and per-family reference settings."""

    name: str
    paper: str
    factory: MethodFactory
    defaults: Mapping[str, Any]
    summary: str
    code: str = ""
    settings: Mapping[str, FamilySettings] = field(default_factory=dict)

    def resolve(self, family: str, overrides: Mapping[str, Any] | None = None) -> Resolved:
        """Hyperparameters on ``family``: factory defaults < family settings < overrides."""
        if family not in FAMILIES:
            raise ValueError(f"unknown dataset family {family!r}; valid: {', '.join(FAMILIES)}")
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            valid = ", ".join(self.defaults) or "(none)"
            raise ValueError(
                f"method {self.name!r} has no hyperparameter {', '.join(unknown)}; valid: {valid}"
            )
        family_settings = self.settings.get(family)
        prescribed = family_settings.values if family_settings else {}
        values = {**self.defaults, **prescribed, **overrides}
        provenance = {k: "override" if k in overrides else "family" if k in prescribed
                      else "default" for k in values}
        return Resolved(values, provenance, family, family_settings)

    def build(self, **overrides: Any) -> Method:
        """Instantiate the method with ``overrides`` on top of the defaults."""
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            valid = ", ".join(self.defaults) or "(none)"
            raise ValueError(
                f"method {self.name!r} has no hyperparameter {', '.join(unknown)}; valid: {valid}"
            )
        try:
            method = self.factory(**{**self.defaults, **overrides})
            if method.g_step is not None:
                check_generator_step(method)
        except MethodError as exc:
            raise MethodError(f"method {self.name!r}: {exc}") from exc
        return method

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


class PluginError(ValueError):
    """A method file cannot be loaded (it does not import, or its name is taken)."""


def plugin_folders() -> list[str]:
    """The folders on ``GANBENCH_METHODS_PATH``, checked to exist."""
    folders = [f for f in os.environ.get(PLUGIN_PATH_VARIABLE, "").split(os.pathsep) if f]
    for folder in folders:
        if not os.path.isdir(folder):
            raise PluginError(f"{PLUGIN_PATH_VARIABLE}: {folder!r} is not a folder; it must "
                              f"list folders of method files, separated by {os.pathsep!r}")
    return folders


def _module_files(folder: str) -> dict[str, str]:
    """``{module name: file}`` of the method modules directly in ``folder``."""
    out = {}
    for info in pkgutil.iter_modules([folder]):
        if info.name.startswith("_"):
            continue
        path = os.path.join(folder, info.name)
        out[info.name] = path if info.ispkg else f"{path}.py"
    return out


def discover() -> None:
    """Import every method module of the ``methods`` package and of the folders on
    ``GANBENCH_METHODS_PATH`` (once); those folders join the package's search path.

    :class:`PluginError` names the file when a module does not import, or when a plugin
    file has the name of a built-in module (or of another plugin's) and would be hidden.
    """
    global _discovered
    if _discovered:
        return
    package = importlib.import_module("methods")
    builtin = os.path.dirname(package.__file__)
    files = _module_files(builtin)
    for folder in plugin_folders():
        for name, path in _module_files(folder).items():
            if name in files and os.path.realpath(files[name]) != os.path.realpath(path):
                raise PluginError(
                    f"{PLUGIN_PATH_VARIABLE}: method file {path} has the module name "
                    f"{name!r} of {files[name]}, which would hide it; rename the plugin file")
            files.setdefault(name, path)
        if folder not in package.__path__:
            package.__path__.append(folder)
    for name in sorted(set(files) - _INFRASTRUCTURE):
        try:
            importlib.import_module(f"methods.{name}")
        except Exception as exc:
            where = f"{PLUGIN_PATH_VARIABLE} " if not files[name].startswith(builtin) else ""
            raise PluginError(f"{where}method file {files[name]} does not load: "
                              f"{type(exc).__name__}: {exc}") from exc
    _discovered = True


def _module_file(name: str) -> str | None:
    """The source file of module ``name`` (None if ``name`` is not a module)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin else None


def _parts_used(path: str, seen: dict[str, str]) -> None:
    """Add ``{module: file}`` of the ``methods.parts`` modules the file at ``path``
    imports (at top level, in functions or for type checking), transitively, to ``seen``."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    for name in sorted(names):
        if name.startswith("methods.parts.") and name not in seen:
            file = _module_file(name)
            if file is not None:
                seen[name] = file
                _parts_used(file, seen)


@functools.cache
def source(name: str) -> dict[str, Any]:
    """Where method ``name``'s code lives and a digest of it: its module and the
    ``methods.parts`` modules it uses (transitively). A change to any of them changes
    the digest, and with it the settings a result is reused under."""
    module = sys.modules[get(name).factory.__module__]
    used = {module.__name__: module.__file__}
    _parts_used(module.__file__, used)
    digest = hashlib.sha1()
    for mod_name in sorted(used):
        with open(used[mod_name], "rb") as f:
            digest.update(f"{mod_name}\0".encode() + hashlib.sha1(f.read()).digest())
    folder = os.path.dirname(os.path.abspath(module.__file__))
    builtin = os.path.dirname(os.path.abspath(sys.modules["methods"].__file__))
    return {"module": module.__name__, "file": os.path.abspath(module.__file__),
            "plugin_folder": None if folder == builtin else folder,
            "digest": digest.hexdigest()[:16]}


def _check_settings(name: str, defaults: Mapping[str, Any],
                    settings: Mapping[str, FamilySettings]) -> dict[str, FamilySettings]:
    """Family settings must name known families and hyperparameters, with matching types."""
    checked = {}
    for family, fs in settings.items():
        if family not in FAMILIES:
            raise ValueError(f"method {name!r}: settings for unknown dataset family "
                             f"{family!r}; valid: {', '.join(FAMILIES)}")
        if not isinstance(fs, FamilySettings):
            raise TypeError(f"method {name!r}: settings[{family!r}] must be a FamilySettings")
        values = {}
        for key, value in fs.values.items():
            if key not in defaults:
                valid = ", ".join(defaults) or "(none)"
                raise ValueError(f"method {name!r}: {family} setting {key!r} is not a "
                                 f"hyperparameter; valid: {valid}")
            default = defaults[key]
            if isinstance(default, float) and isinstance(value, int) \
                    and not isinstance(value, bool):
                value = float(value)
            if type(value) is not type(default):
                raise TypeError(f"method {name!r}: {family} setting {key}={value!r} must be a "
                                f"{type(default).__name__} like its default {default!r}")
            values[key] = value
        checked[family] = FamilySettings(values, fs.source)
    return checked


def register(name: str, *, paper: str, code: str = "",
             settings: Mapping[str, FamilySettings] | None = None,
             ) -> Callable[[MethodFactory], MethodFactory]:
    """Register a method factory under ``name``; its keyword defaults are its hyperparameters.

    ``paper`` cites the paper (authors, year, arXiv id), ``code`` the authors' reference
    code (repository and file). ``settings`` maps a dataset family (:data:`FAMILIES`) to
    the :class:`FamilySettings` its references use there; they override the defaults on
    that family, and user overrides override them.
    """

    def decorate(factory: MethodFactory) -> MethodFactory:
        if name in _REGISTRY and _REGISTRY[name].factory.__module__ != factory.__module__:
            raise ValueError(f"method {name!r} is registered twice")
        params = inspect.signature(factory).parameters.values()
        missing = [p.name for p in params if p.default is inspect.Parameter.empty]
        if missing:
            raise TypeError(f"method {name!r}: hyperparameters need defaults: {missing}")
        defaults = {p.name: p.default for p in params}
        doc = inspect.getdoc(factory) or ""
        _REGISTRY[name] = Registration(
            name=name,
            paper=paper,
            factory=factory,
            defaults=defaults,
            summary=doc.splitlines()[0] if doc else "",
            code=code,
            settings=_check_settings(name, defaults, settings or {}),
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
