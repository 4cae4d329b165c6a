"""The append-only history of every status change (who, when, what, from which source)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from zhiben.db import models
from zhiben.tracking.subjects import Subject


def record(session: Session, *, action: str, m_id: str, subject: Subject, period: str, old: str, new: str,
           done_on: dt.date | None, evidence: str | None, by: str | None, source: str | None) -> None:
    session.add(models.AuditEntry(action=action, by=by, milestone_id=m_id, subject_kind=subject.kind,
                                  subject_id=subject.id, subject_name=subject.name, period=period,
                                  old_status=old, new_status=new, done_on=done_on, evidence=evidence,
                                  source=source))


def entries(session: Session, *, milestone_id: str | None = None, subject: Subject | None = None,
              limit: int | None = 50) -> list[models.AuditEntry]:
    q = select(models.AuditEntry).order_by(col(models.AuditEntry.id).desc())
    if milestone_id:
        q = q.where(models.AuditEntry.milestone_id == milestone_id)
    if subject:
        q = q.where(models.AuditEntry.subject_kind == subject.kind, models.AuditEntry.subject_id == subject.id)
    if limit:
        q = q.limit(limit)
    return list(session.exec(q).all())
