"""Dependencies run one way and records-only commands stay free of TensorFlow.

The import graph is parsed from the source (imports inside functions included), so a
lazy import cannot hide a cycle or an upward dependency.
"""

import ast
import subprocess
import sys
from pathlib import Path

from tests.fake_records import write_run

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("benches", "methods", "metrics")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Project module -> project modules it imports anywhere in its source."""
    files = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files
                           else node.module for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in files and t != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_methods_and_metrics_never_import_the_harness():
    upward = {(m, t) for m, targets in import_graph().items() for t in targets
              if m.split(".")[0] in ("methods", "metrics") and t.startswith("benches")}
    assert upward == set()


def test_metrics_never_import_methods():
    graph = import_graph()
    assert {(m, t) for m, ts in graph.items() for t in ts
            if m.startswith("metrics") and t.startswith("methods")} == set()


def test_leaderboard_and_compare_run_without_tensorflow(tmp_path):
    rows = {("ring8", "gan"): [{"modes": 8.0, "kl": 0.1, "high_quality": 0.9}] * 3}
    a, b = write_run(tmp_path / "a", rows), write_run(tmp_path / "b", rows)
    script = (
        "import sys\n"
        "from benches.cli import main\n"
        f"assert main(['leaderboard', {str(a)!r}]) == 0\n"
        f"main(['compare', {str(a)!r}, {str(b)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'tensorflow')\n"
        "assert not loaded, loaded[:5]\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
