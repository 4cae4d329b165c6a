"""The materialised schedule (models.Occurrence): its defining SELECT, refreshes, and the check.

An occurrence is a calendar due (DueDate) of an active milestone × each subject it falls on
(the city, counties in scope, parks, enterprises by sector and applies_to tags, counties once per
enterprise of a risk level), plus the event-derived dues (EventDue) of active enterprises.
`computed()` is that definition as one UNION ALL, optionally narrowed to some enterprises or to
the parks; every write refreshes the slice it can change by deleting it and inserting the same
SELECT for it, so the table never holds anything the definition does not, and `check()` (the
`zhiben check` command) compares the whole table with a fresh computation.

One refresh rule: a write declares what it changes with `touch()` (enterprises, parks, the
catalogue, completion keys) before it writes, and the session refreshes the table once, before
commit (`settle`, from a before_commit hook on every Session):
- the catalogue (milestones, tags, due dates, a new effective date, holidays): everything;
- enterprises (register import/add/remove, their events and event dues): their own duties, the
  per-risk supervision duties they cause, their event dues; per-risk records follow an
  enterprise to its present county first (`_follow`);
- the parks: the park duties;
- completion keys (done/reopen, status import): the completion date of those rows only.
On PostgreSQL the first `touch` of a transaction takes a transaction-level advisory lock, so the
writers of the table run one after another and each refresh reads what the others committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    delete,
    event,
    except_,
    exists,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from zhiben import terms
from zhiben.db import models as m_
from zhiben.db import read, records, tally

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

M, D, C, P = (m_.table(m_.Milestone), m_.table(m_.DueDate), m_.table(m_.County), m_.table(m_.Park))
E, ET, MT = m_.table(m_.Enterprise), m_.table(m_.EnterpriseTag), m_.table(m_.MilestoneTag)
ED, K, O = m_.table(m_.EventDue), m_.table(m_.Completion), m_.table(m_.Occurrence)
EV = m_.table(m_.Event)

# A column expression of the definition (a table column, a label, a literal, a NULL cast).
Col = ColumnElement[Any]
KEY = ("milestone_id", "subject_kind", "subject_id", "period")
COLUMNS = (*KEY, "plan", "position", "due", "bound", "county_id", "county_pos", "park_id", "enterprise_id",
           "subject", "credit_code", "closed_on")
# Enterprise batches larger than this refresh every enterprise's rows in one statement instead.
CHUNK = 500


def _cols(kind: str, subject_id: Col, subject: Col, county_id: Col, county_pos: Col, park_id: Col, enterprise_id: Col,
          credit_code: Col, period: Col, due: Col, bound: Col, closed_on: Col) -> list[Col]:
    return [M.c.id.label("milestone_id"), literal(kind).label("subject_kind"), subject_id.label("subject_id"),
            period.label("period"), M.c.plan.label("plan"), M.c.position.label("position"), due.label("due"),
            bound.label("bound"), county_id.label("county_id"), county_pos.label("county_pos"),
            park_id.label("park_id"), enterprise_id.label("enterprise_id"), subject.label("subject"),
            credit_code.label("credit_code"), closed_on.label("closed_on")]


def _tag_match(event_kind: Col | None = None) -> ColumnElement[bool]:
    """Enterprise E matches milestone M's applies_to tags (any-of include, none-of exclude).

    `event_kind`: for an event-relative due, the event's kind, whose proven tag (terms.EVENT_TAGS)
    counts as carried."""
    include = exists().where(MT.c.milestone_id == M.c.id, MT.c.exclude.is_(False))
    hit: ColumnElement[bool] = exists().where(
        MT.c.milestone_id == M.c.id, MT.c.exclude.is_(False), ET.c.enterprise_id == E.c.id, ET.c.tag == MT.c.tag
    )
    if event_kind is not None:
        proven = or_(*(and_(event_kind == kind, MT.c.tag == tag) for kind, tag in terms.EVENT_TAGS.items()))
        hit = or_(hit, exists().where(MT.c.milestone_id == M.c.id, MT.c.exclude.is_(False), proven))
    excluded = exists().where(
        MT.c.milestone_id == M.c.id, MT.c.exclude.is_(True), ET.c.enterprise_id == E.c.id, ET.c.tag == MT.c.tag
    )
    return and_(or_(~include, hit), ~excluded)


def applies(event_kind: Col | None = None) -> ColumnElement[bool]:
    """The one applicability rule for an enterprise duty: M falls on E (sector and tags)."""
    return and_(or_(M.c.sector.is_(None), E.c.sector == M.c.sector), _tag_match(event_kind))


def applicable(session: Session, enterprise_id: int, milestone_ids: Iterable[str], event_kind: str) -> set[str]:
    """Which of these event-relative milestones fall on the enterprise (for deriving event dues)."""
    ids = sorted(set(milestone_ids))
    if not ids:
        return set()
    q = select(M.c.id).select_from(M.join(E, E.c.id == enterprise_id)).where(
        M.c.id.in_(ids), applies(literal(event_kind)))
    return set(session.connection().execute(q).scalars())


def _in_scope() -> ColumnElement[bool]:
    """County C is in milestone M's county scope (empty: every county)."""
    return or_(M.c.county_scope == "", M.c.county_scope.like("%," + C.c.name + ",%"))


def falls_on(session: Session, milestone_id: str, kind: str, subject_id: int) -> bool:
    """Whether an undated duty, which has no dates and so no rows, falls on this subject: the
    same rule as the table's branches."""
    mine = and_(M.c.id == milestone_id, M.c.responsible == kind, M.c.active.is_(True))
    if kind == "county":
        q = select(M.c.id).select_from(M.join(C, C.c.id == subject_id)).where(mine, M.c.per_risk.is_(None), _in_scope())
    elif kind == "enterprise":
        q = select(M.c.id).select_from(M.join(E, E.c.id == subject_id)).where(mine, E.c.active.is_(True), applies())
    else:
        q = select(M.c.id).where(mine)
    return session.connection().execute(q).first() is not None


def owing(session: Session, milestone_id: str, county_id: int) -> list[int]:
    """The county's enterprises a duty falls on (own duties and per-risk supervision alike)."""
    rows = select(O.c.enterprise_id).where(O.c.milestone_id == milestone_id, O.c.county_id == county_id,
                                           O.c.enterprise_id.is_not(None))
    undated = (select(E.c.id).select_from(M.join(E, literal(True)))
               .where(M.c.id == milestone_id, M.c.kind == "undated", M.c.responsible == "enterprise",
                      E.c.county_id == county_id, E.c.active.is_(True), applies()))
    return sorted(set(session.connection().execute(union_all(rows, undated)).scalars()))


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
        scoped = _in_scope()
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
        # No park registered yet: each park duty once, on the stand-in, so it is not lost.
        out.append(
            select(*_cols("park", literal_column(str(terms.PARK_PLACEHOLDER_ID), Integer),
                          literal(terms.PARK_PLACEHOLDER), no_int, literal_column("-1", Integer), no_int, no_int,
                          no_text, D.c.period, D.c.due, D.c.bound, no_date))
            .select_from(on_due).where(M.c.responsible == "park", active, ~exists(select(P.c.id)))
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
        .where(M.c.responsible == "enterprise", applies(), active, *ents)
    )
    out.append(
        select(*_cols("enterprise", E.c.id, E.c.name, C.c.id, C.c.position, E.c.park_id, E.c.id, E.c.credit_code,
                      ED.c.period, ED.c.due, ED.c.bound, ED.c.closed_on))
        .select_from(ED.join(M, M.c.id == ED.c.milestone_id).join(E, E.c.id == ED.c.enterprise_id)
                     .join(C, C.c.id == E.c.county_id).join(EV, EV.c.id == ED.c.event_id))
        .where(applies(EV.c.kind), active, *ents)
    )
    return out


def computed(scope: Scope = EVERYTHING) -> Select:
    """Every column of the table for `scope`, completion date included, as one SELECT."""
    u = union_all(*branches(scope)).subquery("occ")
    done = and_(K.c.milestone_id == u.c.milestone_id, K.c.subject_kind == u.c.subject_kind,
                K.c.subject_id == u.c.subject_id, K.c.period == u.c.period)
    return select(*(u.c[c] for c in COLUMNS), K.c.done_on).select_from(u.outerjoin(K, done))


def _slice(scope: Scope) -> str:
    """The rows of `scope` in the table, as a condition (ids are the program's own integers)."""
    if scope.everything:
        return "1 = 1"
    if scope.parks:
        return "subject_kind = 'park'"
    if scope.all_enterprises:
        return "enterprise_id IS NOT NULL"
    return f"enterprise_id IN ({', '.join(str(int(i)) for i in scope.enterprise_ids or ())})"


def fill(conn: Connection, scope: Scope = EVERYTHING) -> None:
    """Recompute the rows of `scope`: delete them, insert them afresh from the definition; the
    counts (db/tally.py) lose the old rows and gain the new ones in the same transaction."""
    where = _slice(scope)
    if scope.everything:
        conn.execute(text(tally.CLEAR))
    else:
        conn.execute(text(tally.adjust(where, -1)))
    conn.execute(delete(O).where(text(where)))
    conn.execute(insert(O).from_select([*COLUMNS, "done_on"], computed(scope)))
    conn.execute(text(tally.RECOUNT if scope.everything else tally.adjust(where, 1)))
    conn.execute(text(tally.PRUNE))


def _enterprises(conn: Connection, enterprise_ids: Iterable[int]) -> None:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    if len(ids) > 4 * CHUNK:
        fill(conn, Scope(all_enterprises=True))
        return
    for i in range(0, len(ids), CHUNK):
        fill(conn, Scope(enterprise_ids=tuple(ids[i:i + CHUNK])))


def _sync_done(conn: Connection, keys: Iterable[tuple[str, str, int, str]]) -> None:
    """Copy the completion date of these (milestone, subject kind, subject id, period) rows."""
    params = [dict(zip(("m", "k", "s", "p"), key, strict=True)) for key in keys]
    if params:
        for statement in records.SYNC:
            conn.execute(text(statement), params)
        conn.execute(text(tally.PRUNE))


def _follow(conn: Connection, enterprise_ids: set[int] | None) -> None:
    """Per-risk records about these enterprises (None: all) move to the county each is in now.

    A county's supervision record for one enterprise is keyed "period:credit code" under the
    county; when the enterprise moves, the record moves with it, so the new county is not charged
    for a period already done and the record can still be reopened."""
    per_risk = select(M.c.id).where(M.c.per_risk.is_not(None))
    records = conn.execute(select(K.c.id, K.c.subject_id, K.c.period)
                           .where(K.c.subject_kind == "county", K.c.milestone_id.in_(per_risk))).all()
    if not records:
        return
    codes = {r.period.rpartition(":")[2] for r in records}
    where = [E.c.credit_code.in_(sorted(codes))]
    if enterprise_ids is not None:
        where.append(E.c.id.in_(sorted(enterprise_ids)))
    county_of = {code: cid for code, cid in conn.execute(select(E.c.credit_code, E.c.county_id).where(*where))}
    moves = [{"_id": r.id, "_county": county_of[code]} for r in records
             if (code := r.period.rpartition(":")[2]) in county_of and county_of[code] != r.subject_id]
    if moves:
        conn.execute(update(K).where(K.c.id == bindparam("_id")).values(subject_id=bindparam("_county")), moves)


# --- the refresh rule --------------------------------------------------------------------------
# A write declares what it changes with touch() before writing; the session refreshes the table
# once, before commit (settle, from the before_commit hook install() puts on every Session).

_PENDING = "zhiben.occurrences.pending"
LOCK_KEY = records.WRITERS_LOCK


@dataclass
class Pending:
    enterprises: set[int] = field(default_factory=set)
    parks: bool = False
    everything: bool = False
    completions: dict[tuple, None] = field(default_factory=dict)
    locked: bool = False

    @property
    def empty(self) -> bool:
        return not (self.enterprises or self.parks or self.everything or self.completions)


def touch(session: Session, *, enterprises: Iterable[int] = (), parks: bool = False, catalogue: bool = False,
          completions: Iterable[tuple] = ()) -> None:
    """Declare, before writing, what a write changes: enterprises (their rows, tags, events, event
    dues), the parks, the catalogue (milestones, tags, due dates: everything), or completion keys
    (milestone, subject kind, subject id, period). On PostgreSQL the first call of a transaction
    takes the writers' lock (SQLite: BEGIN IMMEDIATE), so writers of the table run one at a time."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = Pending()
    if not pending.locked:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        elif conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            # Take SQLite's write lock now (waiting out the busy timeout), so what the write reads
            # next, such as "is this already done?", cannot change before it writes.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        pending.locked = True
    pending.enterprises.update(enterprises)
    pending.parks |= parks
    pending.everything |= catalogue
    pending.completions.update(dict.fromkeys(tuple(k) for k in completions))


def settle(session: Session) -> None:
    """Refresh what the transaction declared, now (commit does it anyway; callers that read the
    table before committing, such as the register import's summary, call it first)."""
    pending = session.info.get(_PENDING)
    if pending is None or pending.empty:
        return
    session.flush()
    conn = session.connection()
    if pending.everything:
        _follow(conn, None)
        fill(conn)
    else:
        if pending.enterprises:
            _follow(conn, pending.enterprises)
        if pending.parks:
            fill(conn, Scope(parks=True))
        _enterprises(conn, pending.enterprises)
        _sync_done(conn, list(pending.completions))
    session.info[_PENDING] = Pending(locked=pending.locked)


def rebuild(session: Session) -> None:
    """Recompute the whole table and its counts now (`zhiben check --repair`)."""
    touch(session, catalogue=True)
    settle(session)


def _before_commit(session: Session) -> None:
    settle(session)


def _transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the lock and the declarations last one database transaction
        session.info.pop(_PENDING, None)


def install() -> None:
    """Refresh before every sqlmodel Session commits (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _transaction_end)


@dataclass
class Difference:
    missing: list[tuple]  # computed but not in the table
    extra: list[tuple]  # in the table but not computed
    changed: list[tuple[tuple, tuple]]  # (table row, computed row) with the same key
    # Count groups (db/tally.py) whose stored count differs from a fresh count of the table:
    # (county id, plan, subject kind, due, bound, done on, closed on, stored n, counted n).
    counts: list[tuple] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed or self.counts)


def _day(v: object) -> dt.date | None:
    return read.Source.date(v)  # the seam's one decoder: ISO text on SQLite, a date on PostgreSQL


def _normal(row: Sequence[object]) -> tuple:
    return tuple(_day(v) if k in ("due", "closed_on", "done_on") else v for k, v in zip((*COLUMNS, "done_on"), row, strict=True))


def _order(row: Sequence[object]) -> tuple:
    return tuple("" if v is None else str(v) for v in row)


def count(session: Session) -> int:
    return session.connection().execute(select(func.count()).select_from(O)).scalar_one()


def check(session: Session) -> Difference:
    """Compare the table with a fresh computation of the whole schedule.

    The database does the comparison (EXCEPT both ways), so memory holds only the differences:
    none when the table is right, whatever the register's size."""
    settle(session)
    conn = session.connection()
    fresh, stored = computed(), select(*(O.c[c] for c in (*COLUMNS, "done_on")))
    only_fresh = {r[:4]: r for r in map(_normal, conn.execute(except_(fresh, stored)))}
    only_stored = {r[:4]: r for r in map(_normal, conn.execute(except_(stored, fresh)))}
    both = only_fresh.keys() & only_stored.keys()
    missing = sorted((r for k, r in only_fresh.items() if k not in both), key=_order)
    extra = sorted((r for k, r in only_stored.items() if k not in both), key=_order)
    changed = sorted(((only_stored[k], only_fresh[k]) for k in both), key=lambda pair: _order(pair[0]))
    return Difference(missing, extra, changed, _count_difference(conn))


def _count_difference(conn: Connection) -> list[tuple]:
    """The count groups that differ from a fresh count of the occurrence table (db/tally.py)."""
    width = len(tally.KEY)

    def keyed(sql: str) -> dict[tuple, int]:
        return {tuple(map(str, r[:width])): int(r[width]) for r in conn.execute(text(sql))}

    stored = keyed(f"{tally.STORED} EXCEPT {tally.FRESH}")
    fresh = keyed(f"{tally.FRESH} EXCEPT {tally.STORED}")
    return sorted((*k, stored.get(k, 0), fresh.get(k, 0)) for k in stored.keys() | fresh.keys())
