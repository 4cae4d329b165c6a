"""Explicit, ordered schema upgrades: MIGRATIONS[n] takes a database from version n to n+1.

A release that changes an existing table (a column, an index) bumps models.SCHEMA_VERSION and
adds one function here; tests/fixtures/zhiben-v0.db (made by schema 1) proves the path still
works. Each step runs in its own transaction together with the version bump, so an interrupted
upgrade leaves the database at the last completed version. A wholly new table needs a version
bump but no step of its own (`upgrade` creates missing tables after the steps): a database at
the current version is opened without inspecting its tables, which keeps every command's
start-up short.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from zhiben.db import models, occurrences, tally


def _create_index(conn: Connection, table: str, name: str) -> None:
    """Create an index exactly as models.py declares it (so old and new databases agree)."""
    index = next(i for i in SQLModel.metadata.tables[table].indexes if i.name == name)
    index.create(conn, checkfirst=True)


def _v1_audit_subject_index(conn: Connection) -> None:
    _create_index(conn, "auditentry", "ix_auditentry_subject")


def _v2_occurrence_table(conn: Connection) -> None:
    """Schema 3 materialises the schedule: build the table from what the database already holds."""
    # The definition reads tables an old database may not have yet (they are wholly new, so empty),
    # and columns later steps add (added here already; those steps then find them).
    SQLModel.metadata.create_all(conn)
    _v5_postponed_dues(conn)
    occurrences.fill(conn)


def _v3_progress_index(conn: Connection) -> None:
    """Schema 4 added a covering index for `progress --by county`; schema 9's counts replaced it
    (and drop it), so an upgrade from before schema 4 no longer builds it."""


def _v4_planned_events(conn: Connection) -> None:
    """Schema 5: an event can be a planned (announced) date, replaced when the actual one is recorded."""
    if "planned" in {c["name"] for c in inspect(conn).get_columns("event")}:
        return
    false = "0" if conn.dialect.name == "sqlite" else "false"
    conn.execute(text(f"ALTER TABLE event ADD COLUMN planned BOOLEAN NOT NULL DEFAULT {false}"))


def _v5_postponed_dues(conn: Connection) -> None:
    """Schema 6: a calendar due date can be postponed to the next working day (DueDate.bound, 顺延)."""
    if "bound" in {c["name"] for c in inspect(conn).get_columns("duedate")}:
        return
    conn.execute(text("ALTER TABLE duedate ADD COLUMN bound VARCHAR NOT NULL DEFAULT 'deadline'"))


def _v6_evidence_tables(conn: Connection) -> None:
    """Schema 7: evidence files kept in the database (wholly new tables, nothing to convert)."""
    SQLModel.metadata.create_all(conn, tables=[models.table(models.EvidenceContent), models.table(models.EvidenceFile)])


def _v7_bulletins(conn: Connection) -> None:
    """Schema 8: issued 通报 keep their figures (a wholly new table)."""
    SQLModel.metadata.create_all(conn, tables=[models.table(models.Bulletin)])


def _v8_tally(conn: Connection) -> None:
    """Schema 9: the occurrence counts the county × plan matrix reads, counted from the table."""
    SQLModel.metadata.create_all(conn, tables=[models.table(models.Tally)])
    # The counts answer what schema 4's covering index was for; every write paid for the index.
    conn.execute(text("DROP INDEX IF EXISTS ix_occurrence_progress"))
    conn.execute(text(tally.CLEAR))
    conn.execute(text(tally.RECOUNT))


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_audit_subject_index,
    2: _v2_occurrence_table,
    3: _v3_progress_index,
    4: _v4_planned_events,
    5: _v5_postponed_dues,
    6: _v6_evidence_tables,
    7: _v7_bulletins,
    8: _v8_tally,
}


def upgrade(engine: Engine, version: int) -> int:
    if version >= models.SCHEMA_VERSION:
        return version  # current: nothing to create or check on every command
    while version < models.SCHEMA_VERSION:
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            version += 1
            conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)})
    SQLModel.metadata.create_all(engine)
    return version
