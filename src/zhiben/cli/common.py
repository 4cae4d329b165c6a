"""Shared CLI plumbing: the database option, sessions, dates, output formats."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import typer

from zhiben.errors import InputError

FORMAT_HELP = "输出格式:table|markdown|plain|csv|json"
AS_OF_HELP = "以该日期为准(YYYY-MM-DD,默认今天)"

_DATE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def parse_date(text: str | None, what: str = "日期") -> dt.date | None:
    """YYYY-MM-DD (also 2025/7/1, 2025年7月1日, 20250701) → date, with a Chinese error."""
    if text is None:
        return None
    m = _DATE.match(text) or _COMPACT.match(text)
    if not m:
        raise InputError(f"无法识别的{what}“{text}”(应为 YYYY-MM-DD)")
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        raise InputError(f"{what}“{text}”不存在") from None


def as_of(text: str | None) -> dt.date:
    return parse_date(text, "日期") or dt.date.today()


@contextmanager
def session(ctx: typer.Context):
    """The one place the CLI opens a database session (commit on success, roll back on error)."""
    from zhiben import store

    engine = store.open_engine(ctx.obj.get("db") if ctx.obj else None)
    try:
        with store.session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


def choice(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise InputError(f"未知的{what}“{value}”;可用:{'、'.join(allowed)}")
    return value
