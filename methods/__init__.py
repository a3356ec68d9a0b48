"""The registry of gradient-fix methods: one module per method in this package.

Adding a method is adding one file here with one ``@register`` call; ``discover`` imports
every module of the package, so nothing else needs to change. Method files kept outside
the package are found through ``GANBENCH_METHODS_PATH`` (folders separated by
``os.pathsep``): those folders join the package's search path, so their files load
exactly like files in this folder.
"""

from methods.parts.method import Method
from methods.registry import (
    FAMILIES,
    PLUGIN_PATH_VARIABLE,
    FamilySettings,
    PluginError,
    Registration,
    Resolved,
    available,
    discover,
    get,
    register,
    source,
)

__all__ = ["FAMILIES", "PLUGIN_PATH_VARIABLE", "FamilySettings", "Method", "PluginError",
           "Registration", "Resolved", "available", "discover", "get", "register", "source"]
