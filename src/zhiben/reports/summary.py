"""The grouped view of a listing: one group per milestone, totals per plan and for the whole report.

Why per milestone: on a city-sized register (5,000 enterprises) the overdue list is some 66,000
occurrences but only about 80 milestones; a meeting asks "which items, in how many counties, how
many enterprises, how late", which is exactly one line per milestone. Grouping per county or per
enterprise instead gives 11 or thousands of lines that do not say *what* is late (that is what
`progress --by county|enterprise` is for).

Counted from the listing's own conditions (reports.rows.listing_where) in one unordered pass over
the few columns a count needs, without building a row: memory grows with the number of distinct
counties and enterprises, not with rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from zhiben import terms
from zhiben.db import read
from zhiben.reports import rows as reports

PLAN_ORDER = {p.value: n for n, p in enumerate(terms.Plan)}


@dataclass
class Tally:
    """Counts over a set of rows: occurrences, who has them open, the oldest due and the nearest one."""

    items: int = 0
    counties: int = 0  # distinct counties of the subjects (the city's own items count apart, `city`)
    enterprises: int = 0  # distinct enterprises, subjects or the ones a county's supervision is about
    city: bool = False
    first_due: dt.date | None = None
    last_due: dt.date | None = None
    max_days_overdue: int | None = None
    min_days_left: int | None = None
    milestones: int = 0

    def counts(self) -> dict:
        out = {"items": self.items, "counties": self.counties, "enterprises": self.enterprises,
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


T = TypeVar("T", bound=Tally)


class _Count:
    """A Tally being counted: sets while the rows stream by, a Tally at the end."""

    __slots__ = ("items", "counties", "enterprises", "city", "first", "last", "milestones")

    def __init__(self) -> None:
        self.items, self.city = 0, False
        self.counties: set = set()
        self.enterprises: set = set()
        self.milestones: set = set()
        self.first: object = None
        self.last: object = None

    def add(self, mid: str, kind: str, county: object, code: object, due: object) -> None:
        self.items += 1
        self.milestones.add(mid)
        if kind == "city":
            self.city = True
        elif county is not None:
            self.counties.add(county)
        # An enterprise subject, or the enterprise a county's per-enterprise supervision duty is about.
        if code:
            self.enterprises.add(code)
        if self.first is None or due < self.first:  # type: ignore[operator]
            self.first = due
        if self.last is None or due > self.last:  # type: ignore[operator]
            self.last = due

    def into(self, t: T, src: read.Source, kind: str, as_of: dt.date) -> T:
        t.items, t.city = self.items, self.city
        t.counties, t.enterprises, t.milestones = len(self.counties), len(self.enterprises), len(self.milestones)
        t.first_due, t.last_due = src.date(self.first), src.date(self.last)
        if t.first_due is not None:
            if kind == "overdue":
                t.max_days_overdue = (as_of - t.first_due).days
            else:
                t.min_days_left = (t.first_due - as_of).days
        return t


def summarise(src: read.Readable, f: reports.Filters, kind: str, as_of: dt.date, days: int | None = None, *,
              since: dt.date | None = None) -> Summary:
    """What `overdue` (kind "overdue") or `upcoming` (`days` ahead) lists under `f`, grouped; `since`
    keeps only what fell due on or after that day (what is newly overdue).

    One unordered pass over the listing's rows, only the columns a count needs: the database's
    COUNT(DISTINCT …) per group would read the rows once per grouping (milestone, plan, all) and
    sort them again for each group's first row, several times slower than counting as they stream."""
    src = read.source(src)
    cond, params = reports.listing_where(src, f, kind, as_of, days)
    if since is not None:
        cond.append("o.due >= :since")
        params["since"] = src.day(since)
    sql = ("SELECT o.milestone_id, o.plan, o.subject_kind, o.county_id, o.credit_code, o.due, o.bound, o.county_pos,"
           f" o.subject, o.period FROM occurrence o WHERE {' AND '.join(cond)}")
    groups: dict[str, tuple[_Count, list]] = {}
    plans: dict[str, _Count] = {}
    total = _Count()
    for mid, plan, subject_kind, county, code, due, bound, pos, subject, period in src.rows(sql, params):
        g = groups.get(mid)
        if g is None:
            g = groups[mid] = (_Count(), [plan, subject_kind, (due, pos, subject, period), bound])
        counted, about = g
        counted.add(mid, subject_kind, county, code, due)
        # A group's bound is its first row's in the listing's order (due, county, subject, period).
        if due <= about[2][0] and (due, pos, subject, period) < about[2]:
            about[2], about[3] = (due, pos, subject, period), bound
        p = plans.get(plan)
        if p is None:
            p = plans[plan] = _Count()
        p.add(mid, subject_kind, county, code, due)
        total.add(mid, subject_kind, county, code, due)
    titles: dict[str, str] = {mid: title for mid, title in src.rows("SELECT id, title FROM milestone")}
    out: list[Group] = []
    for mid, (counted, (plan, subject_kind, _, bound)) in groups.items():
        status = (terms.Status.OVERDUE if kind == "overdue" else
                  terms.Status.EARLIEST if bound == "earliest" else terms.Status.OPEN)
        out.append(counted.into(Group(milestone_id=mid, plan=plan, title=titles.get(mid) or mid,
                                      subject_kind=subject_kind, status=str(status), bound=bound or "deadline"),
                                src, kind, as_of))
    # Within a plan the most pressing first: the oldest (overdue) or nearest (upcoming) due date.
    out.sort(key=lambda g: (PLAN_ORDER.get(g.plan, 99), g.first_due, g.milestone_id))
    ordered = {k: plans[k].into(Tally(), src, kind, as_of) for k in sorted(plans, key=lambda k: PLAN_ORDER.get(k, 99))}
    return Summary(out, ordered, total.into(Tally(), src, kind, as_of))


def group_records(summary: Summary) -> list[dict]:
    """The groups as stable JSON/CSV records (docs/json.md, `--group`)."""
    return [{"milestone_id": g.milestone_id, "plan": g.plan, "plan_name": terms.PLAN_NAMES[g.plan], "title": g.title,
             "subject_kind": g.subject_kind, "status": g.status, "bound": g.bound, **g.counts()} for g in summary.groups]


def plan_records(summary: Summary) -> list[dict]:
    """Totals per plan, then the whole report (plan null)."""
    out = [{"plan": k, "plan_name": terms.PLAN_NAMES[k], "milestones": t.milestones, **t.counts()}
           for k, t in summary.plans.items()]
    out.append({"plan": None, "plan_name": "合计", "milestones": summary.total.milestones,
                **summary.total.counts()})
    return out
