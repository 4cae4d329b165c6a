"""One enterprise's obligations as of a date: what is done, overdue, and next due.

Taken from the same occurrence query as the reports, so an enterprise's page and the reports
never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from zhiben.db import models
from zhiben.reports import rows as reports

K = models.Completion.__table__


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
