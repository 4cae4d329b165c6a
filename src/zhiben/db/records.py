"""Completion records about enterprises, and whether each still has its occurrence row.

A record about an enterprise is one of its own duties (subject the enterprise) or a county's
supervision duty about it (subject the county, period "period:credit code", e.g. chem-21-c).
Records are never deleted when the register changes: one whose duty no longer applies (the risk
level was lowered, a tag removed) is kept, and the register import and `enterprise show` list it.
Plain SQL (db/read.py's `execute`), so it runs on a session or the lean sqlite3 path alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhiben.db import read, tally

CHUNK = 500
# pg_advisory_xact_lock key shared by every writer of the occurrence table ("zhib"), the session's
# refresh (db/occurrences.touch) and the lean done/reopen (tracking/marks.py): docs/architecture.md.
WRITERS_LOCK = 0x7A686962
# Copy one occurrence's completion date from its record (:m, :k, :s, :p): what a done or reopen
# changes in the table, run by the session's refresh and by the lean write path alike.
SYNC_DONE = ("UPDATE occurrence SET done_on = (SELECT k.done_on FROM completion k WHERE k.milestone_id = :m"
             " AND k.subject_kind = :k AND k.subject_id = :s AND k.period = :p)"
             " WHERE milestone_id = :m AND subject_kind = :k AND subject_id = :s AND period = :p")
# SYNC_DONE with the occurrence's count moved from its old completion date to its new one
# (db/tally.py); then tally.PRUNE once.
SYNC = (tally.adjust(tally.ONE, -1), SYNC_DONE, tally.adjust(tally.ONE, 1))
_HAS_ROW = ("EXISTS (SELECT 1 FROM occurrence o WHERE o.milestone_id = k.milestone_id"
            " AND o.subject_kind = k.subject_kind AND o.subject_id = k.subject_id AND o.period = k.period)")


@dataclass(frozen=True)
class Record:
    enterprise_id: int
    milestone_id: str
    title: str
    subject_kind: str  # "enterprise", or "county" for a supervision duty about the enterprise
    period: str
    done_on: object  # as the driver gives it (read.day's counterpart is the caller's)
    evidence: str | None
    applies: bool  # the occurrence it completes still exists


def about(src: read.Readable, enterprises: dict[int, str]) -> list[Record]:
    """Every record about these enterprises (id → credit code), own duties first."""
    out: list[Record] = []
    ids = sorted(enterprises)
    cols = f"k.milestone_id, m.title, k.subject_kind, k.period, k.done_on, k.evidence, {_HAS_ROW}"
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        params = {f"e{n}": eid for n, eid in enumerate(chunk)}
        sql = (f"SELECT k.subject_id, {cols} FROM completion k JOIN milestone m ON m.id = k.milestone_id"
               f" WHERE k.subject_kind = 'enterprise' AND k.subject_id IN ({', '.join(':' + p for p in params)})"
               " ORDER BY k.subject_id, k.milestone_id, k.period")
        out += [Record(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in read.execute(src, sql, params)]
    by_code = {code: eid for eid, code in enterprises.items()}
    sql = (f"SELECT {cols} FROM completion k JOIN milestone m ON m.id = k.milestone_id"
           " WHERE k.subject_kind = 'county' AND m.per_risk IS NOT NULL ORDER BY k.milestone_id, k.period")
    for r in read.execute(src, sql):
        eid = by_code.get(r[3].rpartition(":")[2])
        if eid is not None:
            out.append(Record(eid, r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])))
    return out


def stranded(src: read.Readable, enterprises: dict[int, str]) -> list[Record]:
    """The records about these enterprises whose duty no longer applies (kept, not counted)."""
    return [r for r in about(src, enterprises) if not r.applies]
