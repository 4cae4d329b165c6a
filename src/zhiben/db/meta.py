"""Settings kept in the database's meta table, read with plain SQL (works on the lean read path).

The plans' effective date (印发) bounds every recurring schedule. The catalogue gives a default
(`[catalogue] effective`, stored as meta `catalogue_effective`); the bureau can set the true date
(meta `effective`, `zhiben config set effective`), which survives reloads. tracking/load.py
writes them; everything reads them through here.
"""

from __future__ import annotations

import datetime as dt

from zhiben.db import read

EFFECTIVE_SET = "effective"
EFFECTIVE_CATALOGUE = "catalogue_effective"


def value(src, key: str) -> str | None:
    for (v,) in read.execute(src, "SELECT value FROM meta WHERE key = :key", {"key": key}):
        return v
    return None


def plan_period(src) -> tuple[dt.date, dt.date]:
    start, end = value(src, "catalogue_start"), value(src, "catalogue_end")
    return (dt.date.fromisoformat(start) if start else dt.date(2024, 1, 1),
            dt.date.fromisoformat(end) if end else dt.date(2026, 12, 31))


def effective_info(src) -> tuple[dt.date, bool]:
    """(the plans' effective date, whether the bureau set it rather than the catalogue)."""
    chosen = value(src, EFFECTIVE_SET)
    if chosen:
        return dt.date.fromisoformat(chosen), True
    default = value(src, EFFECTIVE_CATALOGUE)
    return (dt.date.fromisoformat(default) if default else plan_period(src)[0]), False


def effective_date(src) -> dt.date:
    """The day the plans took effect: no recurring period starts before it."""
    return effective_info(src)[0]
