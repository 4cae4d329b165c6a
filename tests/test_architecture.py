"""The shape of the code: packages by pipeline stage, imports only down the pipeline, no SQL in cli/.

docs/architecture.md describes the same picture in words; these tests keep the two honest.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "zhiben"

# Bottom to top. A module may import its own stage and the stages before it, never a later one.
STAGES = [
    {"errors", "terms", "dates"},
    {"inputs"},
    {"catalogue"},
    {"db"},
    {"tracking"},
    {"register"},
    {"reports"},
    {"outputs"},
    {"mail"},
    {"cli", "docgen", "__main__", "__init__"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """zhiben modules `path` imports, anywhere in the file (function-level imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zhiben":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if (SRC.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (SRC.parent / sub.replace(".", "/")).is_dir() else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "zhiben")
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in SRC.rglob("*.py")}


def _stage(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for n, names in enumerate(STAGES):
        if top in names:
            return n
    raise AssertionError(f"{module}: 不属于任何一层;在 tests/test_architecture.py 的 STAGES 和 docs/architecture.md 中登记")


def test_every_module_belongs_to_a_stage():
    for module in _graph():
        _stage(module)


def test_imports_point_down_the_pipeline():
    wrong = [f"{m} → {t}" for m, targets in _graph().items() for t in targets
             if t != "zhiben" and _stage(t) > _stage(m)]
    assert wrong == []


def test_no_import_cycle_between_modules():
    imports = _graph()  # parsed once: per lookup it took 80 s of the fast suite
    graph = {m: {t for t in ts if t in imports} for m, ts in imports.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


SQL = re.compile(r"\bselect\(|\bsession\.exec\(|\.exec\(|\btext\(|\.execute\(|\bsqlalchemy\b|\bsqlmodel\b")


def test_cli_runs_no_sql():
    found = []
    for path in sorted((SRC / "cli").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if SQL.search(code):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert found == []


def test_package_has_only_a_handful_of_top_level_modules():
    top = sorted(p.name for p in SRC.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "dates.py", "docgen.py", "errors.py", "terms.py"]
