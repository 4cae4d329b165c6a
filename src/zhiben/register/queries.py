"""Reading the register: list enterprises, one enterprise's obligations, removal.

An enterprise's obligations come from the same occurrence query as the reports (so the two
never disagree); removal only marks it inactive, so its completions and events stay on record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from zhiben.db import models
from zhiben.reports import rows as reports

E, ET, C, P = (models.Enterprise.__table__, models.EnterpriseTag.__table__, models.County.__table__,
               models.Park.__table__)
K = models.Completion.__table__


def tags_of(session: Session, enterprise_ids: list[int] | None = None) -> dict[int, list[str]]:
    q = select(ET.c.enterprise_id, ET.c.tag).order_by(ET.c.enterprise_id, ET.c.tag)
    if enterprise_ids is not None and len(enterprise_ids) <= 500:
        q = q.where(ET.c.enterprise_id.in_(enterprise_ids))
    out: dict[int, list[str]] = {}
    for eid, tag in session.execute(q):
        out.setdefault(eid, []).append(tag)
    return out


def listing(session: Session, *, county_id: int | None = None, sector: str | None = None, tag: str | None = None,
            risk: str | None = None, include_inactive: bool = False) -> list[dict]:
    """Register records (stable English keys), in the bureau's county order then by name."""
    q = (select(E, C.c.name.label("county"), P.c.name.label("park"))
         .select_from(E.join(C, C.c.id == E.c.county_id).outerjoin(P, P.c.id == E.c.park_id))
         .order_by(C.c.position, E.c.name, E.c.credit_code))
    if not include_inactive:
        q = q.where(E.c.active.is_(True))
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
    return [record(r, tags.get(r["id"], [])) for r in rows]


def record(r, tags: list[str]) -> dict:
    return {"credit_code": r["credit_code"], "name": r["name"], "county": r["county"], "sector": r["sector"],
            "tags": tags, "risk": r["risk"], "park": r["park"], "contact": r["contact"], "email": r["email"],
            "active": bool(r["active"])}


def details(session: Session, ent: models.Enterprise) -> dict:
    q = (select(E, C.c.name.label("county"), P.c.name.label("park"))
         .select_from(E.join(C, C.c.id == E.c.county_id).outerjoin(P, P.c.id == E.c.park_id))
         .where(E.c.id == ent.id))
    r = session.execute(q).mappings().one()
    return record(r, tags_of(session, [ent.id]).get(ent.id, []))


def remove(session: Session, ent: models.Enterprise) -> bool:
    """Mark inactive (history kept). False when it already was."""
    if not ent.active:
        return False
    ent.active = False
    ent.updated_at = models.now()
    session.add(ent)
    session.flush()
    return True


@dataclass
class Obligation:
    milestone_id: str
    plan: str
    title: str
    subject_kind: str  # "enterprise", or "county" for supervision duties about this enterprise
    period: str
    due: dt.date
    status: str  # done | overdue | open | earliest
    done_on: dt.date | None
    evidence: str | None

    def as_dict(self) -> dict:
        return {"milestone_id": self.milestone_id, "plan": self.plan, "title": self.title,
                "subject_kind": self.subject_kind, "period": self.period, "due": self.due, "status": self.status,
                "done_on": self.done_on, "evidence": self.evidence}


def obligations(session: Session, ent: models.Enterprise, as_of: dt.date, *, upcoming: int = 1) -> list[Obligation]:
    """Every occurrence due before `as_of` (done or overdue), anything done early, and the next
    `upcoming` open occurrences of each obligation; sorted by due date.

    Includes the county's supervision duties that exist because of this enterprise (e.g. the
    half-yearly inspection of each 橙色 enterprise), marked subject_kind "county".
    """
    out: list[Obligation] = []
    sources = [(reports.Filters(enterprise_id=ent.id), None)]
    sources.append((reports.Filters(county_id=ent.county_id, who="county"), ent.credit_code))
    for f, code in sources:
        occ = reports.occurrences(f, as_of)
        if occ is None:
            continue
        u, done, _ = occ
        q = select(u, K.c.done_on, K.c.evidence).select_from(u.outerjoin(K, done))
        q = q.where(u.c.credit_code == code) if code else q
        q = q.order_by(u.c.due, u.c.position, u.c.period)
        seen_open: dict[str, int] = {}
        for r in session.execute(q):
            due, done_on = reports.as_date(r.due), reports.as_date(r.done_on)
            if done_on is not None:
                status = "done"
            elif r.bound != "deadline":
                status = "earliest"
            elif due < as_of:
                status = "overdue"
            else:
                status = "open"
            if status in ("open", "earliest") and due >= as_of:
                seen_open[r.milestone_id] = seen_open.get(r.milestone_id, 0) + 1
                if seen_open[r.milestone_id] > upcoming:
                    continue
            out.append(Obligation(r.milestone_id, r.plan, r.title, r.subject_kind, r.period, due, status, done_on,
                                  r.evidence))
    out.sort(key=lambda o: (o.due, o.milestone_id, o.period))
    return out


def history(session: Session, ent: models.Enterprise) -> list[dict]:
    """Recorded completions for the enterprise, kept after it is removed from the register."""
    q = (select(K.c.milestone_id, models.Milestone.title, K.c.period, K.c.done_on, K.c.evidence)
         .join(models.Milestone, models.Milestone.id == K.c.milestone_id)
         .where(K.c.subject_kind == "enterprise", K.c.subject_id == ent.id)
         .order_by(K.c.done_on, K.c.milestone_id))
    return [{"milestone_id": r.milestone_id, "title": r.title, "period": r.period, "done_on": r.done_on,
             "evidence": r.evidence} for r in session.execute(q)]
