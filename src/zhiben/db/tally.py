"""The occurrence counts (models.Tally): how many occurrence rows share a county, plan, subject kind,
due date, bound, completion date and withdrawal date.

Every figure of the county × plan matrix (`progress --by county`, the mail, the 通报, a trend) is a
sum of such counts under conditions on those dates, so the matrix reads this small table (about
one row per ten occurrences at city size, fewer at larger ones) instead of every occurrence, and
still answers any as-of date.

The counts are kept by the occurrence table's own writers, in the same statements' transaction:
before a slice of occurrences is deleted or a completion date copied, its counts are taken off;
after, the new rows' counts are added (`adjust`); groups that reach zero are dropped (`PRUNE`).
`zhiben check` compares the table with a fresh count (`DIFFERENCE`) and `--repair` recounts.

Plain SQL that SQLite and PostgreSQL both run, without SQLAlchemy: the lean `done` runs it too.
The key columns are NOT NULL so they can be the primary key an upsert needs: the city's county is
0, and an open or never-withdrawn occurrence has the date NEVER, later than any as-of date.
"""

from __future__ import annotations

NEVER = "9999-12-31"
KEY = ("county_id", "plan", "subject_kind", "due", "bound", "done_on", "closed_on")
# One occurrence row's group, from the occurrence table (unaliased, so it fits DELETE's WHERE too).
_GROUP = (f"COALESCE(county_id, 0), plan, subject_kind, due, bound, COALESCE(done_on, '{NEVER}'),"
          f" COALESCE(closed_on, '{NEVER}')")
_INTO = f"INSERT INTO tally ({', '.join(KEY)}, n)"
# One occurrence by its key (:m, :k, :s, :p), as records.SYNC_DONE names it.
ONE = "milestone_id = :m AND subject_kind = :k AND subject_id = :s AND period = :p"
PRUNE = "DELETE FROM tally WHERE n = 0"
CLEAR = "DELETE FROM tally"
# What the table holds, and the same counted afresh: `zhiben check` compares them (EXCEPT both ways).
STORED = f"SELECT {', '.join(KEY)}, n FROM tally"
FRESH = f"SELECT {_GROUP}, COUNT(*) FROM occurrence GROUP BY {_GROUP}"
RECOUNT = f"{_INTO} {FRESH}"  # after CLEAR


def adjust(where: str, sign: int) -> str:
    """Add (sign 1) or take off (sign -1) the counts of the occurrence rows matching `where`."""
    return (f"{_INTO} SELECT {_GROUP}, {'-' if sign < 0 else ''}COUNT(*) FROM occurrence WHERE {where}"
            f" GROUP BY {_GROUP} ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = tally.n + excluded.n")
