"""ganbench: a benchmark harness for GAN stabilization methods.

The one place TensorFlow's start-up noise is silenced, before TensorFlow is imported:

- ``TF_CPP_MIN_LOG_LEVEL=2`` hides TensorFlow's C++ INFO and WARNING lines once its
  logging is set up (users can override it);
- the lines logged before that (absl's "All log messages before absl::InitializeLog()"
  preamble, the oneDNN and CUDA-driver notes, ``failed call to cuInit`` on machines
  without a GPU) ignore that variable, so the first ``import tensorflow`` runs with
  stderr captured and its physical devices listed (which is where ``cuInit`` logs; it
  does not create the runtime, so thread settings still apply afterwards); every
  captured line that is not such a log line is passed on.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWE]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] "  # absl/TSL log line: I0000 00:00:17.. 15 port.cc:153]
    r"|To enable the following instructions: )")


@contextlib.contextmanager
def _startup_noise_filtered() -> Iterator[None]:
    """Capture file descriptor 2 in the block; pass on the lines that are not log noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", "replace").splitlines(keepends=True)
            sys.stderr.write("".join(ln for ln in lines if not _STARTUP_NOISE.match(ln)))
            sys.stderr.flush()


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader):
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with _startup_noise_filtered():
            self._loader.exec_module(module)
            module.config.list_physical_devices()


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Wraps the first ``import tensorflow`` in :func:`_startup_noise_filtered`."""

    def find_spec(self, name: str, path: object, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


if "tensorflow" not in sys.modules and os.environ["TF_CPP_MIN_LOG_LEVEL"] != "0":
    sys.meta_path.insert(0, _QuietTensorFlowImport())
