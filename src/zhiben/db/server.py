"""The lean path on a PostgreSQL server: report commands, and `done`/`reopen` in their common case,
go through a bare psycopg connection (db/read.PsycopgSource) when the database is at the current
schema, so they load neither SQLAlchemy nor the table models: on a shared server every report pays
the process start-up, not the ORM's.

The connection gets what the full path's engine gives a server connection (db/engine.server_args,
limit_statements): UTC and the connect timeout unless the address sets one; a reader also gets the
statement timeout and read-only transactions. Anything else (an older schema, no zhiben tables, another driver named in
the address) returns None and the full path opens the database, upgrades it or refuses it.
"""

from __future__ import annotations

from zhiben.db import failures as dbfailure
from zhiben.db import version
from zhiben.db.location import Location
from zhiben.db.read import PsycopgSource
from zhiben.errors import DatabaseError

# The addresses psycopg itself understands once the SQLAlchemy driver name is taken off.
_SCHEMES = ("postgresql+psycopg://", "postgresql://")


def open_reader(where: Location) -> PsycopgSource | None:
    """A read-only lean source for the report commands."""
    return _open(where, read_only=True)


def open_writer(where: Location) -> PsycopgSource | None:
    """A lean source for `done`/`reopen` (tracking/marks.py): one transaction each, which takes the
    writers' advisory lock before it reads (marks.once)."""
    return _open(where, read_only=False)


def _open(where: Location, *, read_only: bool) -> PsycopgSource | None:
    scheme = next((s for s in _SCHEMES if where.url.startswith(s)), None)
    if scheme is None:
        return None
    try:
        import psycopg  # only a server's commands load the server driver
    except ModuleNotFoundError:
        return None  # the full path says which package to install
    query = where.url.partition("?")[2]
    options = "-c timezone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
    if read_only and (seconds := dbfailure.statement_timeout()) > 0:
        options += f" -c statement_timeout={int(seconds * 1000)}"
    extra: dict = {} if "connect_timeout=" in query else {"connect_timeout": dbfailure.connect_timeout()}
    try:
        con = psycopg.connect("postgresql://" + where.url[len(scheme):], autocommit=read_only, options=options,
                              **extra)
    except psycopg.Error as exc:
        raise DatabaseError(f"无法打开数据库 {where.shown}:{dbfailure.describe(exc)}") from None
    return version.if_current(PsycopgSource(con), where.shown, psycopg.Error)
