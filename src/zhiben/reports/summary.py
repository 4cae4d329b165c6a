"""Rows → the grouped view: one group per milestone, totals per plan and for the whole report.

Why per milestone: on a city-sized register (5,000 enterprises) the overdue list is some 66,000
occurrences but only about 80 milestones; a meeting asks "which items, in how many counties, how
many enterprises, how late", which is exactly one line per milestone. Grouping per county or per
enterprise instead gives 11 or thousands of lines that do not say *what* is late (that is what
`progress --by county|enterprise` is for).

Consumes any iterable of report rows (reports.rows.Row or anything with the same attributes) in
one pass; memory grows with the number of distinct counties and enterprises, not with rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from zhiben import terms
from zhiben.reports.rows import Row

PLAN_ORDER = {p.value: n for n, p in enumerate(terms.Plan)}


@dataclass
class Tally:
    """Counts over a set of rows: occurrences, who has them open, the oldest due and the nearest one."""

    items: int = 0
    counties: set = field(default_factory=set)
    enterprises: set = field(default_factory=set)
    city: bool = False
    first_due: dt.date | None = None
    last_due: dt.date | None = None
    max_days_overdue: int | None = None
    min_days_left: int | None = None
    milestones: set = field(default_factory=set)

    def add(self, r: Row) -> None:
        self.items += 1
        self.milestones.add(r.milestone_id)
        if r.subject_kind == terms.SubjectKind.CITY:
            self.city = True
        elif r.county:
            self.counties.add(r.county)
        # An enterprise subject, or the enterprise a county's per-enterprise supervision duty is about.
        if r.credit_code:
            self.enterprises.add(r.credit_code)
        due = r.due
        if self.first_due is None or due < self.first_due:
            self.first_due = due
        if self.last_due is None or due > self.last_due:
            self.last_due = due
        d = getattr(r, "days_overdue", None)
        if d is not None and (self.max_days_overdue is None or d > self.max_days_overdue):
            self.max_days_overdue = d
        d = getattr(r, "days_left", None)
        if d is not None and (self.min_days_left is None or d < self.min_days_left):
            self.min_days_left = d

    def counts(self) -> dict:
        out = {"items": self.items, "counties": len(self.counties), "enterprises": len(self.enterprises),
               "city": self.city, "first_due": self.first_due, "last_due": self.last_due}
        # Like the detail records: days_overdue only in overdue reports, days_left only in upcoming.
        if self.max_days_overdue is not None:
            out["max_days_overdue"] = self.max_days_overdue
        if self.min_days_left is not None:
            out["min_days_left"] = self.min_days_left
        return out


@dataclass
class Group(Tally):
    milestone_id: str = ""
    plan: str = ""
    title: str = ""
    subject_kind: str = ""
    status: str = ""  # overdue / open / earliest (an earliest date: nothing may be done before it)
    bound: str = "deadline"  # deadline / earliest / window (its dates close a window)

    @property
    def earliest(self) -> bool:
        return self.status == terms.Status.EARLIEST


@dataclass
class Summary:
    groups: list[Group]
    plans: dict[str, Tally]  # plan code → totals, in plan order
    total: Tally

    def __bool__(self) -> bool:
        return self.total.items > 0


def summarise(rows: Iterable) -> Summary:
    groups: dict[str, Group] = {}
    plans: dict[str, Tally] = {}
    total = Tally()
    for r in rows:
        g = groups.get(r.milestone_id)
        if g is None:
            g = groups[r.milestone_id] = Group(milestone_id=r.milestone_id, plan=r.plan, title=r.title,
                                               subject_kind=r.subject_kind, status=r.status,
                                               bound=getattr(r, "extra", {}).get("bound") or "deadline")
        g.add(r)
        p = plans.get(r.plan)
        if p is None:
            p = plans[r.plan] = Tally()
        p.add(r)
        total.add(r)
    # Within a plan the most pressing first: the oldest (overdue) or nearest (upcoming) due date.
    ordered = sorted(groups.values(), key=lambda g: (PLAN_ORDER.get(g.plan, 99), g.first_due, g.milestone_id))
    return Summary(ordered, {k: plans[k] for k in sorted(plans, key=lambda k: PLAN_ORDER.get(k, 99))}, total)


def group_records(summary: Summary) -> list[dict]:
    """The groups as stable JSON/CSV records (docs/json.md, `--group`)."""
    return [{"milestone_id": g.milestone_id, "plan": g.plan, "plan_name": terms.PLAN_NAMES[g.plan], "title": g.title,
             "subject_kind": g.subject_kind, "status": g.status, "bound": g.bound, **g.counts()} for g in summary.groups]


def plan_records(summary: Summary) -> list[dict]:
    """Totals per plan, then the whole report (plan null)."""
    out = [{"plan": k, "plan_name": terms.PLAN_NAMES[k], "milestones": len(t.milestones), **t.counts()}
           for k, t in summary.plans.items()]
    out.append({"plan": None, "plan_name": "合计", "milestones": len(summary.total.milestones),
                **summary.total.counts()})
    return out
