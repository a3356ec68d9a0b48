"""The registry of gradient-fix methods: one module per method in this package.

Adding a method is adding one file here with one ``@register`` call; ``discover`` imports
every module of the package, so nothing else needs to change. Method files kept outside
the package are found through ``GANBENCH_METHODS_PATH`` (folders separated by
``os.pathsep``): those folders join the package's search path, so their files load
exactly like files in this folder.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from methods.parts.method import Method
from methods.registry import Registration, available, get, register

__all__ = ["Method", "Registration", "available", "discover", "get", "register"]

PLUGIN_PATH_VARIABLE = "GANBENCH_METHODS_PATH"
_INFRASTRUCTURE = {"registry", "parts"}
_discovered = False


def discover() -> None:
    """Import every method module in this package and on ``GANBENCH_METHODS_PATH`` (once)."""
    global _discovered
    if _discovered:
        return
    for folder in filter(None, os.environ.get(PLUGIN_PATH_VARIABLE, "").split(os.pathsep)):
        if not os.path.isdir(folder):
            raise ValueError(f"{PLUGIN_PATH_VARIABLE}: {folder!r} is not a folder; it must "
                             f"list folders of method files, separated by {os.pathsep!r}")
        if folder not in __path__:
            __path__.append(folder)
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _discovered = True
