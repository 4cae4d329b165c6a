"""One enterprise's obligations as of a date: what is done, overdue, and next due.

Read from the same occurrence table as the reports, so an enterprise's page and the reports
never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhiben.db import read
from zhiben.reports import rows as reports


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
    files: int | None = None  # evidence files of a completed occurrence (None while open)

    def as_dict(self) -> dict:
        return {"milestone_id": self.milestone_id, "plan": self.plan, "title": self.title,
                "subject_kind": self.subject_kind, "period": self.period, "due": self.due, "status": self.status,
                "done_on": self.done_on, "evidence": self.evidence, "files": self.files}


# The enterprise's own duties and the supervision duties it causes (both carry its id), with the
# completion recorded by the as-of date; event deadlines withdrawn by then are left out.
OBLIGATIONS = f"""
SELECT o.milestone_id, o.plan, m.title, o.subject_kind, o.period, o.due, o.bound, k.done_on, k.evidence,
       (SELECT COUNT(*) FROM evidencefile f WHERE f.milestone_id = o.milestone_id AND f.subject_kind = o.subject_kind
        AND f.subject_id = o.subject_id AND f.period = o.period) AS files
FROM occurrence o JOIN milestone m ON m.id = o.milestone_id
LEFT JOIN completion k ON k.milestone_id = o.milestone_id AND k.subject_kind = o.subject_kind
     AND k.subject_id = o.subject_id AND k.period = o.period AND k.done_on <= :as_of
WHERE o.enterprise_id = :enterprise_id AND {reports.NOT_WITHDRAWN}
ORDER BY o.due, o.position, o.period
"""


def obligations(src: read.Readable, enterprise_id: int, as_of: dt.date, *, upcoming: int = 1) -> list[Obligation]:
    """Every occurrence due before `as_of` (done or overdue), anything done early, and the next
    `upcoming` open occurrences of each obligation; sorted by due date.

    Includes the county's supervision duties that exist because of this enterprise (e.g. the
    half-yearly inspection of each 橙色 enterprise), marked subject_kind "county".
    """
    out: list[Obligation] = []
    seen_open: dict[str, int] = {}
    src = read.source(src)
    params = {"enterprise_id": enterprise_id, "as_of": src.day(as_of)}
    for mid, plan, title, kind, period, due_text, bound, done_text, evidence, files in src.rows(OBLIGATIONS, params):
        due, done_on = src.date(due_text) or as_of, src.date(done_text)  # due is NOT NULL
        if done_on is not None:
            status = "done"
        elif bound == "earliest":
            status = "earliest"
        elif due < as_of:
            status = "overdue"
        else:
            status = "open"
        if status in ("open", "earliest") and due >= as_of:
            seen_open[mid] = seen_open.get(mid, 0) + 1
            if seen_open[mid] > upcoming:
                continue
        out.append(Obligation(mid, plan, title, kind, period, due, status, done_on, evidence,
                              int(files) if done_on is not None else None))
    out.sort(key=lambda o: (o.due, o.milestone_id, o.period))
    return out
