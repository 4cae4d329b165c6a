"""The bureau's holiday calendar (`zhiben calendar`): statutory holidays and 调休 working days.

chinesecalendar ships data only up to its release (2026); the plans' deadlines run into 2027.
Days stored here take precedence over the package's data. A year the bureau entered any day of is
taken as complete (days not listed are ordinary Monday–Friday working days); a year neither source
covers counts Monday–Friday and every deadline computed through it is marked 按周末估算.
Changing the calendar changes event deadlines: callers then run events.rederive_everything.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from zhiben.catalogue import schedule
from zhiben.dates import parse_date
from zhiben.db import models
from zhiben.errors import InputError

KINDS = {"holiday": False, "放假": False, "休": False, "workday": True, "上班": True, "班": True, "调休上班": True}
KIND_HINT = "holiday(放假)、workday(调休上班)"


def work_calendar(session: Session) -> schedule.WorkCalendar:
    return schedule.WorkCalendar({h.day: h.workday for h in session.exec(select(models.Holiday)).all()})


def kind_of(text: str) -> bool:
    found = KINDS.get(text.strip().lower())
    if found is None:
        raise InputError(f"未知的日期类型“{text}”;可用:{KIND_HINT}")
    return found


def _put(session: Session, day: dt.date, workday: bool, note: str | None) -> None:
    row = session.get(models.Holiday, day)
    if row is None:
        session.add(models.Holiday(day=day, workday=workday, note=note or None))
    else:
        row.workday, row.note = workday, note or row.note


def add(session: Session, day: dt.date, workday: bool, note: str | None = None) -> None:
    _put(session, day, workday, note)
    session.flush()


def remove(session: Session, day: dt.date) -> bool:
    row = session.get(models.Holiday, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def import_lines(session: Session, lines: list[str], source: str) -> int:
    """`日期,类型[,备注]` per line (# comments and blank lines skipped); all or nothing."""
    parsed = []
    for n, line in enumerate(lines, 1):
        text = line.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        parts = [p.strip() for p in text.replace(",", ",").split(",")]
        if n == 1 and parts[0] in ("日期", "date"):
            continue
        if len(parts) < 2:
            raise InputError(f"{source}:{n}: 应为“日期,类型[,备注]”,如 2027-01-01,holiday,元旦")
        try:
            day = parse_date(parts[0])
            workday = kind_of(parts[1])
        except InputError as exc:
            raise InputError(f"{source}:{n}: {exc}") from None
        parsed.append((day, workday, parts[2] if len(parts) > 2 else None))
    if not parsed:
        raise InputError(f"{source}: 没有可导入的日期")
    for day, workday, note in parsed:
        _put(session, day, workday, note)
    session.flush()
    return len(parsed)


def year_days(session: Session, year: int) -> list[models.Holiday]:
    q = select(models.Holiday).where(models.Holiday.day >= dt.date(year, 1, 1), models.Holiday.day <= dt.date(year, 12, 31))
    return sorted(session.exec(q).all(), key=lambda h: h.day)


def package_covers(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False
