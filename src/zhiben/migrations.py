"""Explicit, ordered schema upgrades: MIGRATIONS[n] takes a database from version n to n+1."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection, Engine

MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


def upgrade(engine: Engine, version: int) -> int:
    from zhiben.models import SCHEMA_VERSION

    while version < SCHEMA_VERSION:
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            version += 1
            conn.exec_driver_sql("UPDATE meta SET value = %s WHERE key = 'schema_version'" % int(version))
    return version
