"""Internal keys → the words a person reads. The one place a period key becomes a label.

Period keys ("2025-Q2", "2024-H1:91371503…", "acceptance@2025-09-26#7") identify an occurrence
in the database and in JSON; every human-facing output shows `period_label` instead:
一次性 / 2025年3月 / 2025年第二季度 / 2025年上半年 / 2025年度 / 验收(2025-09-26)后 /
计划试生产(2026-12-10)前. A per-enterprise supervision duty's key carries the enterprise's
credit code after a colon; the label drops it (the code has its own column).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from zhiben import terms
from zhiben.db import read

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_EVENT = re.compile(r"^([a-z-]+)@(\d{4}-\d{2}-\d{2})#\d+(\+planned)?$")


# Until the bureau sets the plans' real effective date (zhiben config set effective), reports use the
# catalogue's reasoned default and say so (docs/catalogue.md, 方案生效日期).
DEFAULT_EFFECTIVE = "(默认值,待以印发日期核实)"


def effective_note(day: dt.date, chosen: bool) -> str:
    """"方案自 2024-03-01 起施行", marked as the default until the real date is set."""
    return f"方案自 {day.isoformat()} 起施行" + ("" if chosen else DEFAULT_EFFECTIVE)


@lru_cache(maxsize=8192)  # a city-wide report has a few hundred distinct periods and 60,000+ rows
def period_label(period: str, due: dt.date | None = None, direction: str | None = None) -> str:
    """The Chinese label of a period key.

    For an event-derived period, `direction` ("before"/"after", from the milestone's rule) says
    whether the deadline falls before or after the event; without it the due date decides
    (a due date before the event means "before", otherwise "after").
    """
    base = period.split(":", 1)[0]
    if base == "once":
        return terms.ONCE_NAME
    if m := _MONTH.match(base):
        return f"{m[1]}年{int(m[2])}月"
    if m := _QUARTER.match(base):
        return f"{m[1]}年{terms.QUARTER_NAMES[m[2]]}"
    if m := _HALF.match(base):
        return f"{m[1]}年{terms.HALF_NAMES[m[2]]}"
    if m := _YEAR.match(base):
        return f"{m[1]}年度"
    if m := _EVENT.match(base):
        word = terms.EVENT_SHORT.get(m[1], terms.EVENT_NAMES.get(m[1], m[1]))
        when = f"预计 {m[2]}" if m[3] else m[2]  # a planned (announced) event's date
        if direction is not None and direction.startswith("window:"):
            return f"{word}({when})前{direction[7:]}内"
        if direction is None:
            direction = "before" if due is not None and due < dt.date.fromisoformat(m[2]) else "after"
        return f"计划{word}({when})前" if direction == "before" else f"{word}({when})后"
    return base


def event_directions(src: read.Readable) -> dict[str, str]:
    """milestone id → "before"/"after" for every event-relative milestone (one small query)."""
    src = read.source(src)
    return {mid: _direction(src.json(rule) or {})
            for mid, rule in src.rows("SELECT id, rule FROM milestone WHERE kind = 'relative'")}


def _direction(rule: dict) -> str:
    """"before"/"after", or "window:10日" for a "事件前N日内" window (closes the day before the event)."""
    if rule.get("bound") == "window":
        unit = {"day": "日", "workday": "个工作日", "month": "个月", "year": "年"}.get(str(rule.get("unit")), "")
        return f"window:{rule.get('offset')}{unit}"
    return rule.get("direction", "after")


def due_label(due: dt.date | None, status: str | None, bound: str | None = None) -> str:
    """A due date as a person reads it: earliest dates and the close of a window are marked, never
    shown like a plain deadline."""
    if due is None:
        return ""
    if status == terms.Status.EARLIEST or bound == "earliest":
        return f"{terms.EARLIEST_MARK} {due.isoformat()}"
    if bound == "window":
        return f"{terms.WINDOW_MARK} {due.isoformat()}"
    if bound == "postponed":
        return f"{due.isoformat()}({terms.POSTPONED_MARK})"
    return due.isoformat()
