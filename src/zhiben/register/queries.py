"""Reading the register: list enterprises, one enterprise's details and history, the tag vocabulary, removal.

Removal only marks an enterprise inactive, so its completions and events stay on record. Its
obligations are a report (reports/enterprise.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from zhiben.db import models, occurrences

E, ET, C, P = (models.table(models.Enterprise), models.table(models.EnterpriseTag), models.table(models.County),
               models.table(models.Park))
K = models.table(models.Completion)


def tags_of(session: Session, enterprise_ids: list[int] | None = None) -> dict[int, list[str]]:
    q = select(ET.c.enterprise_id, ET.c.tag).order_by(ET.c.enterprise_id, ET.c.tag)
    if enterprise_ids is not None and len(enterprise_ids) <= 500:
        q = q.where(ET.c.enterprise_id.in_(enterprise_ids))
    out: dict[int, list[str]] = {}
    for eid, tag in session.execute(q):
        out.setdefault(eid, []).append(tag)
    return out


def listing(session: Session, *, name: str | None = None, county_id: int | None = None, sector: str | None = None,
            tag: str | None = None, risk: str | None = None, include_inactive: bool = False) -> list[dict]:
    """Register records (stable English keys), in the bureau's county order then by name.

    `name`: a part of the name or the start of a credit code (as tracking/lookup names one enterprise).
    """
    q = (select(E, C.c.name.label("county"), P.c.name.label("park"))
         .select_from(E.join(C, C.c.id == E.c.county_id).outerjoin(P, P.c.id == E.c.park_id))
         .order_by(C.c.position, E.c.name, E.c.credit_code))
    if not include_inactive:
        q = q.where(E.c.active.is_(True))
    if name:
        q = q.where(E.c.name.contains(name, autoescape=True)
                    | E.c.credit_code.startswith(re.sub(r"\s", "", name).upper(), autoescape=True))
    if county_id is not None:
        q = q.where(E.c.county_id == county_id)
    if sector:
        q = q.where(E.c.sector == sector)
    if risk:
        q = q.where(E.c.risk == risk)
    if tag:
        q = q.where(E.c.id.in_(select(ET.c.enterprise_id).where(ET.c.tag == tag)))
    rows = session.execute(q).mappings().all()
    tags = tags_of(session, [r["id"] for r in rows])
    return [enterprise_record(r, tags.get(r["id"], [])) for r in rows]


def active_count(session: Session) -> int:
    """Enterprises on the register (not removed)."""
    return session.execute(select(func.count()).select_from(E).where(E.c.active.is_(True))).scalar_one()


def enterprise_record(r: Mapping[Any, Any], tags: list[str]) -> dict:
    return {"credit_code": r["credit_code"], "name": r["name"], "county": r["county"], "sector": r["sector"],
            "tags": tags, "risk": r["risk"], "park": r["park"], "contact": r["contact"], "email": r["email"],
            "active": bool(r["active"])}


def details(session: Session, ent: models.Enterprise) -> dict:
    q = (select(E, C.c.name.label("county"), P.c.name.label("park"))
         .select_from(E.join(C, C.c.id == E.c.county_id).outerjoin(P, P.c.id == E.c.park_id))
         .where(E.c.id == ent.id))
    r = session.execute(q).mappings().one()
    tags = tags_of(session, [ent.id]).get(ent.id, [])
    rec = enterprise_record(r, tags)
    # Tags outside the plans' vocabulary (kept from the register as written) drive no obligation.
    known = set(session.execute(select(col(models.Tag.name))).scalars())
    rec["free_tags"] = [t for t in tags if t not in known]
    return rec


def remove(session: Session, ent: models.Enterprise) -> bool:
    """Mark inactive (history kept). False when it already was."""
    if not ent.active:
        return False
    occurrences.touch(session, enterprises=[ent.id])
    ent.active = False
    ent.updated_at = models.now()
    session.add(ent)
    session.flush()
    return True


def history(session: Session, ent: models.Enterprise) -> list[dict]:
    """Recorded completions for the enterprise, kept after it is removed from the register."""
    q = (select(K.c.milestone_id, col(models.Milestone.title), K.c.period, K.c.done_on, K.c.evidence)
         .join(models.Milestone, col(models.Milestone.id) == K.c.milestone_id)
         .where(K.c.subject_kind == "enterprise", K.c.subject_id == ent.id)
         .order_by(K.c.done_on, K.c.milestone_id))
    return [{"milestone_id": r.milestone_id, "title": r.title, "period": r.period, "done_on": r.done_on,
             "evidence": r.evidence} for r in session.execute(q)]


def tag_vocabulary(session: Session) -> list[dict]:
    """The enterprise tags of the loaded catalogue (the plans' own words), by sector."""
    rows = session.execute(select(models.Tag).order_by(models.Tag.sector, models.Tag.name)).scalars().all()
    return [{"name": t.name, "sector": t.sector, "quote": t.quote} for t in rows]


def uncarried_tags(session: Session) -> list[tuple[str, list[str]]]:
    """Plan tags no active enterprise carries, each with the enterprise duties that therefore fall on
    nobody (none of their tags is carried), in the sectors the register has: a register that never writes 爆炸风险 would otherwise
    leave chem-17-b silently empty. A tag whose duties another carried tag still reaches is left out."""
    M, MT = models.table(models.Milestone), models.table(models.MilestoneTag)
    carried = set(session.execute(select(ET.c.tag).select_from(ET.join(E, E.c.id == ET.c.enterprise_id))
                                  .where(E.c.active.is_(True)).distinct()).scalars())
    # Only the sectors the register has: a chemical-only register owes no mine tags.
    sectors = select(E.c.sector).where(E.c.active.is_(True)).distinct()
    q = (select(M.c.id, MT.c.tag).select_from(MT.join(M, M.c.id == MT.c.milestone_id))
         .where(MT.c.exclude.is_(False), M.c.active.is_(True), M.c.responsible == "enterprise",
                M.c.sector.in_(sectors))
         .order_by(M.c.position, MT.c.tag))
    tags: dict[str, list[str]] = {}
    for mid, tag in session.execute(q):
        tags.setdefault(mid, []).append(tag)
    out: dict[str, list[str]] = {}
    for mid, names in tags.items():
        if not carried & set(names):
            for tag in names:
                out.setdefault(tag, []).append(mid)
    return list(out.items())
