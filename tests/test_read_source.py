"""The read seam: both Source implementations give the same decoded values for the same SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from sqlmodel import Session

from zhiben.db import read
from zhiben.db.read import Source

UTC = dt.timezone.utc


@pytest.mark.parametrize(("raw", "decoded"), [
    (None, None), ("2025-06-30", dt.date(2025, 6, 30)), (dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
    ("2025-06-30 08:15:00", dt.date(2025, 6, 30)), (dt.datetime(2025, 6, 30, 8, 15), dt.date(2025, 6, 30)),
])
def test_date(raw, decoded):
    assert Source.date(raw) == decoded


def test_time_is_aware_utc_whatever_the_driver_gave():
    assert Source.time(None) is None
    assert Source.time("2025-06-30 08:15:00.5") == dt.datetime(2025, 6, 30, 8, 15, 0, 500000, tzinfo=UTC)
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert Source.time(dt.datetime(2025, 6, 30, 16, 15, tzinfo=beijing)) == dt.datetime(2025, 6, 30, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "decoded"), [(None, None), ('{"a": [1]}', {"a": [1]}), (b"[1]", [1]),
                                              ({"a": 1}, {"a": 1})])
def test_json(raw, decoded):
    assert Source.json(raw) == decoded


@pytest.mark.parametrize(("raw", "decoded"), [(None, 0), (0, 0), (7, 7), (Decimal("12"), 12)])
def test_count(raw, decoded):
    assert Source.count(raw) == decoded


QUERY = ("SELECT m.id, m.rule, d.due FROM milestone m JOIN duedate d ON d.milestone_id = m.id "
         "WHERE m.id = :id AND d.due >= :day ORDER BY d.due")


def _decoded(src: Source) -> list[tuple]:
    return [(mid, src.json(rule), src.date(due))
            for mid, rule, due in src.rows(QUERY, {"id": "mine-req-2-b", "day": src.day(dt.date(2025, 1, 1))})]


def test_both_implementations_read_alike(db_url, engine, backend):
    with Session(engine) as s:
        through_sqlalchemy = _decoded(read.source(s))
        assert read.source(s).has_table("meta") and not read.source(s).has_table("nope")
        assert "occurrence" in read.source(s).tables()
    assert through_sqlalchemy[0][2] == dt.date(2025, 1, 3)
    assert isinstance(through_sqlalchemy[0][1], dict)
    if backend != "sqlite":
        return
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        assert _decoded(read.SqliteSource(con)) == through_sqlalchemy
    finally:
        con.close()


def test_every_database_parameter_is_typed():
    """"A Source or a Session" is a type, not a convention: mypy checks every function that takes one."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "zhiben"
    names = {"src", "session", "s", "conn", "con", "engine", "reader"}
    untyped = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                untyped += [f"{path.relative_to(src)}:{node.lineno} {node.name}({a.arg})"
                            for a in args.posonlyargs + args.args + args.kwonlyargs
                            if a.arg in names and a.annotation is None]
    assert untyped == []
