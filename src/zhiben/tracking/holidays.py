"""The bureau's holiday calendar (`zhiben calendar`): statutory holidays and 调休 working days.

chinesecalendar ships data only up to its release (2026); the plans' deadlines run into 2027.
A day stored here overrides the package's answer for that day only (a local extra holiday keeps the
statutory calendar of its year). A year the package does not cover is taken from the bureau's days
alone (days not listed are ordinary Monday–Friday working days), and so is a year the bureau
replaced explicitly (`calendar import --replace-year`, remembered in meta `calendar_replaced_years`).
A year neither source covers counts Monday–Friday and every deadline computed through it is marked
按周末估算. Changing the calendar changes event deadlines: callers then run events.rederive_everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from zhiben.catalogue import schedule
from zhiben.dates import parse_date
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.inputs import limits

KINDS = {"holiday": False, "放假": False, "休": False, "workday": True, "上班": True, "班": True, "调休上班": True}
KIND_HINT = "holiday(放假)、workday(调休上班)"
REPLACED = "calendar_replaced_years"


def kind_word(workday: bool) -> str:
    return "调休上班" if workday else "放假"


def replaced_years(session: Session) -> set[int]:
    row = session.get(models.Meta, REPLACED)
    return {int(y) for y in row.value.split(",") if y.strip().isdigit()} if row else set()


def _set_replaced(session: Session, years: set[int]) -> None:
    row = session.get(models.Meta, REPLACED)
    value = ",".join(str(y) for y in sorted(years))
    if row is None:
        if value:
            session.add(models.Meta(key=REPLACED, value=value))
    elif value:
        row.value = value
    else:
        session.delete(row)


def work_calendar(session: Session) -> schedule.WorkCalendar:
    days = {h.day: h.workday for h in session.exec(select(models.Holiday)).all()}
    return schedule.WorkCalendar(days, replaced_years(session))


def kind_of(text: str) -> bool:
    found = KINDS.get(text.strip().lower())
    if found is None:
        raise InputError(f"未知的日期类型“{text}”;可用:{KIND_HINT}")
    return found


@dataclass
class Change:
    """What a calendar command changed, for its one-line report."""

    added: list[dt.date] = field(default_factory=list)
    changed: list[dt.date] = field(default_factory=list)
    unchanged: int = 0
    removed: list[dt.date] = field(default_factory=list)
    replaced_year: int | None = None

    def line(self) -> str:
        parts = [f"新增 {len(self.added)} 天", f"修改 {len(self.changed)} 天"]
        if self.removed:
            parts.append(f"删除 {len(self.removed)} 天")
        parts.append(f"未变 {self.unchanged} 天")
        return "、".join(parts)


def _put(session: Session, day: dt.date, workday: bool, note: str | None, change: Change) -> None:
    row = session.get(models.Holiday, day)
    if row is None:
        session.add(models.Holiday(day=day, workday=workday, note=note or None))
        change.added.append(day)
    elif row.workday != workday or (note and note != row.note):
        row.workday, row.note = workday, note or row.note
        change.changed.append(day)
    else:
        change.unchanged += 1


def add(session: Session, day: dt.date, workday: bool, note: str | None = None) -> Change:
    """One day on top of the year's calendar (the package's statutory days stay in force)."""
    check_note(note)
    change = Change()
    _put(session, day, workday, note, change)
    session.flush()
    return change


def remove(session: Session, day: dt.date) -> bool:
    row = session.get(models.Holiday, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def remove_year(session: Session, year: int) -> int:
    """Every day of `year` and its replacement mark: the year is the package's again."""
    rows = year_days(session, year)
    for row in rows:
        session.delete(row)
    _set_replaced(session, replaced_years(session) - {year})
    session.flush()
    return len(rows)


def check_note(note: str | None, where: str = "") -> None:
    limits.check_at(where, note=note)


def parse_lines(lines: list[str], source: str) -> list[tuple[dt.date, bool, str | None]]:
    """`日期,类型[,备注]` per line (# comments and blank lines skipped); a day listed twice with
    different kinds is refused (which line should win is a guess), the same kind twice counts once."""
    parsed: dict[dt.date, tuple[int, bool, str | None]] = {}
    problems: list[str] = []
    for n, line in enumerate(lines, 1):
        text = line.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        parts = [p.strip() for p in text.replace(",", ",").split(",")]
        if n == 1 and parts[0] in ("日期", "date"):
            continue
        if len(parts) < 2:
            problems.append(f"{source}:{n}: 应为“日期,类型[,备注]”,如 2027-01-01,holiday,元旦")
            continue
        try:
            day = parse_date(parts[0])
            workday = kind_of(parts[1])
        except InputError as exc:
            problems.append(f"{source}:{n}: {exc.message}")
            continue
        note = ",".join(parts[2:]) if len(parts) > 2 else None

        if (why := limits.problem("note", note)) is not None:
            problems.append(f"{source}:{n}: {why}")
            continue
        first = parsed.get(day)
        if first is not None and first[1] != workday:
            problems.append(f"{source}:{n}: {day} 在第 {first[0]} 行是{kind_word(first[1])},这里又是{kind_word(workday)};"
                            "请只保留正确的一行")
        elif first is None:
            parsed[day] = (n, workday, note)
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else f"{source} 有 {len(problems)} 处问题,未导入任何日期",
                         problems=problems if len(problems) > 1 else None)
    if not parsed:
        raise InputError(f"{source}: 没有可导入的日期")
    return [(day, workday, note) for day, (_, workday, note) in sorted(parsed.items())]


def import_lines(session: Session, lines: list[str], source: str, *, replace_year: int | None = None) -> Change:
    """All or nothing. Without `replace_year` each day overrides its year's calendar; with it the
    file is that year's whole calendar (every listed day must be in it, days not listed are removed)."""
    parsed = parse_lines(lines, source)
    change = Change(replaced_year=replace_year)
    if replace_year is not None:
        outside = [day for day, _, _ in parsed if day.year != replace_year]
        if outside:
            raise InputError(f"{source}: {outside[0]} 不在 {replace_year} 年(--replace-year {replace_year} "
                             f"只导入该年的日期;共 {len(outside)} 天不在该年)")
        listed = {day for day, _, _ in parsed}
        for row in year_days(session, replace_year):
            if row.day not in listed:
                session.delete(row)
                change.removed.append(row.day)
        _set_replaced(session, replaced_years(session) | {replace_year})
    for day, workday, note in parsed:
        _put(session, day, workday, note, change)
    session.flush()
    return change


def year_days(session: Session, year: int) -> list[models.Holiday]:
    q = select(models.Holiday).where(models.Holiday.day >= dt.date(year, 1, 1), models.Holiday.day <= dt.date(year, 12, 31))
    return sorted(session.exec(q).all(), key=lambda h: h.day)


def package_covers(year: int) -> bool:
    import chinese_calendar  # its tables take a while to load: only the calendar commands ask

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False
