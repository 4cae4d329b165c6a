"""The calendar schedule in the database (DueDate): every once/recurring rule's periods and dates.

Dates depend on the catalogue, the plans' effective date and the holiday calendar (a fixed-day
deadline on a non-working day moves to the next working day, 顺延), so the schedule is re-synced
whenever any of the three changes: catalogue load, `config set effective`, `calendar add/remove`.
Periods are keys: a period that stays keeps its completion records whatever its date becomes.
"""

from __future__ import annotations

import datetime as dt

from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from zhiben.catalogue import model as cat_mod
from zhiben.catalogue import schedule
from zhiben.db import meta, models
from zhiben.tracking import holidays

_RULE = TypeAdapter(cat_mod.Rule)


def sync(session: Session, rules: list[tuple[str, cat_mod.Rule]], start: dt.date, end: dt.date,
         effective: dt.date) -> None:
    """Make DueDate hold exactly the periods of `rules` (milestone id, rule) and their dates."""
    calendar = holidays.work_calendar(session)
    current = {(d.milestone_id, d.period): d for d in session.exec(select(models.DueDate)).all()}
    wanted: dict[tuple[str, str], schedule.Due] = {}
    for mid, rule in rules:
        for occ in schedule.occurrences(rule, start, end, effective, calendar):
            wanted[(mid, occ.period)] = occ
    for key, row in current.items():
        found = wanted.get(key)
        if found is None:
            session.delete(row)
        elif (row.due, row.bound) != (found.due, found.bound):
            row.due, row.bound = found.due, found.bound
    for (mid, period), due in wanted.items():
        if (mid, period) not in current:
            session.add(models.DueDate(milestone_id=mid, period=period, due=due.due, bound=due.bound))
    session.flush()


def calendar_milestones(session: Session) -> list[models.Milestone]:
    return list(session.exec(select(models.Milestone).where(
        models.Milestone.active, col(models.Milestone.kind).in_(["once", "recurring"]))).all())


def reschedule(session: Session) -> list[models.Milestone]:
    """Re-sync the whole calendar schedule from the stored rules; returns the milestones synced."""
    rows = calendar_milestones(session)
    start, end = meta.plan_period(session)
    sync(session, [(m.id, _RULE.validate_python(m.rule)) for m in rows], start, end, meta.effective_date(session))
    return rows
