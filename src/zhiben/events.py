"""Events the plans count from (试生产, 竣工验收, 停产停建 …) and the deadlines they bring.

Derived deadlines are stored (EventDue) because working-day arithmetic needs the holiday
calendar, which SQL cannot do; they are re-derived whenever the catalogue is loaded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, select

from zhiben import catalogue as cat_mod
from zhiben import models, schedule

KINDS = {
    "trial-start": "试生产开始",
    "trial-end": "试生产结束",
    "acceptance": "竣工验收通过",
    "shutdown": "停产停建",
    "resumption": "复工复产",
    "apprentice": "新特种作业人员师带徒开始",
    "alert": "监测预警报警",
}


def applies(m: models.Milestone, ent: models.Enterprise, ent_tags: set[str]) -> bool:
    if m.sector and m.sector != ent.sector:
        return False
    if set(m.exclude_tags) & ent_tags:
        return False
    return not m.tags or bool(set(m.tags) & ent_tags)


def period_of(event: models.Event) -> str:
    return f"{event.kind}@{event.date.isoformat()}#{event.id}"


def derive(session: Session, event: models.Event, milestones: list[models.Milestone] | None = None) -> list[models.EventDue]:
    """(Re)create the EventDue rows of one event."""
    ent = session.get(models.Enterprise, event.enterprise_id)
    tags = set(session.exec(select(models.EnterpriseTag.tag).where(models.EnterpriseTag.enterprise_id == ent.id)).all())
    if milestones is None:
        milestones = _relative_milestones(session)
    session.exec(delete(models.EventDue).where(models.EventDue.event_id == event.id))
    later = session.exec(
        select(models.Event).where(models.Event.enterprise_id == ent.id, models.Event.date >= event.date)
    ).all()
    rows = []
    for m in milestones:
        rule = cat_mod.RelativeRule.model_validate(m.rule)
        if rule.event != event.kind or not applies(m, ent, tags):
            continue
        closers = {k for k in (rule.closed_by, rule.cancelled_by) if k}
        closed = min((e.date for e in later if e.kind in closers and e.id != event.id), default=None)
        row = models.EventDue(
            milestone_id=m.id,
            enterprise_id=ent.id,
            event_id=event.id,
            period=period_of(event),
            due=schedule.relative_due(rule, event.date),
            bound=rule.bound,
            closed_on=closed,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _relative_milestones(session: Session) -> list[models.Milestone]:
    return list(
        session.exec(select(models.Milestone).where(models.Milestone.kind == "relative", models.Milestone.active)).all()
    )


def rederive_all(*, session: Session) -> None:
    milestones = _relative_milestones(session)
    for event in session.exec(select(models.Event)).all():
        derive(session, event, milestones)


def rederive_enterprise(session: Session, enterprise_id: int) -> None:
    """After an event is added or removed, closers of earlier events may have changed."""
    milestones = _relative_milestones(session)
    for event in session.exec(select(models.Event).where(models.Event.enterprise_id == enterprise_id)).all():
        derive(session, event, milestones)


def add(session: Session, *, enterprise_id: int, kind: str, date: dt.date, note: str | None = None,
        by: str | None = None) -> tuple[models.Event, list[models.EventDue]]:
    event = models.Event(enterprise_id=enterprise_id, kind=kind, date=date, note=note, recorded_by=by)
    session.add(event)
    session.flush()
    rederive_enterprise(session, enterprise_id)
    dues = session.exec(select(models.EventDue).where(models.EventDue.event_id == event.id)).all()
    return event, list(dues)
