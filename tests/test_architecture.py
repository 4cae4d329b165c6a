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
# "__init__" is zhiben/__init__.py itself (the version), which imports nothing.
STAGES = ["__init__", "errors", "terms", "dates", "inputs", "catalogue", "db", "tracking", "register", "reports",
          "outputs", "mail", "cli", "docgen", "__main__"]

# What a package may not import even though it lies below it in the pipeline: the presentation side
# reads through the core's functions and the db/read seam, never the table models or the ORM, and
# an output renders what it is given (typed reports.Source when it passes a source on to a report).
FORBIDDEN = {
    "cli": ("zhiben.db.models", "sqlalchemy", "sqlmodel"),
    "reports": ("zhiben.db.models",),
    "mail": ("zhiben.db.models",),
    "outputs": ("zhiben.db", "zhiben.tracking", "sqlalchemy", "sqlmodel"),
}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    where = root.parent / name.replace(".", "/")
    return where.with_suffix(".py").exists() or where.is_dir()


def _imports(path: Path, root: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file (function-level and TYPE_CHECKING imports
    count too, relative ones are resolved): `from zhiben.db import models`, `from zhiben import db` +
    `db.models` and `import zhiben.db` + `zhiben.db.models` all name zhiben.db.models."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    bound: dict[str, str] = {}  # a local name → the zhiben module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..db import read
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + [base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if base.split(".")[0] == "zhiben" and _is_module(sub, root):
                    found.add(sub)
                    bound[alias.asname or alias.name] = sub
                else:
                    found.add(base)
        elif isinstance(node, ast.Import):
            for alias in node.names:  # `import a.b` binds a, `import a.b as c` binds c to a.b
                found.add(alias.name)
                top = alias.name.split(".")[0]
                bound[alias.asname or top] = alias.name if alias.asname else top
    inner: set[int] = set()  # the a.b inside a.b.c: only the whole path is looked at
    for node in ast.walk(tree):  # ast.walk meets a.b.c before a.b
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        attrs = [node.attr]
        while isinstance(node.value, ast.Attribute):
            node = node.value
            inner.add(id(node))
            attrs.insert(0, node.attr)
        if isinstance(node.value, ast.Name) and node.value.id in bound:
            dotted = [bound[node.value.id]]
            for part in attrs:
                dotted.append(f"{dotted[-1]}.{part}")
            deepest = [d for d in dotted[1:] if d.split(".")[0] == "zhiben" and _is_module(d, root)]
            if deepest:
                found.add(deepest[-1])
    return found


def _graph(root: Path = SRC) -> dict[str, set[str]]:
    return {_module_name(p, root): _imports(p, root) for p in sorted(root.rglob("*.py"))}


def _package(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles among `graph`'s modules (Tarjan's strongly connected components), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

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
            comp = stack[stack.index(v):]
            del stack[stack.index(v):]
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return sorted(cycles)


def violations(root: Path = SRC) -> list[str]:
    """The broken rules of the tree under `root`, one line each: `module → import: rule`."""
    graph = _graph(root)  # parsed once: per lookup it took 80 s of the fast suite
    found = []
    for module, targets in graph.items():
        if _package(module) not in STAGES:
            found.append(f"{module}: belongs to no stage (register it in STAGES and docs/architecture.md)")
            continue
        for target in sorted(targets):
            if (_within(target, "zhiben") and _package(target) in STAGES
                    and STAGES.index(_package(target)) > STAGES.index(_package(module))):
                found.append(f"{module} → {target}: imports up the pipeline")
            for banned in FORBIDDEN.get(_package(module), ()):
                if _within(target, banned):
                    found.append(f"{module} → {target}: {_package(module)}/ may not import {banned}")
    local = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    found += [f"import cycle: {' ↔ '.join(c)}" for c in _cycles(local)]
    return found


def test_the_source_keeps_every_rule() -> None:
    assert violations() == []


def test_each_rule_catches_its_fixture() -> None:
    """A small tree shaped like src/zhiben where each bad module breaks one rule, so a rule that stops
    biting (a typo in a prefix, an import form the parser misses) fails here."""
    assert violations(FIXTURES) == [
        "zhiben.cli.bad_chain → zhiben.db.models: cli/ may not import zhiben.db.models",
        "zhiben.cli.bad_models → zhiben.db.models: cli/ may not import zhiben.db.models",
        "zhiben.cli.bad_sqlalchemy → sqlalchemy.orm: cli/ may not import sqlalchemy",
        "zhiben.cli.bad_sqlmodel → sqlmodel: cli/ may not import sqlmodel",
        "zhiben.cli.to_docgen → zhiben.docgen: imports up the pipeline",
        "zhiben.db.bad_upward → zhiben.reports.rows: imports up the pipeline",
        "zhiben.errors → zhiben.terms: imports up the pipeline",
        "zhiben.mail.bad → zhiben.db.models: mail/ may not import zhiben.db.models",
        "zhiben.outputs.bad_db → zhiben.db.read: outputs/ may not import zhiben.db",
        "zhiben.outputs.bad_relative → zhiben.db.read: outputs/ may not import zhiben.db",
        "zhiben.outputs.bad_session → sqlmodel: outputs/ may not import sqlmodel",
        "zhiben.outputs.bad_tracking → zhiben.tracking.completions: outputs/ may not import zhiben.tracking",
        "zhiben.outputs.to_mail → zhiben.mail.send: imports up the pipeline",
        "zhiben.reports.bad → zhiben.db.models: reports/ may not import zhiben.db.models",
        "zhiben.stray: belongs to no stage (register it in STAGES and docs/architecture.md)",
        "import cycle: zhiben.reports.ping ↔ zhiben.reports.pong",
    ]


def test_package_has_only_a_handful_of_top_level_modules() -> None:
    top = sorted(p.name for p in SRC.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "dates.py", "docgen.py", "errors.py", "terms.py"]


def unexplained_local_imports(root: Path = SRC) -> list[str]:
    """Imports inside a function that do not say why they are there (a comment on the line, or just
    above the run of imports it belongs to). Command modules are imported only when their command
    runs, so a module imports what it uses at the top; a local import is the exception: a heavy
    library most of the module's callers never need, or the ORM kept off a lean path."""
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                at = node.lineno - 1
                above = at - 1
                while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                    above -= 1
                if "#" not in lines[at] and not (above >= 0 and lines[above].strip().startswith("#")):
                    out.append(f"{path.relative_to(root.parent)}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_every_import_inside_a_function_says_why() -> None:
    assert unexplained_local_imports() == []
