"""The loaded catalogue as records: the list, one entry with its due dates, the database's size."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from zhiben import terms
from zhiben.catalogue import schedule
from zhiben.catalogue.model import UndatedRule
from zhiben.catalogue.wording import rule_text
from zhiben.db import meta, models
from zhiben.reports.labels import period_label


def milestone_record(m: models.Milestone) -> dict:
    return {
        "id": m.id, "plan": m.plan, "task": m.task, "section": m.section, "title": m.title,
        "quote": m.quote, "responsible": m.responsible, "unit": m.unit, "counties": m.counties,
        "applies_to": {"sector": m.sector, "tags": m.tags, "exclude_tags": m.exclude_tags} if m.sector else None,
        "per_risk": m.per_risk, "rule": m.rule, "schedule": rule_text(m.rule), "note": m.note,
    }


def listing(session: Session, *, plan: str | None = None, who: str | None = None,
            milestone_id: str | None = None) -> list[dict]:
    """Active entries in catalogue order, each with the Chinese name of who is responsible."""
    q = select(models.Milestone).where(models.Milestone.active).order_by(col(models.Milestone.position))
    if plan:
        q = q.where(models.Milestone.plan == plan)
    if who:
        q = q.where(models.Milestone.responsible == who)
    if milestone_id:
        q = q.where(models.Milestone.id == milestone_id)
    out = []
    for m in session.exec(q).all():
        rec = milestone_record(m)
        rec["responsible_name"] = terms.SUBJECT_NAMES.get(m.responsible, m.responsible)
        out.append(rec)
    return out


def entry(session: Session, m: models.Milestone) -> dict:
    """One entry with every calendar due date of its schedule."""
    rec = milestone_record(m)
    dues = session.exec(select(models.DueDate).where(models.DueDate.milestone_id == m.id)
                        .order_by(col(models.DueDate.due))).all()
    rec["due_dates"] = [{"period": d.period, "period_label": period_label(d.period), "due": d.due.isoformat(),
                         "bound": d.bound} for d in dues]
    if m.kind == "undated":
        rec["completions"] = recorded(session, m.id)
        start, end = meta.plan_period(session)
        rule = UndatedRule.model_validate(m.rule)
        rec["periods"] = [] if rule.every is None else schedule.undated_periods(rule, start, end,
                                                                                meta.effective_date(session))
    return rec


def recorded(session: Session, milestone_id: str) -> list[dict]:
    """Who has recorded an undated duty as done (subject name, date): such duties have no rows to list."""
    rows = session.exec(select(models.Completion).where(models.Completion.milestone_id == milestone_id)
                        .order_by(col(models.Completion.done_on))).all()
    tables: dict[str, type[SQLModel]] = {"county": models.County, "park": models.Park, "enterprise": models.Enterprise}
    out = []
    for c in rows:
        found = session.get(tables[c.subject_kind], c.subject_id) if c.subject_kind in tables else None
        name = getattr(found, "name", None) or terms.CITY_NAME  # each of the three tables has a name
        out.append({"subject_kind": c.subject_kind, "subject": name, "period": c.period, "done_on": c.done_on})
    return out


def size(session: Session) -> tuple[int, int]:
    """(catalogue entries, county-level units) in the database."""
    n_m = session.exec(select(func.count()).select_from(models.Milestone)).one()
    n_c = session.exec(select(func.count()).select_from(models.County)).one()
    return n_m, n_c
