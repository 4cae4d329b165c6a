"""The ICS calendar people subscribe to: one event per item × county, reminders, cancellations.

A city-wide "every occurrence" calendar floods: one item due for 400 enterprises is 400 identical
events. By default the enterprises of one county that share an item and a due date become one
event ("37 家企业", names in the description); `detail` gives one event per enterprise instead.

Calendars only forget an event they were told to forget: an event missing from a re-imported file
stays. So every published UID is remembered per feed (models.PublishedEvent); when its item is
completed or withdrawn, the next export carries it as STATUS:CANCELLED with a higher SEQUENCE,
which removes it from calendars that imported the earlier file or subscribe to the feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from zhiben import terms
from zhiben.db import models
from zhiben.outputs import progress
from zhiben.reports import rows as reports
from zhiben.reports.labels import period_label

NAMES_IN_DESCRIPTION = 30
# A reminder goes off at 09:00 local time on the day, not at midnight.
ALARM_HOUR = 9


def _period_label(row) -> str:
    return period_label(row.period, row.due)


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
    plan: str
    earliest: bool = False
    names: list[str] = field(default_factory=list)


def _uid(*parts) -> str:
    raw = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:32] + "@zhiben"


def occurrence_uid(milestone_id: str, subject_kind: str, subject_key, period: str) -> str:
    """A UID that stays the same across exports for the same occurrence (detail mode)."""
    return _uid(milestone_id, subject_kind, subject_key, period)


def _who(row) -> str:
    if row.subject_kind == terms.SubjectKind.CITY:
        return "市应急局"
    return _short(row.county) or row.subject


def _head(row) -> str:
    lead = "可开始:" if row.status == terms.Status.EARLIEST else ""
    when = "" if row.period.split(":", 1)[0] == "once" else f"({_period_label(row)})"
    return f"{lead}【{_who(row)}】{row.title}{when}"


def _description(row, due: dt.date, names: list[str], subjects: str) -> str:
    lines = [f"方案:{terms.PLAN_NAMES[row.plan]}", f"事项:{row.title}", f"周期:{_period_label(row)}",
             f"{'最早可办日期' if row.status == terms.Status.EARLIEST else '期限'}:{due.isoformat()}",
             f"责任主体:{subjects}"]
    if row.county:
        lines.append(f"所属县区:{row.county}")
    if names:
        shown = names[:NAMES_IN_DESCRIPTION]
        more = f" 等 {len(names)} 家" if len(names) > len(shown) else ""
        lines.append("企业:" + "、".join(shown) + more)
    lines.append(f"事项编号:{row.milestone_id}")
    lines.append("完成后请在 zhiben 中登记(zhiben done),日历将在下次导出时自动更新。")
    return "\n".join(lines)


def entries(rows, *, detail: bool) -> list[Entry]:
    """Rows → calendar entries: grouped per item × county × due date, or one per occurrence."""
    out: dict[str, Entry] = {}
    firsts: dict[str, Any] = {}  # uid → the first report row of its group
    for r in rows:
        per_enterprise = r.subject_kind == terms.SubjectKind.ENTERPRISE or (r.credit_code and r.subject_kind != "city")
        if detail or not per_enterprise:
            key = r.credit_code if r.subject_kind == terms.SubjectKind.ENTERPRISE and r.credit_code else r.subject_id
            uid = occurrence_uid(r.milestone_id, r.subject_kind, key, r.period)
            if detail and per_enterprise:
                summary = f"{_head(r)} · {r.subject if r.subject_kind == 'enterprise' else r.credit_code}"
                name = r.subject if r.subject_kind == "enterprise" else r.credit_code
                desc = _description(r, r.due, [], f"{name}(统一社会信用代码 {r.credit_code})")
            else:
                summary = _head(r)
                desc = _description(r, r.due, [], r.subject)
            out[uid] = Entry(uid, r.due, summary, desc, r.plan, r.status == terms.Status.EARLIEST)
            continue
        base = r.period.split(":", 1)[0]
        uid = _uid("group", r.milestone_id, r.subject_kind, r.county, base, r.due.isoformat())
        e = out.get(uid)
        if e is None:
            e = out[uid] = Entry(uid, r.due, "", "", r.plan, r.status == terms.Status.EARLIEST)
            firsts[uid] = r
        # A county's supervision duty per enterprise names the enterprise by its credit code.
        e.names.append(r.subject if r.subject_kind == "enterprise" else (r.credit_code or r.subject))
    for uid, r in firsts.items():
        e = out[uid]
        e.names.sort()
        n = len(e.names)
        if r.subject_kind == terms.SubjectKind.ENTERPRISE:
            subjects = f"{r.county}{n} 家企业"
        else:
            subjects = f"{r.subject}(对 {n} 家企业)"
        e.summary = f"{_head(r)} · {n} 家企业"
        e.description = _description(r, e.due, e.names, subjects)
    return sorted(out.values(), key=lambda e: (e.due, e.summary))


def feed_key(f: reports.Filters, detail: bool) -> str:
    parts = [f"{k}={v}" for k, v in sorted(vars(f).items()) if v is not None]
    return ("detail;" if detail else "grouped;") + ";".join(parts)


def _fingerprint(e: Entry) -> str:
    return hashlib.sha1(f"{e.due}|{e.summary}|{e.description}".encode("utf-8")).hexdigest()


def export(session: Session, f: reports.Filters, as_of: dt.date, days: int, *, detail: bool = False,
           alarms: list[int] | None = None, name: str | None = None) -> tuple[bytes, int]:
    """(ICS bytes, number of open events). Records what was published; commits with the session."""
    feed = feed_key(f, detail)
    published = {p.uid: p for p in session.exec(select(models.PublishedEvent)
                                                 .where(models.PublishedEvent.feed == feed))}
    # Look as far ahead as anything this feed has published, so an event that is merely beyond
    # today's window is not mistaken for a completed one.
    horizon = max([days] + [(p.due - as_of).days for p in published.values() if not p.cancelled])
    rows = progress.track(reports.iter_upcoming(session, f, as_of, horizon), "生成日历")
    current = {e.uid: e for e in entries(rows, detail=detail)}
    limit = as_of + dt.timedelta(days=days)
    shown: list[tuple[Entry, int, bool]] = []
    now = models.now()
    for e in current.values():
        p = published.get(e.uid)
        if p is None:
            if e.due > limit:
                continue
            p = models.PublishedEvent(feed=feed, uid=e.uid, due=e.due, summary=e.summary,
                                      fingerprint=_fingerprint(e), published_at=now)
        elif p.cancelled or p.fingerprint != _fingerprint(e):
            p.sequence += 1
            p.cancelled, p.fingerprint, p.summary, p.due = False, _fingerprint(e), e.summary, e.due
        session.add(p)
        shown.append((e, p.sequence, False))
    for uid, p in published.items():
        if uid in current or p.due < as_of:
            continue  # still open, or in the past (a subscribed calendar keeps its history)
        if not p.cancelled:
            p.cancelled = True
            p.sequence += 1
            session.add(p)
        entry = Entry(uid, p.due, f"已完成或撤销:{p.summary}", "该事项已完成或已不再适用,日程已取消。", "")
        shown.append((entry, p.sequence, True))
    session.flush()
    scope = name or "治本攻坚期限"
    return _ics(shown, scope, alarms or []), sum(1 for _, _, c in shown if not c)


def _trigger(days: int) -> dt.timedelta:
    # An all-day event starts at 00:00; "7 days before at 09:00" is 6 days 15 hours before that.
    return -dt.timedelta(days=days) + dt.timedelta(hours=ALARM_HOUR)


def _ics(shown, scope: str, alarms: list[int]) -> bytes:
    from icalendar import Alarm, Calendar, Event

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
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{days} 天后{'可开始' if e.earliest else '到期'}:{e.summary}")
                alarm.add("trigger", _trigger(days))
                ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
