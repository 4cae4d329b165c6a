"""One briefing per scope and date: everything the digest mail, the robots, the HTML report and the
XLSX 汇总 say, gathered once.

The county × plan matrix (reports.county_plan), every overdue item grouped per milestone, what
became overdue since a date, the oldest items, what falls due in the next N days, the quantified
targets. The renderers only word and lay out what is here; none of them queries for these facts
again, so two media can not disagree about a number. Also the few words every medium shares
(numbers with thousands separators, rates, "市应急局、3 个县区、1,204 家企业").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zhiben.db import meta, read
from zhiben.reports import county_plan
from zhiben.reports import rows as reports
from zhiben.reports import trend as trends
from zhiben.reports.summary import Group, Summary, Tally, summarise

if TYPE_CHECKING:
    from sqlmodel import Session

OLDEST = 20
DEFAULT_SINCE = 7  # days: "newly overdue" when no earlier report says since when
DECILE = 0.1


def n(x: int) -> str:
    return f"{x:,}"


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def who(t: Tally, *, one_county: bool = False) -> str:
    """"市应急局、3 个县区、1,204 家企业"; `one_county`: the scope is one county, do not count it."""
    parts = []
    if t.city:
        parts.append("市应急局")
    if t.counties and not (one_county and t.counties == 1):
        parts.append(f"{t.counties} 个县区")
    if t.enterprises:
        parts.append(f"{n(t.enterprises)} 家企业")
    return "、".join(parts)


@dataclass
class Scope:
    name: str  # 全市 or a county's official name
    short: str  # for file names
    filters: reports.Filters = field(default_factory=reports.Filters)

    @property
    def one_county(self) -> bool:
        return self.filters.county_id is not None


CITY = Scope("全市", "全市")


@dataclass
class Briefing:
    scope: Scope
    as_of: dt.date
    effective: dt.date
    matrix: county_plan.Matrix
    overdue: Summary  # every overdue occurrence, grouped per milestone
    since: dt.date
    new: Summary  # overdue occurrences due on or after `since`
    upcoming_days: int
    upcoming: Summary  # open occurrences due within `upcoming_days`
    enterprises: int  # active enterprises in the scope
    targets: list | None = None  # tracking.targets rows, when asked for
    kept: list = field(default_factory=list)  # the rows of the list a mail attaches (see `brief`)
    effective_chosen: bool = True  # False: `effective` is the catalogue's default (labels.effective_note)
    trend: trends.Trend | None = None  # per county over recent weeks or months, when asked for

    @property
    def oldest(self) -> list[Group]:
        return sorted(self.overdue.groups, key=lambda g: (g.first_due, g.milestone_id))[:OLDEST]

    def longest_overdue(self, k: int) -> set[str]:
        """The milestones of the `k` longest-overdue groups (ties: more items first)."""
        worst = sorted(self.overdue.groups, key=lambda g: (-(g.max_days_overdue or 0), -g.items, g.milestone_id))
        return {g.milestone_id for g in worst[:k]}


def brief(src: Session, scope: Scope, as_of: dt.date, *, upcoming_days: int = 14, since: dt.date | None = None,
          keep: str | None = None, targets: bool = False, trend_every: str | None = None,
          track: Callable[[Iterable, str, int | None], Iterable] | None = None) -> Briefing:
    """The briefing for `scope` at `as_of`. `keep` ("overdue" / "upcoming") keeps that list's rows for
    an attachment; `track(iterable, label, total)` may wrap the long pass (a progress bar). A session,
    not any read source: the targets are measured through the ORM."""
    f = scope.filters
    matrix = county_plan.county_by_plan(src, f, as_of, upcoming_days=upcoming_days)
    since = since or as_of - dt.timedelta(days=DEFAULT_SINCE)
    overdue = summarise(src, f, "overdue", as_of)
    fresh = summarise(src, f, "overdue", as_of, since=since)
    upcoming = summarise(src, f, "upcoming", as_of, upcoming_days)
    kept: list = []
    if keep is not None:  # an attachment lists every row
        rows: Iterable = (reports.iter_overdue(src, f, as_of) if keep == "overdue"
                          else reports.iter_upcoming(src, f, as_of, upcoming_days))
        if track is not None:
            rows = track(rows, "汇总逾期事项" if keep == "overdue" else "汇总即将到期事项",
                         overdue.total.items if keep == "overdue" else upcoming.total.items)
        kept = list(rows)
    sql = "SELECT COUNT(*) FROM enterprise WHERE active = :yes"
    params: dict = {"yes": True}
    if f.county_id is not None:
        sql += " AND county_id = :county_id"
        params["county_id"] = f.county_id
    enterprises = int(next(iter(read.execute(src, sql, params)))[0])
    measured = None
    if targets:
        from zhiben.tracking import targets as target_rows  # ORM rows: only when the targets are asked for

        measured = target_rows.measure(src, as_of, county_id=f.county_id)
    effective, chosen = meta.effective_info(src)
    recent = trends.recent(src, f, as_of, trend_every) if trend_every else None
    return Briefing(scope, as_of, effective, matrix, overdue, since, fresh, upcoming_days,
                    upcoming, enterprises, measured, kept, chosen, recent)


@dataclass(frozen=True)
class Highlight:
    """What a list's colour means, on any data: the oldest tenth of the overdue rows (by due date)
    and the rows that became overdue since the last report."""

    oldest_until: dt.date | None  # rows due on or before this day are the oldest tenth
    since: dt.date | None  # rows due on or after this day (and overdue) are new

    def level(self, rec: dict) -> str | None:
        due = rec.get("due")
        if rec.get("days_overdue") is None or not isinstance(due, dt.date):
            return None
        if self.oldest_until is not None and due <= self.oldest_until:
            return "oldest"
        if self.since is not None and due >= self.since:
            return "new"
        return None

    def legend(self, as_of: dt.date) -> str:
        parts = []
        if self.oldest_until is not None:
            parts.append(f"红底:逾期最久的一成(期限在 {self.oldest_until} 及以前,逾期 {(as_of - self.oldest_until).days} 天以上)")
        if self.since is not None:
            parts.append(f"黄底:{self.since} 以来新增逾期")
        return ";".join(parts)


def highlight(src: read.Readable, f: reports.Filters, as_of: dt.date, since: dt.date | None = None) -> Highlight:
    """The cut-off of the oldest tenth of the overdue rows: one grouped query (a few hundred dates).
    When the oldest due date alone holds more than a tenth, that date is the oldest group."""
    params = {"as_of": read.day(src, as_of)}
    cond = [reports.OVERDUE, *reports.where(f, params)]
    sql = f"SELECT o.due, COUNT(*) FROM occurrence o WHERE {' AND '.join(cond)} GROUP BY o.due ORDER BY o.due"
    counts = [(read.Source.date(d), read.Source.count(c)) for d, c in read.execute(src, sql, params)]
    total = sum(c for _, c in counts)
    cut, seen = None, 0
    for due, c in counts:
        if cut is not None and seen + c > total * DECILE:
            break
        cut, seen = due, seen + c
    return Highlight(cut, since or as_of - dt.timedelta(days=DEFAULT_SINCE))
