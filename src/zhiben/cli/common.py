"""Shared CLI plumbing: the database option, sessions, dates, output formats."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import typer

from zhiben.dates import parse_date  # noqa: F401  (commands import it from here)
from zhiben.errors import InputError

# Ten years ahead is beyond any plan; larger values only come from typos (and overflow dates).
MAX_DAYS = 3660
FORMAT_HELP = "输出格式:table|markdown|plain|csv|json"
AS_OF_HELP = "以该日期为准(YYYY-MM-DD,默认今天)"


Force = typer.Option(False, "--force", help="输出文件已存在时覆盖")


def output_file(path, force: bool):
    """Every command that writes a file checks its target here, before doing the work."""
    from zhiben.inputs.files import check_target

    return check_target(path, force=force)


def as_of(text: str | None) -> dt.date:
    return parse_date(text, "日期") or dt.date.today()


@contextmanager
def session(ctx: typer.Context, *, create: bool = False):
    """The one place the CLI opens a database session (commit on success, roll back on error).

    Only `create` (zhiben init) may start a new database at a path the user named.
    """
    from zhiben.db import engine as store
    from zhiben.tracking import load

    engine = store.open_engine(store.cli_url(ctx.obj.get("db") if ctx.obj else None, create=create),
                               seed=load.seed_packaged)
    try:
        with store.session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


@contextmanager
def reader(ctx: typer.Context):
    """A read-only source for report commands: on a current SQLite database, a bare sqlite3
    connection (no SQLAlchemy, no models, no schema checks: db/read.py); otherwise a session."""
    from zhiben.db import read
    from zhiben.db.version import SCHEMA_VERSION

    src = read.open_reader(ctx.obj.get("db") if ctx.obj else None, SCHEMA_VERSION)
    if src is None:
        with session(ctx) as s:
            yield s
        return
    try:
        yield src
    finally:
        src.close()


def choice(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise InputError(f"未知的{what}“{value}”;可用:{'、'.join(allowed)}")
    return value
