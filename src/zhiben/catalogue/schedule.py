"""Rules → due dates. Pure functions: no database, no clock.

Every due date is computed from its period's own anchor (the period's year and month), never by
stepping from the previous occurrence, so month ends never drift (Jan 31 → Feb 29 → Mar 31).
An occurrence is identified by its period key ("2025-03", "2025-Q2", "2025-H1", "2025", or
"once"), which is what makes regenerating a schedule idempotent.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from zhiben import terms
from zhiben.catalogue.model import OnceRule, RecurringRule, RelativeRule, Rule, StandingRule, TargetRule, UndatedRule
from zhiben.errors import InputError

ONCE = "once"


@dataclass(frozen=True, order=True)
class Due:
    due: dt.date
    period: str
    # "postponed": a fixed day that fell on a non-working day, moved to the next working day (顺延)
    bound: str = "deadline"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int | None) -> dt.date:
    if day is None:
        return month_end(year, month)
    # A rule like "每月31日前" means the month's last day in shorter months.
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_keys(every: str, first_year: int, last_year: int) -> list[str]:
    keys = []
    for y in range(first_year, last_year + 1):
        if every == "month":
            keys += [f"{y}-{m:02d}" for m in range(1, 13)]
        elif every == "quarter":
            keys += [f"{y}-Q{q}" for q in range(1, 5)]
        elif every == "half":
            keys += [f"{y}-H1", f"{y}-H2"]
        else:
            keys.append(f"{y}")
    return keys


def period_start(key: str) -> dt.date:
    """First day of a period ("2025-03", "2025-Q2", "2025-H2", "2025")."""
    year = int(key[:4])
    if "-Q" in key:
        return dt.date(year, int(key[-1]) * 3 - 2, 1)
    if "-H" in key:
        return dt.date(year, 1 if key.endswith("H1") else 7, 1)
    if len(key) == 7:
        return dt.date(year, int(key[5:7]), 1)
    return dt.date(year, 1, 1)


def period_end(key: str) -> dt.date:
    year = int(key[:4])
    if "-Q" in key:
        return month_end(year, int(key[-1]) * 3)
    if "-H" in key:
        return month_end(year, 6 if key.endswith("H1") else 12)
    if len(key) == 7:
        return month_end(year, int(key[5:7]))
    return dt.date(year, 12, 31)


def shift_period(key: str, n: int) -> str:
    """The period n periods after `key` (before, for negative n), of the same kind."""
    year = int(key[:4])
    if "-Q" in key:
        q = year * 4 + int(key[-1]) - 1 + n
        return f"{q // 4}-Q{q % 4 + 1}"
    if "-H" in key:
        h = year * 2 + int(key[-1]) - 1 + n
        return f"{h // 2}-H{h % 2 + 1}"
    if len(key) == 7:
        m = year * 12 + int(key[5:7]) - 1 + n
        return f"{m // 12}-{m % 12 + 1:02d}"
    return str(year + n)


def due_of_period(rule: RecurringRule, key: str) -> dt.date:
    """The due date of one period, from that period's own anchor."""
    if rule.covers == "previous":
        # Reported on (or followed up) in the next period, by that period's own anchor: 每月3日前 →
        # the 3rd of the next month; 每年1月底前整改上一年度 → 31 January of the next year.
        return due_of_period(rule.model_copy(update={"covers": "current"}), shift_period(key, 1))
    year = int(key[:4])
    if rule.every == "month":
        return _day_in_month(year, int(key[5:7]), rule.day)
    if rule.every == "quarter":
        return month_end(year, int(key[-1]) * 3)
    if rule.every == "half":
        return month_end(year, 6 if key.endswith("H1") else 12)
    month = rule.month or 12
    return _day_in_month(year, month, rule.day)


def owed_from(key: str, effective: dt.date) -> bool:
    """Whether a period is owed under plans that took effect on `effective`.

    A period is owed when it ends after that day and at least half of it lies on or after it: with
    2024-03-01, March 2024 is owed, 2024-Q1 is not (one month of three), 2024-H1 and the year 2024
    are. The plans run 2024—2026 and say "2024年起" and "2024年-2026年期间,每年": a year that was
    five-sixths ahead when they were issued is one of their years, a quarter that was two-thirds
    gone is not.
    """
    first, last = period_start(key), period_end(key)
    if last <= effective:
        return False
    return 2 * ((last - effective).days + 1) >= (last - first).days + 1


def recurring(rule: RecurringRule, start: dt.date, end: dt.date, effective: dt.date | None = None,
              calendar: WorkCalendar | None = None) -> list[Due]:
    """All occurrences of a recurring rule inside the plan period [start, end].

    Without its own `start`, a rule owes the periods `owed_from` the plans' effective date, and
    none that falls due before that date (no duty is late before the plans existed). A report on
    the previous period (`covers`) is judged by the period it reports on.
    """
    keys = period_keys(rule.every, start.year, end.year)
    if rule.start:
        keys = [k for k in keys if k >= rule.start]
    if rule.end:
        keys = [k for k in keys if k <= rule.end]
    dues = [Due(due_of_period(rule, k), k) for k in keys]
    if not rule.start and effective is not None:
        dues = [d for d in dues if owed_from(d.period, effective) and d.due >= effective]
    if calendar is not None and rule.day is not None:
        dues = [postponed(d, calendar) for d in dues]
    if rule.covers == "previous":
        # The report on the plans' last period falls due after their end and is still owed.
        return sorted(d for d in dues if start <= period_start(d.period) and period_end(d.period) <= end)
    return sorted(d for d in dues if start <= d.due <= end)


def postponed(d: Due, calendar: WorkCalendar) -> Due:
    """A fixed-day deadline ("每月3日前") on a non-working day moves to the next working day (顺延)."""
    day = d.due
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return d if day == d.due else Due(day, d.period, "postponed")


def undated_periods(rule: UndatedRule, start: dt.date, end: dt.date, effective: dt.date | None = None) -> list[str]:
    """The periods a yearly undated duty is recorded by (the same years a recurring rule owes)."""
    if rule.every is None:
        return [ONCE]
    keys = period_keys(rule.every, start.year, end.year)
    return [k for k in keys if effective is None or owed_from(k, effective)]


def occurrences(rule: Rule, start: dt.date, end: dt.date, effective: dt.date | None = None,
                calendar: WorkCalendar | None = None) -> list[Due]:
    """Calendar occurrences of a rule; relative and target rules have none of their own.

    With a working-day `calendar`, fixed-day deadlines falling on non-working days are postponed.
    """
    if isinstance(rule, OnceRule):
        return [Due(rule.due, ONCE)]
    if isinstance(rule, RecurringRule):
        return recurring(rule, start, end, effective, calendar)
    if isinstance(rule, (RelativeRule, TargetRule, UndatedRule, StandingRule)):
        return []
    raise TypeError(rule)


# --- working days ------------------------------------------------------------------------------

class WorkCalendar:
    """Chinese working days: the bureau's own days first (zhiben calendar), then chinese_calendar.

    A day the bureau entered overrides the package's answer for that day only. A year the package
    does not cover, or one the bureau replaced wholesale (`replaced`, calendar import --replace-year),
    is taken from the bureau's days alone: days not listed are ordinary Monday–Friday working days.
    A year neither source covers counts Monday–Friday; every day judged that way is remembered in
    `estimated`, so a deadline computed through it can be marked 按周末估算 instead of failing.
    """

    def __init__(self, days: dict[dt.date, bool] | None = None, replaced: set[int] | frozenset[int] = frozenset()) -> None:
        self.days = dict(days or {})  # date → True (working day) / False (holiday)
        self.years = {d.year for d in self.days}
        self.replaced = set(replaced)
        self.estimated: set[int] = set()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.days:
            return self.days[day]
        if day.year in self.replaced:
            return day.weekday() < 5
        import chinese_calendar  # its tables take a while to load: only a day the stored calendar lacks

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.years:  # the bureau entered this year's holidays: other days are ordinary
                self.estimated.add(day.year)
            return day.weekday() < 5


def is_workday(day: dt.date, calendar: WorkCalendar | None = None) -> bool:
    """Whether `day` is a working day (the public question; 顺延 rules and the holiday calendar use it)."""
    return (calendar or WorkCalendar()).is_workday(day)


def next_workday(day: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it (顺延)."""
    cal = calendar or WorkCalendar()
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_workdays(start: dt.date, n: int, *, before: bool = False, calendar: WorkCalendar | None = None) -> dt.date:
    """The n-th working day after (or before) `start`; `start` itself is not counted."""
    cal = calendar or WorkCalendar()
    step = dt.timedelta(days=-1 if before else 1)
    day, counted = start, 0
    while counted < n:
        day += step
        if cal.is_workday(day):
            counted += 1
    return day


def relative_due(rule: RelativeRule, event_day: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    """The stored date: the deadline, the earliest date, or for a window the day that closes it.

    "事件前N日内" is a window of the N days before the event: it opens N days before and closes
    the day before (T−1), since "前" means before the event day, not on it.
    """
    if rule.bound == "window":
        return event_day - dt.timedelta(days=1)
    return offset_date(rule, event_day, calendar)


def window_opens(rule: RelativeRule, event_day: dt.date) -> dt.date | None:
    """First day of a "事件前N日内" window (None for other bounds)."""
    return offset_date(rule, event_day) if rule.bound == "window" else None


def gap_met(rule: RelativeRule, event_day: dt.date, since_day: dt.date | None) -> bool:
    """Whether an event far enough after its `since` event triggers the rule (no gap: always)."""
    if rule.gap is None or since_day is None:
        return True
    n, unit = rule.gap.more_than, rule.gap.unit
    if unit == "day":
        return event_day > since_day + dt.timedelta(days=n)
    return event_day > since_day + (relativedelta(months=n) if unit == "month" else relativedelta(years=n))


def offset_date(rule: RelativeRule, event_day: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    sign = -1 if rule.direction == "before" else 1
    if rule.unit == "workday":
        return add_workdays(event_day, rule.offset, before=sign < 0, calendar=calendar)
    if rule.unit == "day":
        return event_day + dt.timedelta(days=sign * rule.offset)
    delta = relativedelta(months=rule.offset) if rule.unit == "month" else relativedelta(years=rule.offset)
    return event_day + delta if sign > 0 else event_day - delta


# --- periods typed by users --------------------------------------------------------------------

_PERIOD_INPUT = re.compile(
    r"^(?P<y>20\d\d)\s*(?:年|-|/|\.)?\s*(?:(?P<q>[Qq][1-4])|(?P<h>[Hh][12])|(?P<m>\d{1,2})\s*月?)?$"
)


def normalise_period(text: str, every: str) -> str:
    """User input ("2025-3", "2025年3月", "2025q2", "2025") → canonical key for `every`."""
    t = text.strip().replace("第", "").replace("季度", "").replace("上半年", "-H1").replace("下半年", "-H2")
    t = re.sub(r"年(\d)$", r"-Q\1", t) if every == "quarter" else t
    m = _PERIOD_INPUT.match(t)
    want = {"month": "如 2025-03", "quarter": "如 2025-Q2", "half": "如 2025-H1", "year": "如 2025"}[every]
    if not m:
        raise InputError(f"无法识别的周期“{text}”({want})")
    y = m.group("y")
    if m.group("m") and not 1 <= int(m.group("m")) <= 12:
        raise InputError(f"周期“{text}”中的月份不存在({want})")
    if every == "month" and m.group("m"):
        return f"{y}-{int(m.group('m')):02d}"
    if every == "quarter" and m.group("q"):
        return f"{y}-Q{m.group('q')[1]}"
    if every == "half" and m.group("h"):
        return f"{y}-H{m.group('h')[1]}"
    if every == "year" and not (m.group("m") or m.group("q") or m.group("h")):
        return y
    raise InputError(f"周期“{text}”与该事项的频次不符({want})")


_LABEL_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
_LABEL_QUARTER = {name: q for q, name in terms.QUARTER_NAMES.items()}
_LABEL_PART = re.compile(r"^(\d{4})年(.+)$")
_LABEL_EVENT_DATE = re.compile(r"[((](?:预计\s*)?(\d{4}-\d{2}-\d{2})[))]")


def period_from_label(text: str) -> str:
    """The period key behind a label zhiben printed (一次性, 2025年3月, 2025年第二季度, 2025年上半年,
    2025年度; for an event-derived period the event's date, which identifies it), so a sheet that
    shows labels can be read back. Anything else is returned as typed (keys still work)."""
    t = text.strip()
    if t == terms.ONCE_NAME:
        return "once"
    if m := _LABEL_MONTH.match(t):
        return f"{m[1]}-{int(m[2]):02d}"
    if m := _LABEL_PART.match(t):
        if m[2] in _LABEL_QUARTER:
            return f"{m[1]}-Q{_LABEL_QUARTER[m[2]]}"
        half = {name: h for h, name in terms.HALF_NAMES.items()}.get(m[2])
        if half:
            return f"{m[1]}-H{half}"
        if m[2] == "度":
            return m[1]
    if (m := _LABEL_EVENT_DATE.search(t)) and not re.match(r"^[a-z-]+@", t):
        return m[1]
    return t
