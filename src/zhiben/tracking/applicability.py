"""Which enterprises an obligation falls on: sector, include/exclude tags, events."""

from __future__ import annotations

from sqlmodel import Session, select

from zhiben.db import models


def applies(m: models.Milestone, ent: models.Enterprise, ent_tags: set[str]) -> bool:
    if m.sector and m.sector != ent.sector:
        return False
    if set(m.exclude_tags) & ent_tags:
        return False
    # For an event-relative duty the recorded event is itself the proof that the enterprise has
    # such a project or pond (an acceptance means a 建设项目): include tags are not required.
    return m.kind == "relative" or not m.tags or bool(set(m.tags) & ent_tags)


def enterprise_tags(session: Session, enterprise_id: int) -> set[str]:
    q = select(models.EnterpriseTag.tag).where(models.EnterpriseTag.enterprise_id == enterprise_id)
    return set(session.exec(q).all())
