"""Engine, sessions and first use.

`open_engine` resolves where the database lives, creates it on first use (tables, the eleven
county-level units, the packaged catalogue) and refuses a database made by a newer release.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from zhiben import counties, models
from zhiben.errors import DatabaseError

ENV_VAR = "ZHIBEN_DB"


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("zhiben", appauthor=False)) / "zhiben.db"


def resolve_url(db: str | None = None) -> str:
    """`--db` / ZHIBEN_DB: a SQLAlchemy URL or a file path; else the per-user default."""
    value = db or os.environ.get(ENV_VAR) or str(default_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside one writer; the busy timeout makes writers queue instead of
    # failing with "database is locked" when a cron job and an analyst write together.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


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
                raise DatabaseError(f"无法创建数据库目录 {folder}:{exc.strerror}") from None
            if not os.access(folder, os.W_OK):
                raise DatabaseError(f"数据库目录不可写:{folder}")
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"缺少数据库驱动 {exc.name}:请安装 zhiben[postgres]") from None


def open_engine(db: str | None = None, *, load_catalogue: bool = True) -> Engine:
    """Engine for `db`, creating and seeding the database on first use."""
    engine = make_engine(resolve_url(db))
    try:
        ensure_schema(engine, load_catalogue=load_catalogue)
    except OperationalError as exc:
        raise DatabaseError(f"无法打开数据库:{_short(exc)}") from None
    return engine


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0]


def schema_version(engine: Engine) -> int | None:
    if not inspect(engine).has_table("meta"):
        return None
    with Session(engine) as s:
        row = s.get(models.Meta, "schema_version")
        return int(row.value) if row else None


def ensure_schema(engine: Engine, *, load_catalogue: bool = True) -> bool:
    """Create tables and seed on first use. Returns True when the database was new."""
    version = schema_version(engine)
    if version is not None:
        if version > models.SCHEMA_VERSION:
            raise DatabaseError(
                f"数据库由更新版本的 zhiben 创建(结构版本 {version},本程序支持 {models.SCHEMA_VERSION}),"
                "请升级 zhiben 后再使用"
            )
        from zhiben import migrations

        migrations.upgrade(engine, version)
        return False
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        seed_counties(s)
        s.add(models.Meta(key="schema_version", value=str(models.SCHEMA_VERSION)))
        if load_catalogue:
            from zhiben import catalogue, loader

            loader.load(catalogue.read(), session=s)
        s.commit()
    return True


def seed_counties(session: Session) -> None:
    existing = set(session.exec(select(models.County.name)).all())
    for pos, (name, short) in enumerate(counties.COUNTIES):
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
