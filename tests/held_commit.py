"""Run one zhiben command that stops at the worst moment: every row written, nothing committed.

    python tests/held_commit.py MARKER zhiben-arguments...

A session about to commit a transaction that has written rows flushes, writes the number of rows
it inserted, updated or deleted to MARKER and sleeps, so tests/test_interrupted.py can kill -9 it
right there. The hook lives here, in SQLAlchemy events the test registers: zhiben has no test hook.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

WRITES = ("INSERT", "UPDATE", "DELETE")


def main() -> None:
    marker = Path(sys.argv[1])

    @event.listens_for(Session, "after_begin")
    def _count_from_zero(session, transaction, connection):
        connection.info["writes"] = 0

    @event.listens_for(Engine, "after_cursor_execute")
    def _count_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            conn.info["writes"] = conn.info.get("writes", 0) + max(cursor.rowcount, 0)

    @event.listens_for(Session, "before_commit")
    def _hold(session):
        session.flush()
        writes = session.connection().info.get("writes", 0)
        if writes:
            ready = marker.with_name(marker.name + ".tmp")
            ready.write_text(str(writes), encoding="utf-8")
            ready.replace(marker)  # whole, or not there yet
            time.sleep(3600)

    from zhiben.cli import main as zhiben

    sys.argv = ["zhiben", *sys.argv[2:]]
    zhiben()


if __name__ == "__main__":
    main()
