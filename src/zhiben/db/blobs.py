"""The evidence content table: bytes in, bytes out in chunks, one file at a time.

Reading streams so a bundle of gigabytes holds one chunk in memory: on SQLite through the
incremental blob API (sqlite3 `blobopen`), on PostgreSQL as `substring` slices of a column stored
uncompressed out of line (models.EvidenceContent), which PostgreSQL fetches slice by slice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CHUNK = 4 * 1024 * 1024


def exists(session: Session, sha256: str) -> bool:
    return session.execute(text("SELECT 1 FROM evidencecontent WHERE sha256 = :s"), {"s": sha256}).first() is not None


def put(session: Session, sha256: str, data: bytes) -> None:
    session.execute(text("INSERT INTO evidencecontent (sha256, size, data) VALUES (:s, :n, :d)"),
                    {"s": sha256, "n": len(data), "d": data})


def total_size(session: Session) -> int:
    return int(session.execute(text("SELECT COALESCE(SUM(size), 0) FROM evidencecontent")).scalar_one())


def drop_if_unused(session: Session, sha256: str) -> bool:
    """Delete content no file cites any more; True when it was deleted."""
    result: Any = session.execute(text(  # a DML result: it has a rowcount
        "DELETE FROM evidencecontent WHERE sha256 = :s AND NOT EXISTS "
        "(SELECT 1 FROM evidencefile f WHERE f.sha256 = :s)"), {"s": sha256})
    return bool(result.rowcount)


def shas(session: Session) -> list[tuple[str, int]]:
    """Every stored content's key and recorded size (small: no bytes)."""
    return [(s, int(n)) for s, n in session.execute(text("SELECT sha256, size FROM evidencecontent ORDER BY sha256"))]


def chunks(session: Session, sha256: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """The stored bytes of one content, `chunk` bytes at a time (nothing when it is missing)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        row = conn.execute(text("SELECT rowid FROM evidencecontent WHERE sha256 = :s"), {"s": sha256}).first()
        if row is None:
            return
        raw: Any = conn.connection.driver_connection  # the sqlite3 connection, for its incremental blob I/O
        with raw.blobopen("evidencecontent", "data", row[0], readonly=True) as blob:
            while piece := blob.read(chunk):
                yield piece
        return
    size = conn.execute(text("SELECT octet_length(data) FROM evidencecontent WHERE sha256 = :s"),
                        {"s": sha256}).scalar()
    for start in range(0, size or 0, chunk):
        yield bytes(conn.execute(text("SELECT substring(data FROM :a FOR :n) FROM evidencecontent WHERE sha256 = :s"),
                                 {"a": start + 1, "n": chunk, "s": sha256}).scalar_one())
