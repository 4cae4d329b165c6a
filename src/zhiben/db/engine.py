"""Engine, sessions and first use.

`open_engine` opens the database that db/location.py resolved. An existing SQLite file is checked
read-only first (db/files.py): an empty file, another program's database, a damaged or a newer
schema version is refused before anything could write to it. A missing file is built under a
temporary name and linked into place (db/files.create), so processes starting at once on a fresh
machine all end up with one complete database. Server connections get a connect timeout.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session, SQLModel, create_engine, select

from zhiben import terms
from zhiben.db import failures as dbfailure
from zhiben.db import files, location, migrations, models, occurrences, version
from zhiben.db.location import ENV_VAR, Location
from zhiben.db.read import AlchemySource
from zhiben.errors import DatabaseError, os_reason
from zhiben.inputs.files import shown

occurrences.install()

Seed = Callable[[Session], None]
SUPPORTED = ("sqlite", "postgresql")
__all__ = ["ENV_VAR", "Engine", "Location", "Session", "open_engine", "session_scope"]


def cli_location(db: str | None = None, *, create: bool = False) -> Location:
    """The database the CLI opens, with the rule that no typo silently starts an empty database.

    Only the per-user default location is created on first use. A file named by `--db` or
    ZHIBEN_DB must already exist unless `create` (`zhiben init`): a cron job pointing at an
    unmounted share must fail, not report "no overdue items" from a brand-new file.
    """
    where = location.resolve(db)
    if not where.explicit or create or where.path is None:
        return where

    try:
        exists = where.path.exists()
        if exists and not where.path.is_file():
            raise DatabaseError(f"数据库路径不是普通文件:{where.path}")
    except OSError as exc:  # a name longer than the file system allows

        raise DatabaseError(f"无法使用数据库路径 {shown(str(where.path))}:{os_reason(exc)}") from None
    if not exists:
        raise DatabaseError(f"数据库文件不存在:{shown(str(where.path))};请检查 --db 或环境变量 {ENV_VAR} 的路径,"
                            f"如确要在此新建数据库请运行 zhiben --db {where.path} init(未创建任何文件)")
    return where


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside one writer; the busy timeout makes writers queue instead of
    # failing with "database is locked" when a cron job and an analyst write together.
    cur.execute(f"PRAGMA busy_timeout={int(dbfailure.busy_timeout() * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def writable(folder: Path) -> bool:
    return files.writable(folder)


def _read_only_engine(path: Path) -> Engine:
    """A database in a folder nobody may write (a read-only share, an archive): reading still works.

    SQLite needs to create -wal/-shm files beside the database even to read a WAL database; with
    the folder read-only no process can write it (a writer needs those files too), so it is opened
    immutable. Commands that write get SQLite's read-only error, reported by dbfailure.
    """
    uri = files.uri(path, read_only=True, immutable=True)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    event.listen(engine, "connect", _read_only_pragmas)
    return engine


def _read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys=ON")


def _located(db: str | Location) -> Location:
    return db if isinstance(db, Location) else location.resolve(db)


def make_engine(db: str | Location) -> Engine:
    where = _located(db)
    try:
        parsed = make_url(where.url)
    except ArgumentError:
        raise DatabaseError(f"无法识别的数据库地址:{where.shown}") from None
    if parsed.get_backend_name() not in SUPPORTED:
        raise DatabaseError(f"不支持的数据库类型“{parsed.get_backend_name()}”:{where.shown};zhiben 使用 SQLite 文件"
                            "(写文件路径即可)或 PostgreSQL(postgresql+psycopg://用户@服务器/库名,见 docs/postgres.md)")
    if parsed.get_backend_name() == "sqlite":
        path = where.path
        if path is not None:
            files.make_folder(path.parent)
            if not writable(path.parent):
                if not path.is_file():
                    raise DatabaseError(f"数据库目录不可写:{path.parent}")
                return _read_only_engine(path)
        engine = create_engine(where.url, connect_args={"timeout": dbfailure.busy_timeout()})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(where.url, pool_pre_ping=True, connect_args=server_args(parsed))
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"缺少数据库驱动 {exc.name}:请安装 zhiben[postgres]") from None


def server_args(parsed: Any) -> dict[str, Any]:
    """Connection settings for a server: UTC sessions and a connect timeout (see docs/postgres.md)."""
    if parsed.get_backend_name() != "postgresql":
        return {}
    # Stored times are UTC (models.UTCTime) whether the column has a zone or not.
    args: dict[str, Any] = {"options": "-c timezone=UTC"}
    if "connect_timeout" not in parsed.query:  # the URL's own ?connect_timeout= wins
        args["connect_timeout"] = dbfailure.connect_timeout()
    return args


def open_engine(db: str | Location | None = None, *, seed: Seed | None = None) -> Engine:
    """Engine for `db`, creating the database on first use and handing the new one to `seed`.

    The seed (normally tracking.load.seed_packaged: the packaged catalogue) is passed in because
    loading a catalogue is tracking's job, above this package.
    """
    return open_created(db, seed=seed)[0]


def open_created(db: str | Location | None = None, *, seed: Seed | None = None) -> tuple[Engine, bool]:
    """open_engine, and whether this call created the database (of processes racing to create one,
    only the one whose database is used says True)."""
    where = _located(db) if db is not None else location.resolve(None)
    created = False
    if where.path is not None:
        if files.exists(where.path):
            files.check(where.path, read_only=not writable(where.path.parent))
        else:
            files.make_folder(where.path.parent)
            if not writable(where.path.parent):
                raise DatabaseError(f"数据库目录不可写:{where.path.parent}")
            created = files.create(where.path, lambda url: _build(make_engine(url), seed, where.shown))
    engine = make_engine(where)
    try:
        created = ensure_schema(engine, seed=seed, where=where.shown) or created
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"无法打开数据库 {where.shown}:{dbfailure.describe(exc)}") from None
    except BaseException:
        engine.dispose()
        raise
    return engine, created


def schema_version(engine: Engine, where: str = "数据库") -> int | None:
    with engine.connect() as conn:
        return version.read(AlchemySource(conn), where)


def ensure_schema(engine: Engine, *, seed: Seed | None = None, where: str = "数据库") -> bool:
    """Create tables and seed on first use (a database with no tables only). Returns True when new."""
    with engine.connect() as conn:
        src = AlchemySource(conn)
        found = version.read(src, f"数据库 {where}")
        foreign = src.tables() if found is None else []
    if found is not None:
        migrations.upgrade(engine, found)
        return False
    if foreign:
        raise DatabaseError(f"数据库 {where} 已有其他程序的表({files.listed(foreign)}),不是 zhiben 数据库;"
                            f"{version.UNTOUCHED}。请换一个空数据库")
    try:
        _build(engine, seed, where, dispose=False)
    except DBAPIError:
        # Another process is creating the same new database right now: wait for it, then use it.

        for pause in (0.2, 0.5, 1, 2, 4):
            time.sleep(pause)
            if schema_version(engine, f"数据库 {where}") is not None:
                return ensure_schema(engine, seed=seed, where=where)
        raise
    return True


def _build(engine: Engine, seed: Seed | None, where: str, *, dispose: bool = True) -> None:
    """Tables, counties, version and catalogue in one transaction: nobody sees half a database."""
    try:
        with Session(engine) as s:
            SQLModel.metadata.create_all(s.connection())
            seed_counties(s)
            s.add(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
            if seed is not None:
                seed(s)
            s.commit()
    finally:
        if dispose:
            engine.dispose()


def seed_counties(session: Session) -> None:
    existing = set(session.exec(select(models.County.name)).all())
    for pos, (name, short) in enumerate(terms.COUNTIES):
        if name not in existing:
            session.add(models.County(name=name, short=short, position=pos))
    session.flush()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def limit_statements(session: Session) -> None:
    """Bound each query of a read command on a server (ZHIBEN_STATEMENT_TIMEOUT): a report that
    cannot finish is cancelled with one line instead of holding a cron job forever."""
    seconds = dbfailure.statement_timeout()
    if session.get_bind().dialect.name == "postgresql" and seconds > 0:
        # Local to this command's transaction: nothing leaks to pooled connections.
        session.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": f"{int(seconds * 1000)}ms"})
