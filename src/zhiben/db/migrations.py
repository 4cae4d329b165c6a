"""Explicit, ordered schema upgrades: MIGRATIONS[n] takes a database from version n to n+1.

A release that changes an existing table (a column, an index) bumps models.SCHEMA_VERSION and
adds one function here; tests/fixtures/zhiben-v0.db (made by schema 1) proves the path still
works. Each step runs in its own transaction together with the version bump, so an interrupted
upgrade leaves the database at the last completed version. Wholly new tables need no step:
`upgrade` creates missing tables afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from zhiben.db import models


def _create_index(conn: Connection, table: str, name: str) -> None:
    """Create an index exactly as models.py declares it (so old and new databases agree)."""
    index = next(i for i in SQLModel.metadata.tables[table].indexes if i.name == name)
    index.create(conn, checkfirst=True)


def _v1_audit_subject_index(conn: Connection) -> None:
    _create_index(conn, "auditentry", "ix_auditentry_subject")


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_audit_subject_index,
}


def upgrade(engine: Engine, version: int) -> int:
    while version < models.SCHEMA_VERSION:
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            version += 1
            conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)})
    SQLModel.metadata.create_all(engine)
    return version
