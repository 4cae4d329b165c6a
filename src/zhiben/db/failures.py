"""Database driver failures → one line of Chinese a user can act on.

SQLite and PostgreSQL report the same situations (busy, read-only, disk full, unreachable) in
their own English words; users see what happened and what to do, never the driver's text alone.
"""

from __future__ import annotations

import os
import sqlite3
import sys

from zhiben.db.location import mask

BUSY_ENV = "ZHIBEN_BUSY_TIMEOUT"
CONNECT_ENV = "ZHIBEN_CONNECT_TIMEOUT"
STATEMENT_ENV = "ZHIBEN_STATEMENT_TIMEOUT"

_PATTERNS = [
    (("database is locked", "database table is locked"),
     "数据库正被其他程序占用,等待 {busy} 秒后仍未释放;本次操作已撤销,请稍后重试"),
    (("readonly database", "read-only", "read only"),
     "数据库只读,无法写入(检查数据库文件及所在目录的权限,或磁盘是否以只读方式挂载);本次操作已撤销"),
    (("disk is full", "no space left", "disk full"),
     "磁盘已满,无法写入数据库;本次操作已撤销,数据未改动。请清理磁盘后重试"),
    (("unable to open database file",),
     "无法打开数据库文件(所在目录不存在、不可写,或路径中有同名文件)"),
    (("file is not a database", "file is encrypted"),
     "不是 zhiben 数据库文件(不是 SQLite 数据库或文件已损坏)"),
    (("malformed",),
     "数据库文件已损坏;请用 zhiben restore 从备份恢复"),
    (("password authentication failed",),
     "PostgreSQL 认证失败:用户名或密码错误"),
    (("does not exist",),
     "PostgreSQL 数据库或对象不存在(数据库须由管理员先建好,见 docs/postgres.md):{detail}"),
    (("permission denied",),
     "PostgreSQL 权限不足(请管理员授予该角色 zhiben_user 权限,见 docs/postgres.md):{detail}"),
    (("timeout expired", "connection timeout"),
     "连接 PostgreSQL 服务器超时:服务器未应答(检查地址和端口是否确为 PostgreSQL、服务器是否过载、网络是否通畅;"
     "等待秒数默认 10,可用环境变量 ZHIBEN_CONNECT_TIMEOUT 或地址中的 ?connect_timeout= 调整)"),
    (("statement timeout",),
     "查询超过 {statement} 秒仍未完成,已取消(可用环境变量 ZHIBEN_STATEMENT_TIMEOUT 调整秒数)"),
    (("connection refused", "could not connect", "connection failed", "server closed the connection",
      "could not translate host name"),
     "无法连接 PostgreSQL 服务器(检查地址、端口和服务是否启动):{detail}"),
]


def _seconds(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, default))
    except ValueError:
        return default
    if value != value or value < 0:  # NaN and negatives: the default
        return default
    return min(value, 86400.0)  # "inf" or 1e30 would overflow the drivers' integer settings: a day is plenty


def busy_timeout() -> float:
    """Seconds a writer waits for another writer before giving up (ZHIBEN_BUSY_TIMEOUT, default 30)."""
    return _seconds(BUSY_ENV, 30.0)


def connect_timeout() -> int:
    """Seconds to wait for a database server to answer a new connection (ZHIBEN_CONNECT_TIMEOUT,
    default 10): a server that accepts and never answers must not hang a cron job forever.
    libpq counts whole seconds and takes less than 2 as 2."""
    return max(2, min(int(_seconds(CONNECT_ENV, 10.0)), 3600))


def statement_timeout() -> float:
    """Seconds one query of a read command may run on a server (ZHIBEN_STATEMENT_TIMEOUT, default 300;
    0 = no limit)."""
    return _seconds(STATEMENT_ENV, 300.0)


def detail(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return mask(lines[0]) if lines else type(exc).__name__


def describe(exc: BaseException, *, waited: float | None = None) -> str:
    """`waited`: how long the command ran before the driver gave up. SQLite may give up on a busy
    database well before its timeout (a write that would break another's snapshot): the message
    says the wait that happened, never more than the timeout."""
    text = detail(exc)
    low = text.lower()
    limit = busy_timeout()
    busy = f"{limit:g}" if waited is None or waited >= limit * 0.95 else f"{waited:.1f}"
    for needles, message in _PATTERNS:
        if any(n in low for n in needles):
            return message.format(busy=busy, statement=f"{statement_timeout():g}", detail=text)
    if type(exc).__name__ == "IntegrityError":
        return "另一用户同时写入了同一条记录,本次操作已撤销;请重新执行(已存在的记录不会重复)"
    return f"数据库操作失败:{text}"


def is_driver_error(exc: BaseException) -> bool:
    """A failure reported by a database driver: SQLAlchemy's DBAPIError, or sqlite3's and psycopg's own
    errors where a command talks to the driver directly.

    SQLAlchemy is looked up, not imported: a command that never loaded it cannot have raised its errors,
    and importing it only to find that out would cost every command its start-up time.
    """
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.DBAPIError):
        return True
    psycopg = sys.modules.get("psycopg")
    return isinstance(exc, sqlite3.Error) or (psycopg is not None and isinstance(exc, psycopg.Error))
