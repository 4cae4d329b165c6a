"""Backup and restore of a SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot while other processes keep reading and writing
(WAL content included), so a cron job can back up during office hours. Restore checks the file
first (a SQLite file, integrity_check ok, a zhiben schema not newer than this program), saves
the current database as `<db>.<timestamp>.bak` and copies the backup into the live database in one write
transaction: other users see either the old or the restored data, never a mixture.
PostgreSQL has its own tools (pg_dump / pg_restore); see docs/postgres.md.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from zhiben.db import failures as dbfailure
from zhiben.db import files, location
from zhiben.db.location import Location
from zhiben.errors import DatabaseError, InputError, os_reason
from zhiben.inputs.files import check_target, read_bytes

UNRESTORED = "未恢复"


@dataclass
class Restored:
    target: Path
    kept: Path | None
    version: int


def sqlite_path(db: str | Location, action: str) -> Path:
    where = db if isinstance(db, Location) else location.resolve(db)
    if where.backend != "sqlite":
        hint = ("pg_dump -Fc -f zhiben.dump <数据库地址>" if action == "备份"
                else "pg_restore --clean --if-exists -d <数据库地址> zhiben.dump")
        raise InputError(f"PostgreSQL 数据库请用 PostgreSQL 自带工具{action}:{hint}(见 docs/postgres.md)")
    if where.path is None:
        raise InputError(f"内存数据库无法{action}")
    return where.path


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
    if readonly and not files.writable(path.parent) and not path.with_name(path.name + "-wal").exists():
        # A read-only folder cannot hold the lock files; nobody can be writing it either (no -wal).
        uri += "&immutable=1"
    con = sqlite3.connect(uri, uri=True, timeout=dbfailure.busy_timeout())
    con.execute(f"PRAGMA busy_timeout={int(dbfailure.busy_timeout() * 1000)}")
    return con


def _fail(what: str, exc: BaseException) -> DatabaseError:
    return DatabaseError(f"{what}:{dbfailure.describe(exc)}")


def backup(db: str | Location, dest: Path, *, force: bool = False) -> Path:
    """Copy the database `db` to `dest` (refuses to overwrite unless `force`)."""
    src = sqlite_path(db, "备份")
    if not src.is_file():
        raise InputError(f"数据库不存在:{src}")
    dest = Path(dest)
    if dest.resolve() == src.resolve():
        raise InputError("备份文件不能是数据库本身")
    check_target(dest, force=force, what="备份文件")
    # Written beside the target and renamed, so an interrupted backup never leaves half a file
    # under the name the user asked for.
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        # Read-only: a backup only reads (and so works from a read-only folder).
        source = _connect(src, readonly=True)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise _fail("备份失败", exc) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"无法写入备份文件 {dest}:{os_reason(exc)}") from None
    return dest


def verify(path: Path) -> int:
    """The schema version of a backup file, or a DatabaseError saying why it cannot be restored.

    The same check as every database open (db/files.check: SQLite, zhiben's, a version this release
    can use), then SQLite's integrity check: a restore must never replace good data with bad.
    """
    path = Path(path)
    read_bytes(path, what="备份文件", error=InputError, limit=len(files.MAGIC))  # missing, folder, unreadable
    version = files.check(path, read_only=True, what="备份文件", outcome=UNRESTORED)
    try:
        con = _connect(path, readonly=True)
        try:
            check = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise _fail(f"备份文件 {path} 无法作为数据库读取,{UNRESTORED}", exc) from None
    if check != ["ok"]:
        raise DatabaseError(f"备份文件 {path} 已损坏(完整性检查未通过:{check[0]});{UNRESTORED}")
    return version


def keep_path(target: Path, now: dt.datetime | None = None) -> Path:
    """A new name for the pre-restore copy: every earlier database stays recoverable."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = target.with_name(f"{target.name}.{stamp}.bak")
    n = 2
    while path.exists():
        path = target.with_name(f"{target.name}.{stamp}-{n}.bak")
        n += 1
    return path


def _replaceable(target: Path) -> None:
    """Restore replaces a zhiben database, even a damaged one (that is what backups are for), but never
    a file that is not one: a wrong --db must not turn another program's file into a .bak."""
    try:
        files.check(target, what="恢复目标", outcome=UNRESTORED)
    except DatabaseError:
        if not files.has_meta(target):
            raise


def restore(db: str | Location, source: Path) -> Restored:
    """Replace the database `db` with the verified backup `source`; the old one is kept as
    `<db>.<timestamp>.bak` (a new file each time, never overwritten)."""
    target = sqlite_path(db, "恢复")
    source = Path(source)
    version = verify(source)
    if target.exists() and source.resolve() == target.resolve():
        raise InputError("备份文件就是当前数据库,无需恢复")
    if not target.parent.is_dir():
        raise InputError(f"目录不存在:{target.parent};请先创建该目录或换一个路径")
    if target.is_file():
        _replaceable(target)
    kept = None
    try:
        if target.is_file():
            kept = keep_path(target)
            backup(str(target), kept)
        src = _connect(source, readonly=True)
        try:
            live = _connect(target)
            try:
                # One step (pages=-1): the whole copy happens inside one write transaction.
                src.backup(live)
            finally:
                live.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise _fail("恢复失败,当前数据库未改动", exc) from None
    return Restored(target=target, kept=kept, version=version)
