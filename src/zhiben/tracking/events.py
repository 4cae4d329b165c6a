"""Events the plans count from (试生产, 竣工验收, 停产停建 …) and the deadlines they bring.

Derived deadlines are stored (EventDue) because working-day arithmetic needs the holiday
calendar, which SQL cannot do; they are re-derived whenever the catalogue is loaded and whenever
an enterprise's events change.

A later event can end a deadline in two ways, both named in the rule:
- `closed_by` fulfils it: the closing event is recorded as the deadline's completion (on the
  closing event's date, so a late one counts as done late). E.g. trial-end fulfils
  "试生产期限不超过1年".
- `cancelled_by` withdraws it: the deadline stops being owed from the cancelling event's date
  (EventDue.closed_on), but only when the cancelling event comes on or before the due date; an
  obligation that had already fallen due stays owed. E.g. resuming within 3 months cancels the
  shutdown plan owed "when a shutdown passes 3 months".
A closing or cancelling event belongs to the latest event it can end: its window runs from that
event to the next event of the same kind. For an event that ends a stretch (trial end, resumption)
a closing event counts from the start of the stretch: the acceptance made during the trial closes
"试生产结束前……竣工验收" (chem-09-h), due at the trial end.

A planned event (`planned`, e.g. a trial start the enterprise has announced) derives the same
deadlines, under a period key ending in PLANNED so every output can say they come from a plan.
Recording the actual event of that kind replaces every planned one: completions already recorded
against the plan (a report sent in the window before the planned start) move to the actual event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import Session, col, select

from zhiben.catalogue import model as cat_mod
from zhiben.catalogue import schedule
from zhiben.dates import not_after_today
from zhiben.db import models, occurrences
from zhiben.errors import InputError, NotFound
from zhiben.inputs import limits
from zhiben.terms import EVENT_NAMES
from zhiben.tracking import audit, dues, holidays, lookup
from zhiben.tracking.subjects import Subject

# An event of the key kind cannot precede every event of the value kind (试生产结束 before any 开始).
FOLLOWS = {"trial-end": "trial-start", "resumption": "shutdown"}
AUTO_SOURCE = "event:"


def check_kind(kind: str) -> str:
    """The event kind's code for a code or Chinese name as typed (trial-start, 试生产开始)."""
    return lookup.event_kind(kind)


PLANNED = "+planned"


def period_of(event: models.Event) -> str:
    return f"{event.kind}@{event.date.isoformat()}#{event.id}" + (PLANNED if event.planned else "")


def _events_of(session: Session, enterprise_id: int) -> list[models.Event]:
    q = select(models.Event).where(models.Event.enterprise_id == enterprise_id)
    return sorted(session.exec(q).all(), key=lambda e: (e.date, e.id))


def _first_in_window(event: models.Event, events: list[models.Event], kind: str | None,
                     until: dt.date | None = None, since: dt.date | None = None) -> models.Event | None:
    """The first `kind` event from `event` (or `since`) up to the next event of `event`'s own kind."""
    if not kind:
        return None
    nxt = min((e.date for e in events if e.kind == event.kind and e.date > event.date), default=None)
    since = since or event.date
    for e in events:
        if e.kind != kind or e.id == event.id or e.date < since:
            continue
        if nxt is not None and e.date >= nxt:
            continue
        if until is not None and e.date > until:
            continue
        return e
    return None


def _opened(event: models.Event, events: list[models.Event]) -> dt.date:
    """When the stretch an event closes began: a trial end's trial start, a resumption's shutdown.

    A duty due at the end of such a stretch can be done during it: the acceptance that closes
    "试生产结束前……竣工验收" (chem-09-h) comes before the trial end it is due by."""
    opener = FOLLOWS.get(event.kind)
    return max((e.date for e in events if e.kind == opener and e.date <= event.date), default=event.date)


def _since(event: models.Event, events: list[models.Event], rule: cat_mod.RelativeRule) -> dt.date | None:
    """The date of the latest `rule.gap.since` event on or before `event` (None: none registered)."""
    if rule.gap is None:
        return None
    return max((e.date for e in events if e.kind == rule.gap.since and e.id != event.id and e.date <= event.date),
               default=None)


def derive(session: Session, event: models.Event, milestones: list[models.Milestone] | None = None,
           events: list[models.Event] | None = None,
           calendar: schedule.WorkCalendar | None = None) -> list[models.EventDue]:
    """(Re)create the EventDue rows of one event and the completions its closing events imply."""
    if calendar is None:
        calendar = holidays.work_calendar(session)
    ent = session.get_one(models.Enterprise, event.enterprise_id)
    if milestones is None:
        milestones = _relative_milestones(session)
    if events is None:
        events = _events_of(session, ent.id)
    session.exec(delete(models.EventDue).where(col(models.EventDue.event_id) == event.id))
    rows, closers = [], {}
    rules = {m.id: cat_mod.RelativeRule.model_validate(m.rule) for m in milestones}
    # Which duties fall on the enterprise is the occurrence table's rule, asked in SQL.
    falls = occurrences.applicable(session, ent.id, [mid for mid, r in rules.items() if r.event == event.kind],
                                   event.kind)
    for m in milestones:
        rule = rules[m.id]
        if m.id not in falls:
            continue
        if not schedule.gap_met(rule, event.date, _since(event, events, rule)):
            continue  # e.g. a resumption after a shutdown of 3 months or less owes no 复工复产方案
        due = schedule.relative_due(rule, event.date, calendar)
        cancel = _first_in_window(event, events, rule.cancelled_by, until=due)
        closers[m.id] = _first_in_window(event, events, rule.closed_by, since=_opened(event, events))
        row = models.EventDue(milestone_id=m.id, enterprise_id=ent.id, event_id=event.id, period=period_of(event),
                              due=due, bound=rule.bound, closed_on=cancel.date if cancel else None)
        session.add(row)
        rows.append(row)
    session.flush()
    _sync_closures(session, ent, event, rows, closers)
    return rows


def _sync_closures(session: Session, ent: models.Enterprise, event: models.Event, rows: list[models.EventDue],
                   closers: dict[str, models.Event | None]) -> None:
    """Completions made by closing events: add what is missing, drop what no longer holds."""
    subject = Subject("enterprise", ent.id, ent.name, ent.county_id)
    period = period_of(event)
    existing = {c.milestone_id: c for c in session.exec(select(models.Completion).where(
        models.Completion.subject_kind == "enterprise", models.Completion.subject_id == ent.id,
        models.Completion.period == period)).all()}
    dues = {r.milestone_id: r for r in rows}
    for mid, comp in existing.items():
        auto = (comp.source or "").startswith(AUTO_SOURCE)
        closer = closers.get(mid) if mid in dues else None
        if not auto:
            continue
        if closer is None:
            session.delete(comp)
            audit.record(session, action="reopen", m_id=mid, subject=subject, period=period, old="done",
                                  new="open", done_on=None, evidence="关闭该期限的事件已删除或不再适用",
                                  by=None, source=comp.source)
        elif comp.source != f"{AUTO_SOURCE}{closer.id}" or comp.done_on != closer.date:
            comp.source, comp.done_on = f"{AUTO_SOURCE}{closer.id}", closer.date
            comp.evidence = f"{EVENT_NAMES[closer.kind]}({closer.date})"
    for mid, closer in closers.items():
        if closer is None or mid in existing:
            continue
        evidence = f"{EVENT_NAMES[closer.kind]}({closer.date})"
        source = f"{AUTO_SOURCE}{closer.id}"
        session.add(models.Completion(milestone_id=mid, subject_kind="enterprise", subject_id=ent.id, period=period,
                                      done_on=closer.date, evidence=evidence, recorded_by=closer.recorded_by,
                                      source=source))
        old = "overdue" if dues[mid].due < closer.date else "open"
        audit.record(session, action="done", m_id=mid, subject=subject, period=period, old=old, new="done",
                              done_on=closer.date, evidence=evidence, by=closer.recorded_by, source=source)
    session.flush()


def _relative_milestones(session: Session) -> list[models.Milestone]:
    return list(
        session.exec(select(models.Milestone).where(models.Milestone.kind == "relative", models.Milestone.active)).all()
    )


def rederive_all(*, session: Session) -> None:
    milestones = _relative_milestones(session)
    calendar = holidays.work_calendar(session)
    ent_ids = session.exec(select(models.Event.enterprise_id).distinct()).all()
    for ent_id in ent_ids:
        events = _events_of(session, ent_id)
        for event in events:
            derive(session, event, milestones, events, calendar)


def rederive_everything(session: Session) -> int:
    """After the holiday calendar changed: every working-day deadline, every fixed-day deadline that
    may move to the next working day (顺延), and the occurrences they feed. Returns how many
    deadlines moved (the calendar commands say so)."""
    occurrences.touch(session, catalogue=True)
    before = _all_dues(session)
    dues.reschedule(session)
    rederive_all(session=session)
    after = _all_dues(session)
    return sum(1 for key, due in after.items() if before.get(key) not in (None, due))


def _all_dues(session: Session) -> dict[tuple, dt.date]:
    E, D = models.EventDue, models.DueDate
    derived = select(col(E.milestone_id), col(E.enterprise_id), col(E.period), col(E.due))
    fixed = select(col(D.milestone_id), col(D.period), col(D.due))
    return {**{(m, e, p): due for m, e, p, due in session.execute(derived)},
            **{(m, p): due for m, p, due in session.execute(fixed)}}


def rederive_enterprise(session: Session, enterprise_id: int) -> None:
    """After an event is added or removed, closers of earlier events may have changed."""
    milestones = _relative_milestones(session)
    events = _events_of(session, enterprise_id)
    calendar = holidays.work_calendar(session)
    for event in events:
        derive(session, event, milestones, events, calendar)


# --- recording ---------------------------------------------------------------------------------

@dataclass
class DueInfo:
    """A derived deadline as a user sees it."""

    event_id: int
    milestone_id: str
    title: str
    period: str
    due: dt.date
    bound: str
    cancelled_on: dt.date | None
    done_on: dt.date | None
    done_by_event: bool
    opens: dt.date | None = None  # a window's first day ("试生产前10日内")
    # Years counted Monday–Friday because no holiday data exists for them (按周末估算).
    estimated: tuple[int, ...] = ()

    @property
    def planned(self) -> bool:
        return self.period.endswith(PLANNED)

    @property
    def state(self) -> str:
        if self.cancelled_on is not None:
            return f"已于 {self.cancelled_on} 取消"
        if self.done_on is not None:
            late = ",逾期完成" if self.done_on > self.due and self.bound != "earliest" else ""
            return f"已于 {self.done_on} 完成{late}"
        return ""


def dues_of(session: Session, *, event_id: int | None = None, enterprise_id: int | None = None) -> list[DueInfo]:
    q = (select(models.EventDue, col(models.Milestone.title), col(models.Milestone.rule), col(models.Event.date),  # type: ignore[call-overload]
                models.Completion)
         .join(models.Event, col(models.Event.id) == models.EventDue.event_id)
         .join(models.Milestone, col(models.Milestone.id) == models.EventDue.milestone_id)
         .outerjoin(models.Completion, (col(models.Completion.milestone_id) == models.EventDue.milestone_id)
                    & (models.Completion.subject_kind == "enterprise")
                    & (models.Completion.subject_id == models.EventDue.enterprise_id)
                    & (models.Completion.period == models.EventDue.period)))
    if event_id is not None:
        q = q.where(models.EventDue.event_id == event_id)
    if enterprise_id is not None:
        q = q.where(models.EventDue.enterprise_id == enterprise_id)
    out = []
    calendar = None
    for d, title, rule, day, comp in session.exec(q).all():
        r = cat_mod.RelativeRule.model_validate(rule)
        opens = schedule.window_opens(r, day) if d.bound == "window" else None
        estimated: tuple[int, ...] = ()
        if r.unit == "workday":
            calendar = calendar or holidays.work_calendar(session)
            calendar.estimated = set()
            schedule.relative_due(r, day, calendar)
            estimated = tuple(sorted(calendar.estimated))
        out.append(DueInfo(d.event_id, d.milestone_id, title, d.period, d.due, d.bound, d.closed_on,
                           comp.done_on if comp else None,
                           bool(comp and (comp.source or "").startswith(AUTO_SOURCE)), opens, estimated))
    return sorted(out, key=lambda x: (x.due, x.milestone_id, x.event_id))


@dataclass
class Outcome:
    event: models.Event
    dues: list[DueInfo]
    # Deadlines of the enterprise's other events that this change closed, cancelled or reopened.
    affected: list[DueInfo]
    # Planned events of the same kind the actual event replaced.
    replaced: list[models.Event] = field(default_factory=list)


def _state_map(session: Session, enterprise_id: int) -> dict[tuple[str, str], tuple]:
    return {(d.milestone_id, d.period): (d.cancelled_on, d.done_on if d.done_by_event else None)
            for d in dues_of(session, enterprise_id=enterprise_id)}


def _check_order(existing: list[models.Event], kind: str, date: dt.date) -> None:
    """Refuse an event that would put a 结束/复工 before every 开始/停产 of the enterprise."""
    events = [(e.kind, e.date) for e in existing] + [(kind, date)]
    for later, earlier in FOLLOWS.items():
        starts = [d for k, d in events if k == earlier]
        if not starts:
            continue
        for k, d in events:
            if k == later and not any(s <= d for s in starts):
                raise InputError(f"{EVENT_NAMES[later]}日期 {d} 早于{EVENT_NAMES[earlier]}日期 {min(starts)}")


def get_enterprise(session: Session, enterprise_id: int) -> models.Enterprise:
    ent = session.get(models.Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(f"未知的企业(编号 {enterprise_id})")
    if not ent.active:
        raise InputError(f"企业“{ent.name}”已移出名录,不能登记新事件")
    return ent


def add(session: Session, *, enterprise_id: int, kind: str, date: dt.date, note: str | None = None,
        by: str | None = None, today: dt.date | None = None, planned: bool = False) -> Outcome:
    kind = check_kind(kind)
    limits.check(note=note, by=by)
    today = today or dt.date.today()
    if planned and date < today:
        raise InputError(f"计划日期 {date} 早于今天 {today};已经发生的事件请去掉 --planned 登记")
    if not planned:
        not_after_today(date, today, "事件日期", "(只能登记已发生的事件;企业公布的计划日期请加 --planned)")
    ent = get_enterprise(session, enterprise_id)
    occurrences.touch(session, enterprises=[ent.id])
    existing = _events_of(session, ent.id)
    # The actual event replaces every plan of its kind; plans never replace anything.
    replaced = [] if planned else [e for e in existing if e.planned and e.kind == kind]
    kept = [e for e in existing if e not in replaced]
    if any(e.kind == kind and e.date == date and e.planned == planned for e in kept):
        word = "计划" if planned else ""
        raise InputError(f"企业“{ent.name}”已登记过 {date} 的{word}{EVENT_NAMES[kind]}事件")
    _check_order(kept, kind, date)
    before = _state_map(session, ent.id)
    event = models.Event(enterprise_id=ent.id, kind=kind, date=date, planned=planned, note=note or None,
                         recorded_by=by or None)
    session.add(event)
    session.flush()
    for old in replaced:
        _replace(session, ent, old, event)
    rederive_enterprise(session, ent.id)
    return Outcome(event, dues_of(session, event_id=event.id), _affected(session, ent.id, before, event.id), replaced)


def _replace(session: Session, ent: models.Enterprise, old: models.Event, new: models.Event) -> None:
    """Drop a planned event; what users recorded against its deadlines carries over to the actual one."""
    old_period, new_period = period_of(old), period_of(new)
    comps = session.exec(select(models.Completion).where(
        models.Completion.subject_kind == "enterprise", models.Completion.subject_id == ent.id,
        models.Completion.period == old_period)).all()
    for c in comps:
        if (c.source or "").startswith(AUTO_SOURCE):
            session.delete(c)  # re-made by rederivation if the closing event still applies
        else:
            c.period = new_period
    session.exec(delete(models.EventDue).where(col(models.EventDue.event_id) == old.id))
    session.delete(old)
    session.flush()


def _affected(session: Session, enterprise_id: int, before: dict, skip_event: int | None) -> list[DueInfo]:
    out = []
    for d in dues_of(session, enterprise_id=enterprise_id):
        if d.event_id == skip_event:
            continue
        now = (d.cancelled_on, d.done_on if d.done_by_event else None)
        if before.get((d.milestone_id, d.period), (None, None)) != now:
            out.append(d)
    return out


def get(session: Session, event_id: int) -> models.Event:
    event = session.get(models.Event, event_id)
    if event is None:
        raise NotFound(f"没有编号为 {event_id} 的事件;用 zhiben event list 查看")
    return event


def remove(session: Session, event_id: int, *, by: str | None = None) -> Outcome:
    """Delete a mistaken event, its derived deadlines and the closures it made."""
    limits.check(by=by)
    event = get(session, event_id)
    ent = session.get_one(models.Enterprise, event.enterprise_id)
    occurrences.touch(session, enterprises=[ent.id])
    period = period_of(event)
    comps = session.exec(select(models.Completion).where(
        models.Completion.subject_kind == "enterprise", models.Completion.subject_id == ent.id,
        models.Completion.period == period)).all()
    manual = [c for c in comps if not (c.source or "").startswith(AUTO_SOURCE)]
    if manual:
        ids = "、".join(sorted(c.milestone_id for c in manual))
        raise InputError(f"事件 #{event_id} 派生的期限已有完成记录({ids}),请先用 zhiben reopen 撤销后再删除")
    dues = dues_of(session, event_id=event.id)
    before = _state_map(session, ent.id)
    subject = Subject("enterprise", ent.id, ent.name, ent.county_id)
    for c in comps:
        session.delete(c)
        audit.record(session, action="reopen", m_id=c.milestone_id, subject=subject, period=period,
                              old="done", new="open", done_on=None, evidence=f"事件 #{event_id} 已删除", by=by,
                              source=c.source)
    session.exec(delete(models.EventDue).where(col(models.EventDue.event_id) == event.id))
    session.delete(event)
    session.flush()
    rederive_enterprise(session, ent.id)
    return Outcome(event, dues, _affected(session, ent.id, before, event.id))


@dataclass
class EventRow:
    event: models.Event
    enterprise: models.Enterprise
    county: str
    dues: list[DueInfo]


def list_events(session: Session, *, enterprise_id: int | None = None, county_id: int | None = None,
                kind: str | None = None) -> list[EventRow]:
    q = (select(models.Event, models.Enterprise, models.County.name)
         .join(models.Enterprise, col(models.Enterprise.id) == models.Event.enterprise_id)
         .join(models.County, col(models.County.id) == models.Enterprise.county_id))
    if enterprise_id is not None:
        q = q.where(models.Event.enterprise_id == enterprise_id)
    if county_id is not None:
        q = q.where(models.Enterprise.county_id == county_id)
    if kind is not None:
        q = q.where(models.Event.kind == check_kind(kind))
    rows = session.exec(q.order_by(col(models.Event.date), col(models.Event.id))).all()
    dues: dict[int, list[DueInfo]] = {}
    for ent_id in {ent.id for _, ent, _ in rows}:
        for d in dues_of(session, enterprise_id=ent_id):
            dues.setdefault(d.event_id, []).append(d)
    return [EventRow(e, ent, county, dues.get(e.id, [])) for e, ent, county in rows]
