"""The lean read path: report SQL through the DB-API driver, without SQLAlchemy on SQLite.

A read command on a SQLite database whose schema is current opens it with the sqlite3 module
(`open_reader`); anything else (PostgreSQL, a database that must first be created or upgraded)
goes through db/engine.py and SQLAlchemy. Queries are plain SQL with :name parameters, which
both sqlite3 and SQLAlchemy's text() accept, so one text serves both backends.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("zhiben", appauthor=False)) / "zhiben.db"


class Reader:
    """A read-only use of one sqlite3 connection (what the lean report commands get instead of a session)."""

    dialect = "sqlite"

    def __init__(self, con):
        self.con = con

    def close(self) -> None:
        self.con.close()


def execute(src, sql: str, params: dict | None = None):
    """Rows (tuples) of `sql` on a Reader or a SQLAlchemy session/connection, as the driver yields them."""
    if isinstance(src, Reader):
        return src.con.execute(sql, params or {})
    from sqlalchemy import text

    return src.execute(text(sql), params or {})


def dialect(src) -> str:
    if isinstance(src, Reader):
        return "sqlite"
    bind = src.get_bind() if hasattr(src, "get_bind") else src
    return bind.dialect.name


def day(src, value: dt.date):
    """A date parameter: ISO text for SQLite (how dates are stored there), a date otherwise."""
    return value.isoformat() if dialect(src) == "sqlite" else value


def sqlite_path(db: str | None) -> Path | None:
    """The file of a SQLite database named by --db / ZHIBEN_DB / the default; None for a server URL."""
    value = db or os.environ.get("ZHIBEN_DB")
    if not value:
        return default_path()
    if "://" not in value:
        return Path(value).expanduser().resolve()
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if value.startswith(prefix) and "?" not in value:
            rest = value[len(prefix):]
            return Path(rest).resolve() if rest and rest != ":memory:" else None
    return None


def open_reader(db: str | None, schema_version: int) -> Reader | None:
    """A Reader on an existing SQLite file at `schema_version`, or None (then use the full path)."""
    import sqlite3

    path = sqlite_path(db)
    if path is None or not path.is_file():
        return None
    try:
        con = sqlite3.connect(path, timeout=30)
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.Error:
        return None
    if row is None or str(row[0]) != str(schema_version):
        con.close()
        return None
    return Reader(con)
