"""SQLite files: what may be opened as a zhiben database, and how a new one comes into being.

An existing file is only ever read here (opened read-only) until it has proved to be a zhiben
database of a version this release can use, so a wrong `--db` (an empty file, a spreadsheet,
another program's SQLite database) is refused byte-for-byte unchanged: no tables written into
it, no switch to WAL. A new database is built under a temporary name in the same folder and
hard-linked into place, which fails if the name exists: of several processes creating the
default database at once on a fresh machine, one wins and the others use its complete file.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from zhiben.db import failures as dbfailure
from zhiben.db import server, version
from zhiben.db.location import Location
from zhiben.db.read import PsycopgSource, SqliteSource
from zhiben.errors import DatabaseError, os_reason

MAGIC = b"SQLite format 3\x00"


def uri(path: Path, *, read_only: bool = False, immutable: bool = False) -> str:
    query = "&".join(q for q, on in (("mode=ro", read_only), ("immutable=1", immutable)) if on)
    return path.resolve().as_uri() + (f"?{query}" if query else "")


def exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False  # unusable name: opening reports why


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Only raised by mkdir: the missing part is a parent that cannot be made.
        reason = "上级目录不存在且无法创建" if exc.errno == errno.ENOENT else os_reason(exc)
        raise DatabaseError(f"无法创建数据库目录 {folder}:{reason}") from None


def listed(tables: list[str], shown: int = 5) -> str:
    names = "、".join(tables[:shown]) + ("等" if len(tables) > shown else "")
    return f"{len(tables)} 个表:{names}"


def check(path: Path, *, read_only: bool = False, what: str = "数据库", outcome: str = version.UNTOUCHED) -> int:
    """The schema version of the existing file `path`, or a DatabaseError saying why it is not usable."""
    where = f"{what} {path}"
    if not path.is_file():
        raise DatabaseError(f"{what}路径不是普通文件:{path}")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(MAGIC))
    except OSError as exc:
        raise DatabaseError(f"无法读取{where}:{os_reason(exc)}") from None
    if not head:
        raise DatabaseError(f"{where} 是空文件,不是 zhiben 数据库;{outcome}")
    if head != MAGIC:
        raise DatabaseError(f"{where} 不是 SQLite 数据库文件;{outcome}")
    try:
        con = sqlite3.connect(uri(path, read_only=True, immutable=read_only), uri=True,
                              timeout=dbfailure.busy_timeout())
        try:
            src = SqliteSource(con)
            found = version.read(src, where, outcome)
            tables = src.tables() if found is None else []
        finally:
            con.close()
    except sqlite3.Error as exc:
        if what != "数据库":  # a backup or a restore target: "restore from a backup" is no advice here
            raise DatabaseError(f"{where} 已损坏或无法读取({dbfailure.detail(exc)});{outcome}") from None
        raise DatabaseError(f"无法打开{where}:{dbfailure.describe(exc)};{outcome}") from None
    if found is None:
        kind = f"其他程序的 SQLite 数据库({listed(tables)})" if tables else "空的 SQLite 数据库(没有任何表)"
        raise DatabaseError(f"{where} 是{kind},不是 zhiben 数据库;{outcome}")
    return found


def has_meta(path: Path) -> bool:
    """Whether the SQLite file `path` has zhiben's meta table (whatever its version says)."""
    try:
        con = sqlite3.connect(uri(path, read_only=True), uri=True)
        try:
            return SqliteSource(con).has_table("meta")
        finally:
            con.close()
    except sqlite3.Error:
        return False


def create(path: Path, build: Callable[[str], None]) -> bool:
    """Build a new database with `build(url)` under a temporary name, then link it in as `path`.
    False when another process linked its own first (then that one is the database)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        build("sqlite:///" + str(tmp).replace("%", "%25").replace("?", "%3F"))
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False  # another process made it first: everyone uses that one
        except OSError:
            # No hard links on this file system (some network shares): a rename can only lose the
            # race by replacing an equally new, still empty-of-records database.
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    except OSError as exc:
        raise DatabaseError(f"无法创建数据库 {path}:{os_reason(exc)}") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal"), tmp.with_name(tmp.name + "-wal"),
                         tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def writable(folder: Path) -> bool:
    """Whether this process may write in the database's folder (a read-only share: not)."""
    return os.access(folder, os.W_OK)


def open_lean(where: Location) -> SqliteSource | PsycopgSource | None:
    """A lean read source on an existing database at the current schema version: a SqliteSource on
    a file, a PsycopgSource on a server (db/server.py); or None, and the full path opens it."""
    return open_reader(where) if where.path is not None else server.open_reader(where)


def open_lean_writer(where: Location) -> SqliteSource | PsycopgSource | None:
    """A lean source `done`/`reopen` can write through (tracking/marks.py), or None for the full path."""
    if where.path is None:
        return server.open_writer(where)
    return open_reader(where) if writable(where.path.parent) else None


def open_reader(where: Location) -> SqliteSource | None:
    """A SqliteSource on an existing SQLite file at the current schema version, or None (then the
    full path opens it: PostgreSQL, a database to create or upgrade, a file to refuse)."""
    if where.path is None or not where.path.is_file():
        return None
    try:
        src = SqliteSource(sqlite3.connect(where.path, timeout=dbfailure.busy_timeout()))
    except sqlite3.Error:
        return None
    return version.if_current(src, where.shown, sqlite3.Error)
