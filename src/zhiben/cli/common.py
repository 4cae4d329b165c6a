"""Shared CLI plumbing: the database option, sessions, dates, output formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from zhiben.dates import parse_date  # noqa: F401  (commands import it from here)
from zhiben.db import files as db_files
from zhiben.db import location as where
from zhiben.db.read import AlchemySource
from zhiben.errors import InputError
from zhiben.inputs import files, limits
from zhiben.inputs.files import check_target

if TYPE_CHECKING:
    from pathlib import Path

    from zhiben.db.engine import Session
    from zhiben.db.location import Location
    from zhiben.db.read import Source

# Ten years ahead is beyond any plan; larger values only come from typos (and overflow dates).
MAX_DAYS = 3660
FORMAT_HELP = "输出格式:table|markdown|plain|csv|json"
AS_OF_HELP = "以该日期为准(YYYY-MM-DD,默认今天)"


Force = typer.Option(False, "--force", help="输出文件已存在时覆盖")


def output_file(path: str | Path, force: bool) -> Path:
    """Every command that writes a file checks its target here, before doing the work."""
    return check_target(path, force=force)


def as_of(text: str | None) -> dt.date:
    return parse_date(text, "日期") or dt.date.today()


def location(ctx: typer.Context) -> Location:
    """The database this command names (--db, ZHIBEN_DB or the default): db/location.py resolves it."""
    return where.resolve(ctx.obj.get("db") if ctx.obj else None)


def leftovers(path: Path | None) -> None:
    """Say so when a killed run's temporaries beside the database are cleaned (inputs/files.py)."""
    if path is None:
        return

    for p, size in files.clean_leftovers(path):
        typer.echo(f"已清理上次中断留下的临时文件:{p}({limits.megabytes(size)})", err=True)


@contextmanager
def session(ctx: typer.Context, *, create: bool = False, read: bool = False) -> Iterator[Session]:
    """The one place the CLI opens a database session (commit on success, roll back on error).

    Only `create` (zhiben init) may start a new database at a path the user named. `read`: the
    command only reads, so on a server each query is bounded by the statement timeout.
    """
    # The ORM and the catalogue loader: only commands that open a session pay for them.
    from zhiben.db import engine as store
    from zhiben.tracking import load

    where = store.cli_location(ctx.obj.get("db") if ctx.obj else None, create=create)
    leftovers(where.path)
    engine, created = store.open_created(where, seed=load.seed_packaged)
    if created and not create:  # the per-user default, made on first use: say so once (init says it itself)
        from zhiben.cli.welcome import first_use  # once per machine

        typer.echo(first_use(where.shown, engine), err=True)
    try:
        with store.session_scope(engine) as s:
            if read:
                store.limit_statements(s)
            yield s
    finally:
        engine.dispose()


@contextmanager
def reader(ctx: typer.Context) -> Iterator[Source]:
    """A read-only source for report commands: on a current database a bare driver connection,
    sqlite3 or psycopg (no SQLAlchemy, no models: the lean path of db/read.py, db/files.py and
    db/server.py); otherwise a session's."""
    leftovers(location(ctx).path)
    src = db_files.open_lean(location(ctx))
    if src is None:
        with session(ctx, read=True) as s:
            yield AlchemySource(s)
        return
    try:
        yield src
    finally:
        src.close()


def choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise InputError(f"未知的{what}“{value}”;可用:{'、'.join(allowed)}")
    return value
