"""The registry of gradient-fix methods: one module per method in this package.

Adding a method is adding one file here with one ``@register`` call; ``discover`` imports
every module of the package, so nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil

from methods.parts.method import Method
from methods.registry import Registration, available, get, register

__all__ = ["Method", "Registration", "available", "discover", "get", "register"]

_INFRASTRUCTURE = {"registry", "parts"}
_discovered = False


def discover() -> None:
    """Import every method module in this package (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
