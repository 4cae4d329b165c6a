"""The read seam: one typed `Source` for every query written as plain SQL, on either driver.

Two implementations answer the same calls:
- `SqliteSource`, a bare sqlite3 connection: the lean read path. A read command on a SQLite file
  whose schema is current (db/files.open_reader) never imports SQLAlchemy or the table models,
  which keeps its start-up short. `PsycopgSource` is the same on a PostgreSQL server (db/server.py).
- `AlchemySource`, a SQLAlchemy session or connection: PostgreSQL, and every command that writes
  (a write command's session is wrapped with `source(session)` when it reads through here).
Queries use :name parameters, which sqlite3 and SQLAlchemy's text() both accept, so one text
serves both. Values come back as the driver gives them (SQLite: dates and JSON as text; PostgreSQL:
date, datetime and dict objects), and are decoded here, once: `Source.date`, `Source.time`,
`Source.json`, `Source.count`.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import sqlite3

    import psycopg
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


Params: TypeAlias = Mapping[str, Any]
Row: TypeAlias = Sequence[Any]


class Source(ABC):
    """Read access to one database through plain SQL."""

    dialect: str

    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        """The rows of `sql` as tuples, undecoded (use the decoders below on dates, JSON and counts)."""

    @abstractmethod
    def has_table(self, name: str) -> bool: ...

    @abstractmethod
    def tables(self) -> list[str]: ...

    def day(self, value: dt.date) -> object:
        """A date parameter: ISO text on SQLite (how dates are stored there), a date otherwise."""
        return value.isoformat() if self.dialect == "sqlite" else value

    @staticmethod
    def date(value: object) -> dt.date | None:
        """A DATE or TIMESTAMP column: ISO text on SQLite, date/datetime objects on PostgreSQL."""
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, dt.datetime):
            return value.date()
        return dt.date.fromisoformat(str(value)[:10])

    @staticmethod
    def time(value: object) -> dt.datetime | None:
        """A moment stored in UTC (models.UTCTime): ISO text on SQLite, a datetime on PostgreSQL; aware UTC."""
        if value is None:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)

    @staticmethod
    def json(value: object) -> Any:
        """A JSON column: text on SQLite, already parsed on PostgreSQL."""
        return jsonlib.loads(value) if isinstance(value, str | bytes) else value

    @staticmethod
    def count(value: object) -> int:
        """An aggregate that is NULL over no rows (SUM) or a Decimal on PostgreSQL: a plain int."""
        return int(value or 0)  # type: ignore[call-overload,unused-ignore]


class SqliteSource(Source):
    dialect = "sqlite"

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        return self.con.execute(sql, dict(params or {}))

    def has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
        return self.con.execute(query, {"name": name}).fetchone() is not None

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def close(self) -> None:
        self.con.close()


def _pyformat(sql: str) -> str:
    """The query's :name parameters as psycopg's %(name)s (a literal % doubled): one query text for all."""
    cached = _PYFORMAT.get(sql)
    if cached is None:
        cached = _PYFORMAT[sql] = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql.replace("%", "%%"))
    return cached


_PYFORMAT: dict[str, str] = {}


class PsycopgSource(Source):
    """A bare psycopg connection to PostgreSQL, read-only (db/server.py): a server's lean path."""

    dialect = "postgresql"

    def __init__(self, con: psycopg.Connection) -> None:
        self.con = con

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        # Always a mapping, even empty: psycopg then reads %% as %.
        return self.con.execute(_pyformat(sql), dict(params or {}))

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def tables(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT table_name FROM information_schema.tables"
                                        " WHERE table_schema = current_schema() ORDER BY table_name")]

    def close(self) -> None:
        self.con.close()


class AlchemySource(Source):
    def __init__(self, bind: Session | Connection) -> None:
        self.bind = bind
        engine = bind.get_bind() if hasattr(bind, "get_bind") else bind
        self.dialect = engine.dialect.name

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Row]:
        from sqlalchemy import text  # only the session's source: SqliteSource must not load SQLAlchemy

        return self.bind.execute(text(sql), dict(params or {}))

    def _inspector(self) -> Any:
        from sqlalchemy import inspect  # as above

        bind: Any = self.bind
        return inspect(bind.connection() if hasattr(bind, "get_bind") else bind)  # a session's connection

    def has_table(self, name: str) -> bool:
        return bool(self._inspector().has_table(name))

    def tables(self) -> list[str]:
        return sorted(self._inspector().get_table_names())


# What read functions accept: a Source, or a write command's SQLAlchemy session/connection.
Readable: TypeAlias = "Source | Session | Connection"


def source(src: Readable) -> Source:
    return src if isinstance(src, Source) else AlchemySource(src)


def execute(src: Readable, sql: str, params: Params | None = None) -> Iterable[Row]:
    """Rows (tuples) of `sql`, as the driver yields them."""
    return source(src).rows(sql, params)


def dialect(src: Readable) -> str:
    return source(src).dialect


def day(src: Readable, value: dt.date) -> object:
    return source(src).day(value)
