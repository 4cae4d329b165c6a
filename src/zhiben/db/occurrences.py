"""The materialised schedule (models.Occurrence): its defining SELECT, refreshes, and the check.

An occurrence is a calendar due (DueDate) of an active milestone × each subject it falls on
(the city, counties in scope, parks, enterprises by sector and applies_to tags, counties once per
enterprise of a risk level), plus the event-derived dues (EventDue) of active enterprises.
`computed()` is that definition as one UNION ALL, optionally narrowed to some enterprises or to
the parks; every write refreshes the slice it can change by deleting it and inserting the same
SELECT for it, so the table never holds anything the definition does not, and `check()` (the
`zhiben check` command) compares the whole table with a fresh computation.

What each write refreshes:
- catalogue load (milestones, tags, due dates, event rederivation): everything, once, at the end;
- register import/add/remove, events: the enterprises concerned (their own duties, the per-risk
  supervision duties they cause, their event dues);
- park registration: the park duties;
- done/reopen (also via status import and closing events): the completion date of those rows.

ORM writes need no call: a flush hook on every Session (installed when db/engine.py is imported)
refreshes the slice of each Enterprise, EnterpriseTag, Park, Event, EventDue and Completion object
the flush wrote, and everything when a DueDate, Milestone or MilestoneTag changed (a new effective
date re-derives the due dates). Writes made with Core statements (bulk import, rederived event dues, the catalogue
load) call refresh_* themselves.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    delete,
    event,
    exists,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.sql import Select
from sqlmodel import Session

from zhiben.db import models as m_

M, D, C, P = (m_.table(m_.Milestone), m_.table(m_.DueDate), m_.table(m_.County), m_.table(m_.Park))
E, ET, MT = m_.table(m_.Enterprise), m_.table(m_.EnterpriseTag), m_.table(m_.MilestoneTag)
ED, K, O = m_.table(m_.EventDue), m_.table(m_.Completion), m_.table(m_.Occurrence)

KEY = ("milestone_id", "subject_kind", "subject_id", "period")
COLUMNS = (*KEY, "plan", "position", "due", "bound", "county_id", "county_pos", "park_id", "enterprise_id",
           "subject", "credit_code", "closed_on")
# Enterprise batches larger than this refresh every enterprise's rows in one statement instead.
CHUNK = 500


def _cols(kind, subject_id, subject, county_id, county_pos, park_id, enterprise_id, credit_code, period, due,
          bound, closed_on):
    return [M.c.id.label("milestone_id"), literal(kind).label("subject_kind"), subject_id.label("subject_id"),
            period.label("period"), M.c.plan.label("plan"), M.c.position.label("position"), due.label("due"),
            bound.label("bound"), county_id.label("county_id"), county_pos.label("county_pos"),
            park_id.label("park_id"), enterprise_id.label("enterprise_id"), subject.label("subject"),
            credit_code.label("credit_code"), closed_on.label("closed_on")]


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


@dataclass(frozen=True)
class Scope:
    """A slice of the table: everything, some enterprises' rows, all enterprises' rows, the parks."""

    enterprise_ids: tuple[int, ...] | None = None
    all_enterprises: bool = False
    parks: bool = False

    @property
    def everything(self) -> bool:
        return self.enterprise_ids is None and not self.all_enterprises and not self.parks


EVERYTHING = Scope()


def branches(scope: Scope = EVERYTHING) -> list[Select]:
    active = M.c.active.is_(True)
    on_due = D.join(M, M.c.id == D.c.milestone_id)
    # Typed NULLs and inline numbers: PostgreSQL must see the same column types in every branch.
    no_int, no_text, no_date = cast(null(), Integer), cast(null(), String), cast(null(), Date)
    ents = [E.c.active.is_(True)]
    if scope.enterprise_ids is not None:
        ents.append(E.c.id.in_(scope.enterprise_ids))
    out: list[Select] = []
    if scope.everything:
        out.append(
            select(*_cols("city", literal_column(str(m_.CITY_ID), Integer), literal(m_.CITY_NAME), no_int,
                          literal_column("-1", Integer), no_int, no_int, no_text, D.c.period, D.c.due,
                          D.c.bound, no_date))
            .select_from(on_due).where(M.c.responsible == "city", active)
        )
        scoped = or_(M.c.county_scope == "", M.c.county_scope.like("%," + C.c.name + ",%"))
        out.append(
            select(*_cols("county", C.c.id, C.c.name, C.c.id, C.c.position, no_int, no_int, no_text,
                          D.c.period, D.c.due, D.c.bound, no_date))
            .select_from(on_due.join(C, literal(True)))
            .where(M.c.responsible == "county", M.c.per_risk.is_(None), scoped, active)
        )
    if scope.everything or scope.parks:
        out.append(
            select(*_cols("park", P.c.id, P.c.name, C.c.id, C.c.position, P.c.id, no_int, no_text,
                          D.c.period, D.c.due, D.c.bound, no_date))
            .select_from(on_due.join(P, literal(True)).join(C, C.c.id == P.c.county_id))
            .where(M.c.responsible == "park", active)
        )
    if scope.parks and not scope.everything:
        return out
    # Supervision duties per enterprise of a risk level (e.g. each 橙色 enterprise every half-year).
    out.append(
        select(*_cols("county", C.c.id, C.c.name, C.c.id, C.c.position, E.c.park_id, E.c.id, E.c.credit_code,
                      D.c.period + ":" + E.c.credit_code, D.c.due, D.c.bound, no_date))
        .select_from(on_due.join(E, literal(True)).join(C, C.c.id == E.c.county_id))
        .where(M.c.responsible == "county", M.c.per_risk.is_not(None), E.c.risk == M.c.per_risk,
               or_(M.c.sector.is_(None), E.c.sector == M.c.sector), active, *ents)
    )
    out.append(
        select(*_cols("enterprise", E.c.id, E.c.name, C.c.id, C.c.position, E.c.park_id, E.c.id, E.c.credit_code,
                      D.c.period, D.c.due, D.c.bound, no_date))
        .select_from(on_due.join(E, and_(E.c.sector == M.c.sector, M.c.responsible == "enterprise"))
                     .join(C, C.c.id == E.c.county_id))
        .where(M.c.responsible == "enterprise", _tag_match(), active, *ents)
    )
    out.append(
        select(*_cols("enterprise", E.c.id, E.c.name, C.c.id, C.c.position, E.c.park_id, E.c.id, E.c.credit_code,
                      ED.c.period, ED.c.due, ED.c.bound, ED.c.closed_on))
        .select_from(ED.join(M, M.c.id == ED.c.milestone_id).join(E, E.c.id == ED.c.enterprise_id)
                     .join(C, C.c.id == E.c.county_id))
        .where(active, *ents)
    )
    return out


def computed(scope: Scope = EVERYTHING) -> Select:
    """Every column of the table for `scope`, completion date included, as one SELECT."""
    u = union_all(*branches(scope)).subquery("occ")
    done = and_(K.c.milestone_id == u.c.milestone_id, K.c.subject_kind == u.c.subject_kind,
                K.c.subject_id == u.c.subject_id, K.c.period == u.c.period)
    return select(*(u.c[c] for c in COLUMNS), K.c.done_on).select_from(u.outerjoin(K, done))


def _delete_where(scope: Scope):
    if scope.everything:
        return delete(O)
    if scope.parks:
        return delete(O).where(O.c.subject_kind == "park")
    if scope.all_enterprises:
        return delete(O).where(O.c.enterprise_id.is_not(None))
    return delete(O).where(O.c.enterprise_id.in_(scope.enterprise_ids or ()))  # set: not everything


def refresh(session: Session, scope: Scope = EVERYTHING) -> None:
    """Recompute the rows of `scope` (delete them, insert them afresh from the definition)."""
    session.flush()
    fill(session.connection(), scope)


def fill(conn, scope: Scope = EVERYTHING) -> None:
    conn.execute(_delete_where(scope))
    conn.execute(insert(O).from_select([*COLUMNS, "done_on"], computed(scope)))


def refresh_all(session: Session) -> None:
    refresh(session, EVERYTHING)


def refresh_enterprises(session: Session, enterprise_ids) -> None:
    session.flush()
    _enterprises(session.connection(), enterprise_ids)


def _enterprises(conn, enterprise_ids) -> None:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    if len(ids) > 4 * CHUNK:
        fill(conn, Scope(all_enterprises=True))
        return
    for i in range(0, len(ids), CHUNK):
        fill(conn, Scope(enterprise_ids=tuple(ids[i:i + CHUNK])))


def refresh_parks(session: Session) -> None:
    refresh(session, Scope(parks=True))


def sync_done(session: Session, keys) -> None:
    """Copy the completion date of these (milestone, subject kind, subject id, period) rows."""
    session.flush()
    _sync_done(session.connection(), keys)


def _sync_done(conn, keys) -> None:
    keys = [{"k_" + k: v for k, v in zip(KEY, key, strict=True)} for key in keys]
    if not keys:
        return
    recorded = (select(K.c.done_on).where(K.c.milestone_id == O.c.milestone_id, K.c.subject_kind == O.c.subject_kind,
                                          K.c.subject_id == O.c.subject_id, K.c.period == O.c.period)
                .scalar_subquery())
    stmt = update(O).where(*(O.c[k] == bindparam("k_" + k) for k in KEY)).values(done_on=recorded)
    conn.execute(stmt, keys)


# --- the flush hook ----------------------------------------------------------------------------

_PAUSED = "zhiben.occurrences.paused"


@contextmanager
def deferred(session: Session):
    """Writes inside do not refresh the table as they flush; the caller refreshes afterwards."""
    session.flush()
    session.info[_PAUSED] = session.info.get(_PAUSED, 0) + 1
    try:
        yield
        session.flush()
    finally:
        session.info[_PAUSED] -= 1


def _after_flush(session, _context) -> None:
    if session.info.get(_PAUSED):
        return
    enterprises: set[int] = set()
    parks = everything = False
    done: dict[tuple, None] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = type(obj)
        if kind is m_.Completion:
            done[(obj.milestone_id, obj.subject_kind, obj.subject_id, obj.period)] = None
        elif kind is m_.Enterprise:
            enterprises.add(obj.id)
        elif kind in (m_.EnterpriseTag, m_.Event, m_.EventDue):
            enterprises.add(obj.enterprise_id)
        elif kind is m_.Park:
            parks = True
        elif kind in (m_.DueDate, m_.Milestone, m_.MilestoneTag):
            everything = True  # the schedule itself changed (e.g. a new effective date)
    if not (enterprises or parks or done or everything):
        return
    conn = session.connection()
    if everything:
        fill(conn)
        return
    if parks:
        fill(conn, Scope(parks=True))
    _enterprises(conn, enterprises)
    _sync_done(conn, list(done))


def install() -> None:
    """Listen on every sqlmodel Session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


@dataclass
class Difference:
    missing: list[tuple]  # computed but not in the table
    extra: list[tuple]  # in the table but not computed
    changed: list[tuple[tuple, tuple]]  # (table row, computed row) with the same key

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed)


def _day(v):
    # A date already (PostgreSQL) or ISO text (SQLite).
    return v if v is None or isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _normal(row) -> tuple:
    return tuple(_day(v) if k in ("due", "closed_on", "done_on") else v for k, v in zip((*COLUMNS, "done_on"), row, strict=True))


def _order(row) -> tuple:
    return tuple("" if v is None else str(v) for v in row)


def count(session: Session) -> int:
    from sqlalchemy import func

    return session.connection().execute(select(func.count()).select_from(O)).scalar_one()


def check(session: Session) -> Difference:
    """Compare the table with a fresh computation of the whole schedule.

    The database does the comparison (EXCEPT both ways), so memory holds only the differences:
    none when the table is right, whatever the register's size."""
    from sqlalchemy import except_

    conn = session.connection()
    fresh, stored = computed(), select(*(O.c[c] for c in (*COLUMNS, "done_on")))
    only_fresh = {r[:4]: r for r in map(_normal, conn.execute(except_(fresh, stored)))}
    only_stored = {r[:4]: r for r in map(_normal, conn.execute(except_(stored, fresh)))}
    both = only_fresh.keys() & only_stored.keys()
    missing = sorted((r for k, r in only_fresh.items() if k not in both), key=_order)
    extra = sorted((r for k, r in only_stored.items() if k not in both), key=_order)
    changed = sorted(((only_stored[k], only_fresh[k]) for k in both), key=lambda pair: _order(pair[0]))
    return Difference(missing, extra, changed)
