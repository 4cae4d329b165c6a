"""Engine, sessions and first use.

`open_engine` resolves where the database lives, creates it on first use (tables, the eleven
county-level units, the packaged catalogue) and refuses a database made by a newer release.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session, SQLModel, create_engine, select

from zhiben import terms
from zhiben.db import failures as dbfailure
from zhiben.db import migrations, models, occurrences
from zhiben.errors import DatabaseError

occurrences.install()

Seed = Callable[[Session], None]
ENV_VAR = "ZHIBEN_DB"


def default_path() -> Path:
    from zhiben.db.read import default_path

    return default_path()


def resolve_url(db: str | None = None) -> str:
    """`--db` / ZHIBEN_DB: a SQLAlchemy URL or a file path; else the per-user default."""
    value = db or os.environ.get(ENV_VAR) or str(default_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def cli_url(db: str | None = None, *, create: bool = False) -> str:
    """The database the CLI opens, with the rule that no typo silently starts an empty database.

    Only the per-user default location is created on first use. A file named by `--db` or
    ZHIBEN_DB must already exist unless `create` (`zhiben init`): a cron job pointing at an
    unmounted share must fail, not report "no overdue items" from a brand-new file.
    """
    url = resolve_url(db)
    explicit = db or os.environ.get(ENV_VAR)
    if not explicit or create:
        return url
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # make_engine reports it
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:":
        return url
    try:
        exists = Path(path).exists()
        if exists and not Path(path).is_file():
            raise DatabaseError(f"数据库路径不是普通文件:{path}")
    except OSError as exc:  # a name longer than the file system allows
        from zhiben.errors import os_reason
        from zhiben.inputs.files import shown

        raise DatabaseError(f"无法使用数据库路径 {shown(path)}:{os_reason(exc)}") from None
    if not exists:
        from zhiben.inputs.files import shown

        raise DatabaseError(f"数据库文件不存在:{shown(path)};请检查 --db 或环境变量 {ENV_VAR} 的路径,"
                            f"如确要在此新建数据库请运行 zhiben --db {path} init(未创建任何文件)")
    return url


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside one writer; the busy timeout makes writers queue instead of
    # failing with "database is locked" when a cron job and an analyst write together.
    cur.execute(f"PRAGMA busy_timeout={int(dbfailure.busy_timeout() * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


def _read_only_engine(path: Path) -> Engine:
    """A database in a folder nobody may write (a read-only share, an archive): reading still works.

    SQLite needs to create -wal/-shm files beside the database even to read a WAL database; with
    the folder read-only no process can write it (a writer needs those files too), so it is opened
    immutable. Commands that write get SQLite's read-only error, reported by dbfailure.
    """
    import sqlite3

    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    event.listen(engine, "connect", _read_only_pragmas)
    return engine


def _read_only_pragmas(dbapi_conn, _record):
    dbapi_conn.execute("PRAGMA foreign_keys=ON")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"无法识别的数据库地址:{url}") from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:":
            folder = Path(path).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"无法创建数据库目录 {folder}:{_os_reason(exc)}") from None
            if not writable(folder):
                if not Path(path).is_file():
                    raise DatabaseError(f"数据库目录不可写:{folder}")
                return _read_only_engine(Path(path))
        engine = create_engine(url, connect_args={"timeout": dbfailure.busy_timeout()})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        # Sessions in UTC: stored times are UTC (models.UTCTime) whether the column has a zone or not.
        args = {"options": "-c timezone=UTC"} if parsed.get_backend_name() == "postgresql" else {}
        return create_engine(url, pool_pre_ping=True, connect_args=args)
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"缺少数据库驱动 {exc.name}:请安装 zhiben[postgres]") from None


def open_engine(db: str | None = None, *, seed: Seed | None = None) -> Engine:
    """Engine for `db`, creating the database on first use and handing the new one to `seed`.

    The seed (normally tracking.load.seed_packaged: the packaged catalogue) is passed in because
    loading a catalogue is tracking's job, above this package.
    """
    url = resolve_url(db)
    refuse_newer(sqlite_version(url))
    engine = make_engine(url)
    try:
        ensure_schema(engine, seed=seed)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"无法打开数据库 {_where(url)}:{dbfailure.describe(exc)}") from None
    return engine


def _where(url: str) -> str:
    parsed = make_url(url)
    return str(parsed.database) if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)


def _os_reason(exc: OSError) -> str:
    import errno

    from zhiben.errors import os_reason

    # Only ever raised here by mkdir: the missing part is a parent that cannot be made.
    return "上级目录不存在且无法创建" if exc.errno == errno.ENOENT else os_reason(exc)


def schema_version(engine: Engine) -> int | None:
    if not inspect(engine).has_table("meta"):
        return None
    with Session(engine) as s:
        row = s.get(models.Meta, "schema_version")
        return int(row.value) if row else None


def sqlite_version(url: str) -> int | None:
    """The schema version of an existing SQLite file, read without opening it for writing.

    Opening read-write would already switch a newer release's file to WAL, so it is checked first.
    """
    import sqlite3

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    path = Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None
    if path is None or not path.is_file():
        return None
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            con.close()
        return int(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None  # not ours or unreadable: the normal open reports it


def refuse_newer(version: int | None) -> None:
    if version is not None and version > models.SCHEMA_VERSION:
        raise DatabaseError(
            f"数据库由更新版本的 zhiben 创建(结构版本 {version},本程序支持 {models.SCHEMA_VERSION}),"
            "请升级 zhiben 后再使用;数据库未作任何改动"
        )


def ensure_schema(engine: Engine, *, seed: Seed | None = None) -> bool:
    """Create tables and seed on first use. Returns True when the database was new."""
    version = schema_version(engine)
    if version is not None:
        refuse_newer(version)
        migrations.upgrade(engine, version)
        return False
    try:
        SQLModel.metadata.create_all(engine)
        with Session(engine) as s:
            seed_counties(s)
            s.add(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
            if seed is not None:
                seed(s)
            s.commit()
    except DBAPIError:
        # Another process is creating the same new database right now: wait for it, then use it.
        import time

        for pause in (0.2, 0.5, 1, 2, 4):
            time.sleep(pause)
            if schema_version(engine) is not None:
                return ensure_schema(engine, seed=seed)
        raise
    return True


def seed_counties(session: Session) -> None:
    existing = set(session.exec(select(models.County.name)).all())
    for pos, (name, short) in enumerate(terms.COUNTIES):
        if name not in existing:
            session.add(models.County(name=name, short=short, position=pos))
    session.flush()


@contextmanager
def session_scope(engine: Engine):
    """One unit of work: commit on success, roll back everything on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
