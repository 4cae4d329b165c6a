"""`done` and `reopen` of one dated occurrence through the seam: one occurrence row, no ORM.

The common case (a calendar duty, the period typed as its key, on a current database) runs here on
a lean source (sqlite3 on a file, psycopg on a server) without loading SQLAlchemy or the models: find the occurrence row by
its key, write the completion and the audit entry, and copy the completion date into that one row
(records.SYNC_DONE, the same statement the session's refresh uses). Anything else returns None
and the caller takes tracking/completions, which applies the same rules and explains a miss
(an undated or event-relative duty, a period to normalise, a subject the duty does not fall on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from zhiben import terms
from zhiben.dates import not_after_today
from zhiben.db import meta, read, records, tally
from zhiben.errors import InputError
from zhiben.inputs import limits
from zhiben.tracking import lookup

# The lean sources a write can run on: sqlite3 on a file, psycopg on a server.
Lean = read.SqliteSource | read.PsycopgSource


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    name: str
    county_id: int | None = None


CITY = Subject("city", terms.CITY_ID, terms.CITY_NAME)


@dataclass
class Change:
    milestone_id: str
    subject: Subject
    period: str
    due: dt.date | None  # None for an undated duty
    changed: bool
    done_on: dt.date | None = None


def subject(src: read.Readable, *, county: str | None, city: bool, park: str | None,
            enterprise: str | None) -> Subject | None:
    """The one subject named on the command line (None: not exactly one, left to the full path)."""
    if len([x for x in (county, park, enterprise) if x]) + bool(city) != 1:
        return None
    if city:
        return CITY
    if county:
        c = lookup.county(src, county)
        return Subject("county", c.id, c.name, c.id)
    if park:
        p = lookup.park(src, park)
        return Subject("park", p.id, p.name, p.county_id)
    e = lookup.enterprise(src, enterprise or "")
    return Subject("enterprise", e.id, e.name, e.county_id) if e.active else None


def once(src: Lean, write: Callable[[], Change | None]) -> Change | None:
    """One transaction holding the writers' lock from the start, as occurrences.touch takes it
    (SQLite's write lock; on PostgreSQL the advisory lock every writer of the table takes):
    committed when `write` returns a Change, rolled back when it leaves the case to the full path."""
    if src.dialect == "sqlite":
        src.con.execute("BEGIN IMMEDIATE")
    else:
        src.rows(f"SELECT pg_advisory_xact_lock({records.WRITERS_LOCK})")
    try:
        change = write()
    except BaseException:
        src.con.rollback()
        raise
    if change is None:
        src.con.rollback()
    else:
        src.con.commit()
    return change


def check_not_before_effective(src: read.Readable, on: dt.date) -> None:
    """A completion dated before the plans took effect is a typo (1990 for 2025, a swapped year)."""
    effective = meta.effective_date(src)
    if on < effective:
        raise InputError(f"完成日期 {on} 早于方案施行日期 {effective},请检查日期是否写错"
                         "(如施行日期不对,可用 zhiben config set effective 修改)")


def _row(src: Lean, milestone_id: str, subject: Subject,
         period: str | None) -> tuple[Subject, str, dt.date | None] | None:
    """(owner, period key, due) of the occurrence, or None when the full path must decide."""
    found = list(src.rows("SELECT kind, per_risk FROM milestone WHERE id = :id AND active", {"id": milestone_id}))
    if not found or found[0][0] not in ("once", "recurring"):
        return None
    kind, per_risk = found[0]
    key = period or ("once" if kind == "once" else None)
    if key is None or (kind == "once" and key != "once"):
        return None
    owner = subject
    if per_risk:
        if subject.kind != "enterprise":
            return None
        c = list(src.rows("SELECT c.id, c.name, e.credit_code FROM enterprise e JOIN county c ON c.id = e.county_id"
                          " WHERE e.id = :id", {"id": subject.id}))[0]
        owner, key = Subject("county", c[0], c[1], c[0]), f"{key}:{c[2]}"
    due = list(src.rows("SELECT due FROM occurrence WHERE milestone_id = :m AND subject_kind = :k"
                        " AND subject_id = :s AND period = :p",
                        {"m": milestone_id, "k": owner.kind, "s": owner.id, "p": key}))
    return (owner, key, src.date(due[0][0])) if due else None


def _done_on(src: Lean, key: dict) -> dt.date | None:
    rows = list(src.rows("SELECT done_on FROM completion WHERE milestone_id = :m AND subject_kind = :k"
                         " AND subject_id = :s AND period = :p", key))
    return src.date(rows[0][0]) if rows else None


def _write(src: Lean, sql: str, params: dict) -> None:
    src.rows(sql, params)


def _sync(src: Lean, key: dict) -> None:
    """The occurrence row's completion date and its count, as the session's refresh does it."""
    for statement in records.SYNC:
        _write(src, statement, key)
    _write(src, tally.PRUNE, {})


def _audit(src: Lean, key: dict, name: str, **values: object) -> None:
    _write(src, "INSERT INTO auditentry (at, by, action, milestone_id, subject_kind, subject_id, subject_name, period,"
                " old_status, new_status, done_on, evidence, source) VALUES (:at, :by, :action, :m, :k, :s, :name,"
                " :p, :old, :new, :done_on, :evidence, :source)", {**key, **values, "name": name, "at": _now(src)})


def _now(src: Lean) -> object:
    """Now, as models.UTCTime stores a moment: naive UTC to the second (text on SQLite; server
    sessions run in UTC, db/server.py)."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if src.dialect == "sqlite" else now


def mark_done(src: Lean, milestone_id: str, subject: Subject, *, period: str | None, on: dt.date | None,
              evidence: str | None, by: str | None, today: dt.date | None = None) -> Change | None:
    today = today or dt.date.today()
    on = on or today
    not_after_today(on, today, "完成日期")
    limits.check(evidence=evidence, by=by)
    check_not_before_effective(src, on)
    found = _row(src, milestone_id, subject, period)
    if found is None:
        return None
    owner, period_key, due = found
    key = {"m": milestone_id, "k": owner.kind, "s": owner.id, "p": period_key}
    existing = _done_on(src, key)
    if existing is not None:
        return Change(milestone_id, owner, period_key, due, changed=False, done_on=existing)
    _write(src, "INSERT INTO completion (milestone_id, subject_kind, subject_id, period, done_on, evidence,"
                " recorded_by, source, recorded_at) VALUES (:m, :k, :s, :p, :on, :evidence, :by, NULL, :at)",
           {**key, "on": src.day(on), "evidence": evidence, "by": by, "at": _now(src)})
    _audit(src, key, owner.name, by=by, action="done", old="overdue" if due is not None and due < on else "open",
           new="done", done_on=src.day(on), evidence=evidence, source=None)
    _sync(src, key)
    return Change(milestone_id, owner, period_key, due, changed=True, done_on=on)


def reopen(src: Lean, milestone_id: str, subject: Subject, *, period: str | None, reason: str | None,
           by: str | None) -> Change | None:
    limits.check(reason=reason, by=by)
    found = _row(src, milestone_id, subject, period)
    if found is None:
        return None
    owner, period_key, due = found
    key = {"m": milestone_id, "k": owner.kind, "s": owner.id, "p": period_key}
    existing = _done_on(src, key)
    if existing is None:
        return Change(milestone_id, owner, period_key, due, changed=False)
    _write(src, "DELETE FROM completion WHERE milestone_id = :m AND subject_kind = :k AND subject_id = :s"
                " AND period = :p", key)
    _audit(src, key, owner.name, by=by, action="reopen", old="done", new="open", done_on=None, evidence=reason,
           source=None)
    _sync(src, key)
    return Change(milestone_id, owner, period_key, due, changed=True, done_on=existing)
