"""The ICS calendar people subscribe to: one event per county and day, at most one reminder a day.

A city-wide "every occurrence" calendar floods: at the end of a year some 200 items fall due on one
day, each for hundreds of enterprises. By default everything one county (or the city bureau) has
due on one day is one event: the summary counts the items, the description lists every item with
its enterprises. `detail` gives one event per occurrence instead. Either way a county gets at most
one reminder on any day: when two of its events would ring on the same morning, the one due sooner
keeps its reminder (its description names the day's other events' dates).

Calendars only forget an event they were told to forget: an event missing from a re-imported file
stays. So every published UID is remembered per feed (tracking/published.py); when everything in
it is completed or withdrawn, the next export carries it as STATUS:CANCELLED with a higher SEQUENCE,
which removes it from calendars that imported the earlier file or subscribe to the feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from zhiben import terms
from zhiben.outputs import progress
from zhiben.reports import rows as reports
from zhiben.reports.labels import period_label

NAMES_PER_ITEM = 10  # enterprises named per item in a day's description; the rest are counted
# A reminder goes off at 09:00 local time on the day, not at midnight.
ALARM_HOUR = 9
CITY_WHO = "市应急局"


def _short(county: str | None) -> str:
    if not county:
        return ""
    return dict(terms.COUNTIES).get(county, county)


@dataclass
class Entry:
    uid: str
    due: dt.date
    summary: str
    description: str
    plan: str  # the plan of its items when they share one, else ""
    who: str = ""  # the county (short name) or 市应急局 whose day this is: one reminder per who per day
    earliest: bool = False


def _uid(*parts: object) -> str:
    raw = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:32] + "@zhiben"


def occurrence_uid(milestone_id: str, subject_kind: str, subject_key: str | int, period: str) -> str:
    """A UID that stays the same across exports for the same occurrence (detail mode)."""
    return _uid(milestone_id, subject_kind, subject_key, period)


def _who(row: reports.Row) -> str:
    if row.subject_kind == terms.SubjectKind.CITY:
        return CITY_WHO
    return _short(row.county) or row.subject


def _when(row: reports.Row) -> str:
    return "" if row.period.split(":", 1)[0] == "once" else f"({period_label(row.period, row.due)})"


def _detail_entry(r: reports.Row) -> Entry:
    per_enterprise = r.subject_kind == terms.SubjectKind.ENTERPRISE or (r.credit_code and r.subject_kind != "city")
    key = r.credit_code if r.subject_kind == terms.SubjectKind.ENTERPRISE and r.credit_code else r.subject_id
    lead = "可开始:" if r.status == terms.Status.EARLIEST else ""
    summary = f"{lead}【{_who(r)}】{r.title}{_when(r)}"
    name = r.subject if r.subject_kind == "enterprise" else r.credit_code
    subject = f"{name}(统一社会信用代码 {r.credit_code})" if per_enterprise else r.subject
    if per_enterprise:
        summary += f" · {name}"
    lines = [f"方案:{terms.PLAN_NAMES[r.plan]}", f"事项:{r.title}", f"周期:{period_label(r.period, r.due)}",
             f"{'最早可办日期' if r.status == terms.Status.EARLIEST else '期限'}:{r.due.isoformat()}",
             f"责任主体:{subject}"] + ([f"所属县区:{r.county}"] if r.county else []) + [f"事项编号:{r.milestone_id}", FOOT]
    return Entry(occurrence_uid(r.milestone_id, r.subject_kind, key, r.period), r.due, summary, "\n".join(lines),
                 r.plan, _who(r), r.status == terms.Status.EARLIEST)


FOOT = "完成后请在 zhiben 中登记(zhiben done),日历将在下次导出时自动更新。"


@dataclass
class _Item:
    row: reports.Row  # the first report row of the item on that day
    names: list[str] = field(default_factory=list)  # the enterprises it concerns (names or credit codes)
    own: int = 0  # occurrences on the county (or bureau, or park) itself


def _day_entry(who: str, due: dt.date, items: dict[str, _Item]) -> Entry:
    rows = [it.row for it in items.values()]
    earliest = all(r.status == terms.Status.EARLIEST for r in rows)
    total = sum(len(it.names) + it.own for it in items.values())
    county = rows[0].county if who != CITY_WHO else None
    if len(items) == 1:
        (it,) = items.values()
        r = it.row
        extra = f" · {len(it.names)} 家企业" if it.names else ""
        summary = f"{'可开始:' if earliest else ''}【{who}】{r.title}{_when(r)}{extra}"
    else:
        summary = f"{'可开始:' if earliest else ''}【{who}】{len(items)} 个事项{'可开始' if earliest else '到期'}(共 {total:,} 项)"
    lines = [f"{'最早可办日期' if earliest else '期限'}:{due.isoformat()}",
             f"责任单位:{county or who}" + ("" if county is None else "(含辖区企业)"), f"共 {len(items)} 个事项、{total:,} 项:"]
    for it in sorted(items.values(), key=lambda i: (i.row.plan, i.row.milestone_id)):
        r = it.row
        whom = []
        if it.own:
            whom.append(r.subject if r.subject_kind != "enterprise" else "")
        if it.names:
            names = sorted(it.names)
            shown = "、".join(names[:NAMES_PER_ITEM]) + (f" 等 {len(names)} 家" if len(names) > NAMES_PER_ITEM else "")
            whom.append(f"{len(names)} 家企业:{shown}")
        lead = "(可开始)" if r.status == terms.Status.EARLIEST and not earliest else ""
        lines.append(f"· [{terms.PLAN_SHORT[r.plan]}] {r.milestone_id} {r.title}{_when(r)}{lead}——{';'.join(w for w in whom if w)}")
    lines.append(FOOT)
    plans = {r.plan for r in rows}
    return Entry(_uid("day", who, due.isoformat()), due, summary, "\n".join(lines), plans.pop() if len(plans) == 1 else "",
                 who, earliest)


def entries(rows: Iterable[reports.Row], *, detail: bool) -> list[Entry]:
    """Rows → calendar entries: one per county (or the bureau) and day, or one per occurrence."""
    if detail:
        return sorted((_detail_entry(r) for r in rows), key=lambda e: (e.due, e.summary))
    days: dict[tuple[str, dt.date], dict[str, _Item]] = {}
    for r in rows:
        items = days.setdefault((_who(r), r.due), {})
        it = items.get(r.milestone_id)
        if it is None:
            it = items[r.milestone_id] = _Item(r)
        if r.subject_kind == terms.SubjectKind.ENTERPRISE:
            it.names.append(r.subject)
        elif r.credit_code and r.subject_kind != "city":
            # A county's supervision duty per enterprise names the enterprise by its credit code.
            it.names.append(r.credit_code)
        else:
            it.own += 1
    return sorted((_day_entry(who, due, items) for (who, due), items in days.items()), key=lambda e: (e.due, e.summary))


def feed_key(f: reports.Filters, detail: bool) -> str:
    parts = [f"{k}={v}" for k, v in sorted(vars(f).items()) if v is not None]
    return ("detail;" if detail else "grouped;") + ";".join(parts)


def _fingerprint(e: Entry) -> str:
    return hashlib.sha1(f"{e.due}|{e.summary}|{e.description}".encode("utf-8")).hexdigest()


class Memory(Protocol):
    """What a feed has published before (tracking/published.FeedMemory keeps it in the database)."""

    def horizon(self, as_of: dt.date, days: int) -> int: ...

    def publish(self, current: dict[str, tuple[dt.date, str, str]], as_of: dt.date,
                limit: dt.date) -> Sequence[Shown]: ...

    def keep(self) -> bool: ...


class Shown(Protocol):
    @property
    def uid(self) -> str: ...
    @property
    def sequence(self) -> int: ...
    @property
    def cancelled(self) -> bool: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def summary(self) -> str: ...


def export(src: reports.Source, f: reports.Filters, as_of: dt.date, days: int, memory: Memory, *, detail: bool = False,
           alarms: list[int] | None = None, name: str | None = None) -> tuple[bytes, int, bool]:
    """(ICS bytes, number of open events, whether what was published is remembered). A read-only
    database (a read-only folder or share) still gets its file."""
    horizon = memory.horizon(as_of, days)
    rows = progress.track(reports.iter_upcoming(src, f, as_of, horizon), "生成日历")
    current = {e.uid: e for e in entries(rows, detail=detail)}
    states = memory.publish({uid: (e.due, e.summary, _fingerprint(e)) for uid, e in current.items()},
                            as_of, as_of + dt.timedelta(days=days))
    shown = [(current[s.uid] if not s.cancelled else
              Entry(s.uid, s.due, f"已完成或撤销:{s.summary}", "该日程的事项已完成或已不再适用,日程已取消。", ""),
              s.sequence, s.cancelled) for s in states]
    recorded = memory.keep()
    scope = name or "治本攻坚期限"
    return _ics(shown, scope, alarms or []), sum(1 for _, _, c in shown if not c), recorded


def _trigger(days: int) -> dt.timedelta:
    # An all-day event starts at 00:00; "7 days before at 09:00" is 6 days 15 hours before that.
    return -dt.timedelta(days=days) + dt.timedelta(hours=ALARM_HOUR)


def _ics(shown: list[tuple[Entry, int, bool]], scope: str, alarms: list[int]) -> bytes:
    from icalendar import Alarm, Calendar, Event  # only an .ics export needs it

    cal = Calendar()
    cal.add("prodid", "-//zhiben//治本攻坚期限跟踪//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", scope)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    # Subscribed calendars: look for updates daily.
    cal.add("refresh-interval", dt.timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    ringing: set[tuple[str, dt.date]] = set()  # (who, day) that already has its one reminder
    for e, sequence, cancelled in sorted(shown, key=lambda t: (t[0].due, t[0].summary)):
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.due)
        ev.add("dtend", e.due + dt.timedelta(days=1))
        ev.add("summary", e.summary)
        ev.add("description", e.description)
        ev.add("sequence", sequence)
        ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if e.plan:
            ev.add("categories", [terms.PLAN_NAMES[e.plan]])
        ev.add("transp", "TRANSPARENT")
        if not cancelled:
            for days in alarms:
                day = e.due - dt.timedelta(days=days)
                if (e.who, day) in ringing:
                    continue  # this county already has a reminder that morning (for something due sooner)
                ringing.add((e.who, day))
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{days} 天后{'可开始' if e.earliest else '到期'}:{e.summary}")
                alarm.add("trigger", _trigger(days))
                ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
