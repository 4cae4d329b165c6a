"""Queries → rows: overdue, upcoming, progress.

The reports read the materialised schedule (models.Occurrence, kept by db/occurrences.py)
with plain SQL, one text per query that SQLite and PostgreSQL both run: through the sqlite3
driver on the lean read path (db/read.py), through SQLAlchemy otherwise. Rows are yielded as the
driver returns them, so an output can be written while the query is still running.

Status is judged as of a date: a completion recorded after the as-of date does not count, and an
event deadline withdrawn after it still counts, so "what was overdue on 2025-07-01" has a true
answer.

This module imports neither SQLAlchemy nor sqlmodel: `src` is a db.read.Source (a write
command's session is wrapped by read.source), which also decodes the driver's dates and counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from zhiben.db import meta, read
from zhiben.terms import CITY_NAME


@dataclass(frozen=True)
class Filters:
    plan: str | None = None
    county_id: int | None = None
    who: str | None = None  # subject kind
    enterprise_id: int | None = None
    sector: str | None = None
    tag: str | None = None
    risk: str | None = None
    milestone_id: str | None = None

    @property
    def enterprise_only(self) -> bool:
        return any(v is not None for v in (self.enterprise_id, self.sector, self.tag, self.risk))


@dataclass(slots=True)  # reports can hold a million rows: no per-row __dict__
class Row:
    milestone_id: str
    plan: str
    title: str
    responsible: str
    subject_kind: str
    subject_id: int
    subject: str
    county: str | None
    credit_code: str | None
    period: str
    due: dt.date
    status: str
    done_on: dt.date | None
    evidence: str | None
    days_overdue: int | None = None
    days_left: int | None = None
    extra: dict = field(default_factory=dict)


as_date = read.Source.date  # the seam's one date decoder, under the name the reports import


# Open as of :as_of — not completed by then, and not withdrawn by then.
NOT_DONE = "(o.done_on IS NULL OR o.done_on > :as_of)"
NOT_WITHDRAWN = "(o.closed_on IS NULL OR o.closed_on > :as_of)"
OPEN = f"{NOT_DONE} AND {NOT_WITHDRAWN}"
OVERDUE = f"o.due < :as_of AND o.bound <> 'earliest' AND {OPEN}"  # due before the as-of date, still open then
ORDER = "ORDER BY o.due, o.plan, o.position, o.county_pos, o.subject, o.period"
ROW_COLUMNS = "o.milestone_id, o.subject_kind, o.subject_id, o.subject, o.county_id, o.credit_code, o.period, o.due, o.bound"


def where(f: Filters, params: dict) -> list[str]:
    """SQL conditions (on alias o) for the filters; their values go into `params`."""
    out = []
    if f.plan:
        out.append("o.plan = :plan")
        params["plan"] = f.plan
    if f.milestone_id:
        out.append("o.milestone_id = :milestone_id")
        params["milestone_id"] = f.milestone_id
    if f.county_id is not None:
        out.append("o.county_id = :county_id")
        params["county_id"] = f.county_id
    if f.who:
        out.append("o.subject_kind = :who")
        params["who"] = f.who
    if f.enterprise_only:
        # Enterprise filters select enterprises' own duties (not the county duties they cause).
        out.append("o.subject_kind = 'enterprise'")
        if f.enterprise_id is not None:
            out.append("o.enterprise_id = :enterprise_id")
            params["enterprise_id"] = f.enterprise_id
        ent = []
        if f.sector:
            ent.append("e.sector = :sector")
            params["sector"] = f.sector
        if f.risk:
            ent.append("e.risk = :risk")
            params["risk"] = f.risk
        if f.tag:
            ent.append("EXISTS (SELECT 1 FROM enterprisetag t WHERE t.enterprise_id = e.id AND t.tag = :tag)")
            params["tag"] = f.tag
        if ent:
            out.append(f"EXISTS (SELECT 1 FROM enterprise e WHERE e.id = o.enterprise_id AND {' AND '.join(ent)})")
    return out


def _names(src: read.Source) -> tuple[dict[str, Sequence[str]], dict[int, str]]:
    """milestone id → (title, responsible, plan); county id → name (small tables, read once)."""
    titles = {r[0]: r[1:] for r in src.rows("SELECT id, title, responsible, plan FROM milestone")}
    counties = {cid: name for cid, name in src.rows("SELECT id, name FROM county")}
    return titles, counties


# A listing row decoded once: milestone id, plan, title, responsible, subject kind, subject id, subject,
# county name, credit code, period, due, status, bound, days overdue (or days left, for an upcoming list).
Decoded = tuple[str, str, str, str, str, int, str, str | None, str | None, str, dt.date, str, str, int]


def decoded(src: read.Source, sql: str, params: dict, as_of: dt.date, late: bool) -> Iterator[Decoded]:
    """The driver's tuples with names, dates, status and days filled in: a Row (below) or a record
    (reports.records.record_of) is made straight from each."""
    titles, counties = _names(src)
    # One string object per distinct subject, period...: the driver returns a fresh copy per row,
    # and on a city-wide report those copies are most of the memory.
    memo: dict[str, str] = {}
    one = memo.setdefault
    dates: dict[object, dt.date] = {}
    for mid, kind, sid, subj, cid, code, per, due, bound in src.rows(sql, params):
        d = dates.get(due)
        if d is None:
            d = dates[due] = src.date(due) or as_of  # the column is NOT NULL
        title, resp, plan = titles[mid]
        if late:
            status, days = "overdue", (as_of - d).days
        else:
            # An earliest date (4 months' apprenticeship) is a date to wait for, not a deadline.
            status, days = ("earliest" if bound == "earliest" else "open"), (d - as_of).days
        yield (mid, plan, title, resp, one(kind, kind), sid, one(subj, subj), counties.get(cid), code, one(per, per), d,
               status, bound, days)


def _rows(src: read.Source, sql: str, params: dict, as_of: dt.date, late: bool) -> Iterator[Row]:
    for mid, plan, title, resp, kind, sid, subj, county, code, per, d, status, bound, days in decoded(
            src, sql, params, as_of, late):
        yield Row(mid, plan, title, resp, kind, sid, subj, county, code, per, d, status, None, None,
                  days if late else None, None if late else days, extra={"bound": bound})


def listing_sql(src: read.Source, f: Filters, kind: str, as_of: dt.date, days: int | None = None) -> tuple[str, dict]:
    """The query of a listing's rows, in its order, and its parameters."""
    cond, params = listing_where(src, f, kind, as_of, days)
    return f"SELECT {ROW_COLUMNS} FROM occurrence o WHERE {' AND '.join(cond)} {ORDER}", params


# What every report reads from: a Session or a lean db.read source. Renderers take it under this
# name and pass it on to the reports, never reading the database themselves.
Source = read.Readable


def effective(src: read.Readable) -> tuple[dt.date, bool]:
    """(the plans' effective date, whether the bureau set it rather than the catalogue), for a file's heading."""
    return meta.effective_info(src)


def listing_where(src: read.Source, f: Filters, kind: str, as_of: dt.date, days: int | None = None) -> tuple[list[str], dict]:
    """The conditions (on alias o) and parameters of what `overdue` (kind "overdue": deadlines before
    `as_of` not done by then) or `upcoming` (due from `as_of` to `as_of + days`, not done by `as_of`)
    lists: the rows and their summary (reports.summary) both select with them."""
    params: dict = {"as_of": src.day(as_of)}
    if kind == "overdue":
        cond = [OVERDUE]
    else:
        params["until"] = src.day(as_of + dt.timedelta(days=days or 0))
        cond = ["o.due >= :as_of", "o.due <= :until", OPEN]
    return [*cond, *where(f, params)], params


def iter_overdue(src: read.Readable, f: Filters, as_of: dt.date) -> Iterator[Row]:
    """Deadlines before `as_of` not done by then, oldest first, yielded as read."""
    src = read.source(src)
    return _rows(src, *listing_sql(src, f, "overdue", as_of), as_of, True)


def iter_upcoming(src: read.Readable, f: Filters, as_of: dt.date, days: int = 30) -> Iterator[Row]:
    """Occurrences due from `as_of` to `as_of + days`, not done by `as_of`, yielded as read."""
    src = read.source(src)
    return _rows(src, *listing_sql(src, f, "upcoming", as_of, days), as_of, False)


def overdue(src: read.Readable, f: Filters, as_of: dt.date) -> list[Row]:
    return list(iter_overdue(src, f, as_of))


def upcoming(src: read.Readable, f: Filters, as_of: dt.date, days: int = 30) -> list[Row]:
    return list(iter_upcoming(src, f, as_of, days))


@dataclass
class ProgressRow:
    key: str
    label: str
    due_so_far: int
    done: int
    overdue: int
    open_later: int
    done_late: int = 0
    county: str | None = None
    order: object = None

    @property
    def rate(self) -> float | None:
        return round(self.done / self.due_so_far, 4) if self.due_so_far else None


# A group's key; the city's county is NULL in the occurrence table and 0 in the counts.
_GROUP = {"county": "NULLIF(o.county_id, 0)", "plan": "o.plan", "milestone": "o.milestone_id",
          "enterprise": "o.credit_code"}
_DONE = "o.done_on <= :as_of"
_PAST = "o.due < :as_of AND o.bound <> 'earliest'"
# What progress counts, in order: due so far, done (of those), overdue, not yet due (and not done),
# done late. A trend counts the same at several dates (reports.trend renames :as_of per date).
TERMS = (_PAST, f"{_PAST} AND {_DONE}", f"{_PAST} AND {NOT_DONE}", f"o.due >= :as_of AND {NOT_DONE}",
         f"{_DONE} AND o.done_on > o.due")


def counted(f: Filters) -> tuple[str, str]:
    """(table as o, weight of a row) to count occurrences under `f`: the counts (db/tally.py) when
    `f` names only their columns, so a county-wide figure reads thousands of rows, not millions;
    every occurrence otherwise. Both answer the same, and the terms above hold on either."""
    if f.milestone_id or f.enterprise_only:
        return "occurrence o", "1"
    return "tally o", "o.n"


def measures(weight: str) -> str:
    """The TERMS as sums, each row (or count row) weighing `weight`."""
    return ", ".join(f"SUM(CASE WHEN {t} THEN {weight} ELSE 0 END)" for t in TERMS)


def progress(src: read.Readable, f: Filters, as_of: dt.date, by: str = "county") -> list[ProgressRow]:
    """Per group: occurrences due so far, done (of those), overdue, and not yet due."""
    if by not in _GROUP:
        raise ValueError(by)
    src = read.source(src)
    params = {"as_of": src.day(as_of)}
    cond = [NOT_WITHDRAWN, *where(f, params)]
    table, weight = counted(f) if by in ("county", "plan") else ("occurrence o", "1")
    if by == "enterprise":
        cond.append("o.subject_kind = 'enterprise'")
    key = _GROUP[by]
    extra = {"county": "NULL, NULL", "plan": "NULL, NULL", "milestone": "MIN(o.position), NULL",
             "enterprise": "MIN(o.subject), MIN(o.county_id)"}[by]
    sql = (f"SELECT {key}, {extra}, {measures(weight)} FROM {table} WHERE {' AND '.join(cond)} GROUP BY {key}")
    titles, counties = _names(src)
    positions = {cid: pos for cid, pos in src.rows("SELECT id, position FROM county")} if by == "county" else {}
    result = []
    n = src.count
    for k, a, b, due_so_far, done, overdue_, open_later, done_late in src.rows(sql, params):
        county = None
        if by == "county":
            label = counties.get(k, CITY_NAME)
            k, order = label, positions.get(k, -1)
        elif by == "plan":
            label = order = k
        elif by == "milestone":
            label, order = titles[k][0], a
        else:
            label, county = a, counties.get(b)
            order = county
        result.append(ProgressRow(key=str(k), label=str(label), due_so_far=n(due_so_far), done=n(done),
                                  overdue=n(overdue_), open_later=n(open_later), done_late=n(done_late),
                                  county=county, order=order))
    if by == "enterprise":
        result.sort(key=lambda p: (-p.overdue, p.rate if p.rate is not None else 1.0, p.key))
    else:
        result.sort(key=lambda p: (p.order if p.order is not None else -1, p.key))
    return result
