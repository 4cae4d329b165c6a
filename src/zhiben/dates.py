"""Dates as people type them, parsed with Chinese errors (used by the CLI and every importer)."""

from __future__ import annotations

import datetime as dt
import re
from typing import overload

from zhiben.errors import InputError

_DATE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
FIRST_YEAR, LAST_YEAR = 1900, 2199


@overload
def parse_date(text: str, what: str = ...) -> dt.date: ...
@overload
def parse_date(text: str | None, what: str = ...) -> dt.date | None: ...
def parse_date(text: str | None, what: str = "日期") -> dt.date | None:
    """YYYY-MM-DD (also 2025/7/1, 2025年7月1日, 20250701) → date, with a Chinese error."""
    if text is None:
        return None
    m = _DATE.match(text) or _COMPACT.match(text)
    if not m:
        raise InputError(f"无法识别的{what}“{text}”(应为 YYYY-MM-DD)")
    try:
        day = dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        raise InputError(f"{what}“{text}”不存在") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        # Far dates only come from typos, and date arithmetic near year 9999 overflows.
        raise InputError(f"{what}“{text}”超出可处理的范围({FIRST_YEAR}—{LAST_YEAR} 年)")
    return day


def not_after_today(day: dt.date, today: dt.date, what: str, hint: str = "") -> dt.date:
    """Refuse a date that has not happened yet (a completion, an event, a measurement)."""
    if day > today:
        raise InputError(f"{what} {day} 晚于今天 {today}{hint}")
    return day


def local(stored: dt.datetime | None) -> dt.datetime | None:
    """A stored time in this computer's zone, with the zone attached, for display."""
    if stored is None:
        return None
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.timezone.utc)
    return stored.astimezone()
