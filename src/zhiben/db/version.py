"""The schema version this release reads and writes (bumped with a step in db/migrations.py), and
the one function that reads and checks a database's own version.

Its own module so the lean read path can check it without importing the table models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from zhiben.errors import DatabaseError

if TYPE_CHECKING:
    from zhiben.db.read import PsycopgSource, Source, SqliteSource

Lean = TypeVar("Lean", "SqliteSource", "PsycopgSource")

SCHEMA_VERSION = 9
UNTOUCHED = "数据库未作任何改动"


def check(raw: object, where: str, outcome: str = UNTOUCHED) -> int:
    """The version stored as `raw` (meta.schema_version) if this release can use it.

    Versions start at 1 (tests/fixtures/zhiben-v0.db); anything else that is not a whole number up
    to SCHEMA_VERSION was damaged by hand or by another program, and guessing would risk the data.
    """
    if raw is None:
        raise DatabaseError(f"{where} 不是完整的 zhiben 数据库(meta 表中没有结构版本记录 schema_version);{outcome}")
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise DatabaseError(f"{where} 的结构版本记录已损坏(meta.schema_version 为“{raw}”,"
                            f"应为 1 至 {SCHEMA_VERSION} 的整数);{outcome}")
    version = int(text)
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"{where} 由更新版本的 zhiben 创建(结构版本 {version},本程序支持 {SCHEMA_VERSION}),"
                            f"请升级 zhiben 后再使用;{outcome}")
    return version


def read(src: Source, where: str, outcome: str = UNTOUCHED) -> int | None:
    """The checked schema version of the database behind `src`; None when it has no meta table
    (a new database, or not zhiben's: the caller tells them apart by its other tables)."""
    if not src.has_table("meta"):
        return None
    found = [row[0] for row in src.rows("SELECT value FROM meta WHERE key = 'schema_version'")]
    return check(found[0] if found else None, where, outcome)


def if_current(src: Lean, where: str, driver_error: type[Exception]) -> Lean | None:
    """`src` (a lean driver connection) when its database is at this release's version; otherwise
    closed, and None: the full path then opens the database, upgrades it or refuses it."""
    try:
        current = read(src, f"数据库 {where}") == SCHEMA_VERSION
    except driver_error:
        current = False  # not a database, busy, no zhiben tables: the full path says which
    except BaseException:
        src.close()
        raise
    if not current:
        src.close()
        return None
    return src
