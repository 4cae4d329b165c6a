"""The shape of the code: packages by pipeline stage, imports only down the pipeline, the
presentation side (cli/, reports/, mail/, outputs/) kept off the table models and the ORM.

docs/architecture.md describes the same picture in words; these tests keep the two honest.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "zhiben"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "architecture" / "zhiben"

# Bottom to top, one rank per package: a module may import its own package and the packages before
# it, never a later one, and never a peer (there are none: even outputs and mail have an order).
STAGES = ["errors", "terms", "dates", "inputs", "catalogue", "db", "tracking", "register", "reports",
          "outputs", "mail", "cli", "docgen", "__main__", "__init__"]

# What a package may not import even though it lies below it in the pipeline: the presentation side
# reads through the core's functions and the db/read seam, never the table models or the ORM.
FORBIDDEN = {
    "cli": ("zhiben.db.models", "sqlalchemy", "sqlmodel"),
    "reports": ("zhiben.db.models",),
    "mail": ("zhiben.db.models",),
    "outputs": ("zhiben.db", "zhiben.tracking"),
}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    where = root.parent / name.replace(".", "/")
    return where.with_suffix(".py").exists() or where.is_dir()


def _imports(path: Path, root: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file (function-level imports count too):
    `from zhiben.db import models` and `from zhiben import db` + `db.models` both name zhiben.db.models."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    bound: dict[str, str] = {}  # a local name → the zhiben package it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if node.module.split(".")[0] == "zhiben" and _is_module(sub, root):
                    found.add(sub)
                    bound[alias.asname or alias.name] = sub
                else:
                    found.add(node.module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
                if alias.asname:
                    bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                and _is_module(f"{bound[node.value.id]}.{node.attr}", root)):
            found.add(f"{bound[node.value.id]}.{node.attr}")
    return found


def _graph(root: Path = SRC) -> dict[str, set[str]]:
    return {_module_name(p, root): _imports(p, root) for p in sorted(root.rglob("*.py"))}


def _package(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def _stage(module: str) -> int:
    top = _package(module)
    if top not in STAGES:
        raise AssertionError(f"{module}: 不属于任何一层;在 tests/test_architecture.py 的 STAGES 和 docs/architecture.md 中登记")
    return STAGES.index(top)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path = SRC) -> list[str]:
    """The broken rules of the tree under `root`, one line each: `module → import: rule`."""
    found = []
    for module, targets in _graph(root).items():
        for target in sorted(targets):
            if _within(target, "zhiben") and target != "zhiben" and _stage(target) > _stage(module):
                found.append(f"{module} → {target}: imports up the pipeline")
            for banned in FORBIDDEN.get(_package(module), ()):
                if _within(target, banned):
                    found.append(f"{module} → {target}: {_package(module)}/ may not import {banned}")
    return found


def test_every_module_belongs_to_a_stage():
    for module in _graph():
        _stage(module)


def test_the_source_keeps_every_rule():
    assert violations() == []


def test_each_rule_catches_its_fixture():
    """A small tree shaped like src/zhiben where each module breaks one rule, so a rule that stops
    biting (a typo in a prefix, an import form the parser misses) fails here."""
    assert violations(FIXTURES) == [
        "zhiben.cli.bad_models → zhiben.db.models: cli/ may not import zhiben.db.models",
        "zhiben.cli.bad_sqlalchemy → sqlalchemy.orm: cli/ may not import sqlalchemy",
        "zhiben.cli.bad_sqlmodel → sqlmodel: cli/ may not import sqlmodel",
        "zhiben.db.bad_upward → zhiben.reports.rows: imports up the pipeline",
        "zhiben.errors → zhiben.terms: imports up the pipeline",
        "zhiben.mail.bad → zhiben.db.models: mail/ may not import zhiben.db.models",
        "zhiben.outputs.bad_db → zhiben.db.read: outputs/ may not import zhiben.db",
        "zhiben.outputs.bad_tracking → zhiben.tracking.completions: outputs/ may not import zhiben.tracking",
        "zhiben.outputs.to_mail → zhiben.mail.send: imports up the pipeline",
        "zhiben.reports.bad → zhiben.db.models: reports/ may not import zhiben.db.models",
    ]


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


def test_package_has_only_a_handful_of_top_level_modules():
    top = sorted(p.name for p in SRC.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "dates.py", "docgen.py", "errors.py", "terms.py"]
