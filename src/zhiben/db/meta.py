"""Settings kept in the database's meta table, read with plain SQL (works on the lean read path).

The plans' effective date (印发) bounds every recurring schedule. The catalogue gives a default
(`[catalogue] effective`, stored as meta `catalogue_effective`); the bureau can set the true date
(meta `effective`, `zhiben config set effective`), which survives reloads. tracking/load.py
writes them; everything reads them through here.
"""

from __future__ import annotations

import datetime as dt

from zhiben.db import read
from zhiben.errors import DatabaseError

EFFECTIVE_SET = "effective"
EFFECTIVE_CATALOGUE = "catalogue_effective"


def value(src: read.Readable, key: str) -> str | None:
    for (v,) in read.execute(src, "SELECT value FROM meta WHERE key = :key", {"key": key}):
        return str(v)
    return None


def day(src: read.Readable, key: str) -> dt.date | None:
    """A date setting; a value damaged by hand is one line naming the key, not a traceback."""
    text = value(src, key)
    if not text:
        return None
    try:
        return read.Source.date(text)
    except ValueError:
        hint = "请用 zhiben config set effective YYYY-MM-DD 重新设置" if key == EFFECTIVE_SET else "请运行 zhiben load 重新载入事项目录"
        raise DatabaseError(f"数据库设置 {key} 的值“{text[:40]}”不是日期;{hint}") from None


def plan_period(src: read.Readable) -> tuple[dt.date, dt.date]:
    return (day(src, "catalogue_start") or dt.date(2024, 1, 1), day(src, "catalogue_end") or dt.date(2026, 12, 31))


def effective_info(src: read.Readable) -> tuple[dt.date, bool]:
    """(the plans' effective date, whether the bureau set it rather than the catalogue)."""
    chosen = day(src, EFFECTIVE_SET)
    if chosen:
        return chosen, True
    return day(src, EFFECTIVE_CATALOGUE) or plan_period(src)[0], False


def effective_date(src: read.Readable) -> dt.date:
    """The day the plans took effect: no recurring period starts before it."""
    return effective_info(src)[0]
