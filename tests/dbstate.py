"""Every row of every table, for asserting that a failed or killed command changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import create_engine, inspect, text


def snapshot(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: sorted((tuple(map(repr, r)) for r in conn.execute(text(f'SELECT * FROM "{t}"'))))
                    for t in tables}
    finally:
        engine.dispose()


def digest(url: str) -> str:
    return hashlib.sha256(repr(snapshot(url)).encode()).hexdigest()


def counts(url: str) -> dict[str, int]:
    return {t: len(rows) for t, rows in snapshot(url).items()}
