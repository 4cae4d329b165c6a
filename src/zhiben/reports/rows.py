"""Queries → rows: overdue, upcoming, progress.

Occurrences are never materialised: one UNION ALL of set-based SELECTs (calendar dues × the
subjects each milestone falls on, plus event-derived dues), left-joined to completions, is
filtered and grouped in SQL. Status is judged as of a date: a completion recorded after the
as-of date does not count, so "what was overdue on 2025-07-01" has a true answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import (
    Date,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql import Select
from sqlmodel import Session

from zhiben.db import models as m_

M, D, C, P = (m_.Milestone.__table__, m_.DueDate.__table__, m_.County.__table__, m_.Park.__table__)
E, ET, MT = m_.Enterprise.__table__, m_.EnterpriseTag.__table__, m_.MilestoneTag.__table__
ED, K = m_.EventDue.__table__, m_.Completion.__table__

CITY_NAME = m_.CITY_NAME


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


def _columns(subject_kind, subject_id, subject_name, county_name, county_pos, credit_code, period, due, bound):
    return [
        M.c.id.label("milestone_id"), M.c.plan, M.c.title, M.c.position, M.c.responsible,
        literal(subject_kind).label("subject_kind") if isinstance(subject_kind, str) else subject_kind.label("subject_kind"),
        subject_id.label("subject_id"), subject_name.label("subject"),
        county_name.label("county"), county_pos.label("county_pos"), credit_code.label("credit_code"),
        period.label("period"), due.label("due"), bound.label("bound"),
    ]


def _null(type_=None):
    return literal(None, type_) if type_ is not None else literal(None)


def _tag_match():
    """Enterprise E matches milestone M's applies_to tags (any-of include, none-of exclude)."""
    include = exists().where(MT.c.milestone_id == M.c.id, MT.c.exclude.is_(False))
    hit = exists().where(
        MT.c.milestone_id == M.c.id, MT.c.exclude.is_(False), ET.c.enterprise_id == E.c.id, ET.c.tag == MT.c.tag
    )
    excluded = exists().where(
        MT.c.milestone_id == M.c.id, MT.c.exclude.is_(True), ET.c.enterprise_id == E.c.id, ET.c.tag == MT.c.tag
    )
    return and_(or_(~include, hit), ~excluded)


def _branches(f: Filters, asof, window) -> list[Select]:
    active = M.c.active.is_(True)
    plan = [M.c.plan == f.plan] if f.plan else []
    mid = [M.c.id == f.milestone_id] if f.milestone_id else []
    # The due-date window goes into every branch (not only around the union) so each branch can use
    # the due index instead of building every occurrence first.
    common = [active, *plan, *mid, *window(D.c.due)]
    out: list[Select] = []
    who = f.who
    i = lambda kind: who in (None, kind)  # noqa: E731

    if i("city") and f.county_id is None and not f.enterprise_only:
        out.append(
            select(*_columns("city", literal(m_.CITY_ID), literal(CITY_NAME), _null(), literal(-1), _null(),
                             D.c.period, D.c.due, literal("deadline")))
            .select_from(D.join(M, M.c.id == D.c.milestone_id))
            .where(M.c.responsible == "city", *common)
        )
    if i("county") and not f.enterprise_only:
        scope = or_(M.c.county_scope == "", M.c.county_scope.like("%," + C.c.name + ",%"))
        cond = [M.c.responsible == "county", M.c.per_risk.is_(None), scope, *common]
        if f.county_id is not None:
            cond.append(C.c.id == f.county_id)
        out.append(
            select(*_columns("county", C.c.id, C.c.name, C.c.name, C.c.position, _null(),
                             D.c.period, D.c.due, literal("deadline")))
            .select_from(D.join(M, M.c.id == D.c.milestone_id).join(C, literal(True)))
            .where(*cond)
        )
        # Supervision duties per enterprise of a risk level (e.g. each 橙色 enterprise every half-year).
        rcond = [M.c.responsible == "county", M.c.per_risk.is_not(None), E.c.risk == M.c.per_risk,
                 E.c.active.is_(True), or_(M.c.sector.is_(None), E.c.sector == M.c.sector), *common]
        if f.county_id is not None:
            rcond.append(E.c.county_id == f.county_id)
        out.append(
            select(*_columns("county", C.c.id, C.c.name, C.c.name, C.c.position, E.c.credit_code,
                             D.c.period + ":" + E.c.credit_code, D.c.due, literal("deadline")))
            .select_from(D.join(M, M.c.id == D.c.milestone_id).join(E, literal(True)).join(C, C.c.id == E.c.county_id))
            .where(*rcond)
        )
    if i("park") and not f.enterprise_only:
        cond = [M.c.responsible == "park", *common]
        if f.county_id is not None:
            cond.append(P.c.county_id == f.county_id)
        out.append(
            select(*_columns("park", P.c.id, P.c.name, C.c.name, C.c.position, _null(),
                             D.c.period, D.c.due, literal("deadline")))
            .select_from(D.join(M, M.c.id == D.c.milestone_id).join(P, literal(True)).join(C, C.c.id == P.c.county_id))
            .where(*cond)
        )
    if i("enterprise"):
        econd = [E.c.active.is_(True)]
        if f.county_id is not None:
            econd.append(E.c.county_id == f.county_id)
        if f.enterprise_id is not None:
            econd.append(E.c.id == f.enterprise_id)
        if f.sector:
            econd.append(E.c.sector == f.sector)
        if f.risk:
            econd.append(E.c.risk == f.risk)
        if f.tag:
            econd.append(exists().where(ET.c.enterprise_id == E.c.id, ET.c.tag == f.tag))
        out.append(
            select(*_columns("enterprise", E.c.id, E.c.name, C.c.name, C.c.position, E.c.credit_code,
                             D.c.period, D.c.due, literal("deadline")))
            .select_from(
                D.join(M, M.c.id == D.c.milestone_id)
                .join(E, and_(E.c.sector == M.c.sector, M.c.responsible == "enterprise"))
                .join(C, C.c.id == E.c.county_id)
            )
            .where(M.c.responsible == "enterprise", _tag_match(), *econd, *common)
        )
        out.append(
            select(*_columns("enterprise", E.c.id, E.c.name, C.c.name, C.c.position, E.c.credit_code,
                             ED.c.period, ED.c.due, ED.c.bound))
            .select_from(ED.join(M, M.c.id == ED.c.milestone_id).join(E, E.c.id == ED.c.enterprise_id)
                         .join(C, C.c.id == E.c.county_id))
            .where(or_(ED.c.closed_on.is_(None), ED.c.closed_on > asof), *econd, active, *plan, *mid,
                   *window(ED.c.due))
        )
    return out


def occurrences(f: Filters, as_of: dt.date, window=None):
    """(occurrences subquery, its completion join condition, the as-of parameter), or None.

    `window(due_column, as_of_param)` returns extra conditions on the due date (e.g. due < as-of).
    """
    asof = bindparam("as_of", as_of, type_=Date)
    branches = _branches(f, asof, (lambda due: window(due, asof)) if window else (lambda due: []))
    if not branches:
        return None
    u = union_all(*branches).subquery("occ") if len(branches) > 1 else branches[0].subquery("occ")
    done = and_(K.c.milestone_id == u.c.milestone_id, K.c.subject_kind == u.c.subject_kind,
                K.c.subject_id == u.c.subject_id, K.c.period == u.c.period, K.c.done_on <= asof)
    return u, done, asof


def _status_rows(session: Session, f: Filters, as_of: dt.date, where, window) -> list[Row]:
    occ = occurrences(f, as_of, window)
    if occ is None:
        return []
    u, done, asof = occ
    q = (
        # Dates come back raw and are parsed once per distinct value below: SQLAlchemy's per-row
        # SQLite date processor was a large share of a city-wide report.
        select(*(c for c in u.c if c.key != "due"), type_coerce(u.c.due, String).label("due"),
               type_coerce(K.c.done_on, String).label("done_on"), K.c.evidence)
        .select_from(u.outerjoin(K, done))
        .where(where(u, K, asof))
        .order_by(u.c.due, u.c.plan, u.c.position, u.c.county_pos, u.c.subject, u.c.period)
    )
    result = session.connection().execute(q)
    # Positional access: attribute lookup on result rows is the dominant per-row cost on big reports.
    at = {k: n for n, k in enumerate(result.keys())}
    mid, plan, title, resp, kind, sid, subj, cty, code, per, due, done_on, evid, bound = (at[k] for k in (
        "milestone_id", "plan", "title", "responsible", "subject_kind", "subject_id", "subject", "county",
        "credit_code", "period", "due", "done_on", "evidence", "bound"))
    rows = []
    append = rows.append
    # One string object per distinct title, subject, period...: the driver returns a fresh copy per
    # row, and on a city-wide report those copies are most of the memory.
    memo: dict = {}
    one = memo.setdefault
    dates: dict = {}

    def day(v):
        d = dates.get(v)
        if d is None and v is not None:
            d = dates[v] = as_date(v)
        return d
    for r in result:
        append(Row(
            milestone_id=one(r[mid], r[mid]), plan=one(r[plan], r[plan]), title=one(r[title], r[title]),
            responsible=one(r[resp], r[resp]), subject_kind=one(r[kind], r[kind]), subject_id=r[sid],
            subject=one(r[subj], r[subj]), county=one(r[cty], r[cty]), credit_code=one(r[code], r[code]),
            period=one(r[per], r[per]), due=day(r[due]), status="", done_on=day(r[done_on]),
            evidence=r[evid], extra={"bound": r[bound]},
        ))
    return rows


def as_date(v):
    """A date from the driver: a date already (PostgreSQL) or ISO text (SQLite)."""
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def overdue(session: Session, f: Filters, as_of: dt.date) -> list[Row]:
    rows = _status_rows(
        session, f, as_of,
        lambda u, k, asof: and_(k.c.id.is_(None), u.c.bound == "deadline"),
        lambda due, asof: [due < asof],
    )
    for r in rows:
        r.status = "overdue"
        r.days_overdue = (as_of - r.due).days
    return rows


def upcoming(session: Session, f: Filters, as_of: dt.date, days: int = 30) -> list[Row]:
    end = bindparam("until", as_of + dt.timedelta(days=days), type_=Date)
    rows = _status_rows(
        session, f, as_of,
        lambda u, k, asof: k.c.id.is_(None),
        lambda due, asof: [due >= asof, due <= end],
    )
    for r in rows:
        # An earliest date (4 months' apprenticeship) is a date to wait for, not a deadline.
        r.status = "earliest" if r.extra.get("bound") == "earliest" else "open"
        r.days_left = (r.due - as_of).days
    return rows


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


def progress(session: Session, f: Filters, as_of: dt.date, by: str = "county") -> list[ProgressRow]:
    """Per group: occurrences due so far, done (of those), overdue, and not yet due."""
    occ = occurrences(f, as_of)
    if occ is None:
        return []
    u, done, asof = occ
    is_done = K.c.id.is_not(None)
    due_past = u.c.due < asof
    deadline = u.c.bound == "deadline"
    measures = [
        func.sum(case((and_(due_past, deadline), 1), else_=0)).label("due_so_far"),
        func.sum(case((and_(due_past, deadline, is_done), 1), else_=0)).label("done"),
        func.sum(case((and_(due_past, deadline, ~is_done), 1), else_=0)).label("overdue"),
        func.sum(case((and_(~due_past, ~is_done), 1), else_=0)).label("open_later"),
        func.sum(case((and_(is_done, K.c.done_on > u.c.due), 1), else_=0)).label("done_late"),
    ]
    if by == "county":
        keys = [func.coalesce(u.c.county, CITY_NAME).label("key"), func.coalesce(u.c.county, CITY_NAME).label("label"),
                func.min(u.c.county_pos).label("ord")]
        # Group by the column itself: PostgreSQL does not match two separately bound coalesce() calls.
        group = [u.c.county]
    elif by == "plan":
        keys = [u.c.plan.label("key"), u.c.plan.label("label"), func.min(u.c.plan).label("ord")]
        group = [u.c.plan]
    elif by == "milestone":
        keys = [u.c.milestone_id.label("key"), func.min(u.c.title).label("label"), func.min(u.c.position).label("ord")]
        group = [u.c.milestone_id]
    elif by == "enterprise":
        keys = [u.c.credit_code.label("key"), func.min(u.c.subject).label("label"), func.min(u.c.county).label("ord")]
        group = [u.c.credit_code]
    else:
        raise ValueError(by)
    q = select(*keys, *measures).select_from(u.outerjoin(K, done)).group_by(*group)
    if by == "enterprise":
        q = q.where(u.c.subject_kind == "enterprise")
    result = []
    for r in session.connection().execute(q):
        result.append(ProgressRow(key=str(r.key), label=str(r.label), due_so_far=int(r.due_so_far or 0),
                                  done=int(r.done or 0), overdue=int(r.overdue or 0),
                                  open_later=int(r.open_later or 0), done_late=int(r.done_late or 0),
                                  county=str(r.ord) if by == "enterprise" else None, order=r.ord))
    if by == "enterprise":
        result.sort(key=lambda p: (-p.overdue, p.rate if p.rate is not None else 1.0, p.key))
    else:
        result.sort(key=lambda p: (p.order if p.order is not None else -1, p.key))
    return result
