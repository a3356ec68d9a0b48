"""Where cells run: ``local`` (in-process or a process pool) and ``ray``; see registry."""

from benches.run.executors.registry import Executor, create, names, register, run_plan

__all__ = ["Executor", "create", "names", "register", "run_plan"]
