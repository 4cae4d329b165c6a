"""A database server that never answers, and passwords: a connect timeout bounds every command, and
no password reaches any output (init, connection errors, config show, backup)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from runner import ZhibenRunner
from zhiben.cli import app
from zhiben.db.location import mask

SECRET = "s3cret-口令"


def _run(*args: str, env: dict | None = None):
    return ZhibenRunner().invoke(app, list(args), env={"ZHIBEN_DB": None, **(env or {})})


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP listener that accepts connections and never says a word (a hung server, a wrong port)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in held:
        conn.close()


TIMEOUT_LINE = ("连接 PostgreSQL 服务器超时:服务器未应答(检查地址和端口是否确为 PostgreSQL、服务器是否过载、网络是否通畅;"
                "等待秒数默认 10,可用环境变量 ZHIBEN_CONNECT_TIMEOUT 或地址中的 ?connect_timeout= 调整)")


@pytest.mark.parametrize("how", ["env", "url"])
def test_a_silent_server_fails_within_the_connect_timeout_with_one_line(silent_port, how):
    url = f"postgresql+psycopg://u:{SECRET}@127.0.0.1:{silent_port}/x"
    env = {"ZHIBEN_CONNECT_TIMEOUT": "2"} if how == "env" else {"ZHIBEN_CONNECT_TIMEOUT": "600"}
    if how == "url":
        url += "?connect_timeout=2"
    start = time.monotonic()
    r = _run("--db", url, "overdue", env=env)
    elapsed = time.monotonic() - start
    shown = url.replace(SECRET, "***")
    assert (r.exit_code, r.output) == (4, f"错误:无法打开数据库 {shown}:{TIMEOUT_LINE}\n")
    assert 1.5 < elapsed < 10  # 2 s, not forever (and not the 600 s of the overridden variable)


def test_the_connect_timeout_defaults_to_ten_seconds(monkeypatch):
    from zhiben.db import engine as store

    monkeypatch.delenv("ZHIBEN_CONNECT_TIMEOUT", raising=False)
    args = store.server_args(make_url("postgresql+psycopg://u@h/x"))
    assert args["connect_timeout"] == 10
    monkeypatch.setenv("ZHIBEN_CONNECT_TIMEOUT", "abc")
    assert store.server_args(make_url("postgresql+psycopg://u@h/x"))["connect_timeout"] == 10
    monkeypatch.setenv("ZHIBEN_CONNECT_TIMEOUT", "30")
    assert store.server_args(make_url("postgresql+psycopg://u@h/x"))["connect_timeout"] == 30
    # The URL's own setting is left to the driver.
    assert "connect_timeout" not in store.server_args(make_url("postgresql+psycopg://u@h/x?connect_timeout=5"))


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://zhiben:{SECRET}@127.0.0.1:1/zhiben",
    f"postgresql+psycopg://zhiben@127.0.0.1:1/zhiben?password={SECRET}",
    f"postgresql+psycopg://zhiben:{SECRET}@127.0.0.1:1/zhiben?sslmode=disable&password={SECRET}",
    f"postgresql+psycopg://zhiben@127.0.0.1:1/zhiben?bogus_option=1&password={SECRET}",
])
def test_connection_errors_never_show_the_password(url):
    for args in (["overdue"], ["init"], ["log"], ["done", "mine-req-2-b", "--county", "茌平"], ["backup", "b.db"]):
        r = _run("--db", url, *args)
        assert r.exit_code in (2, 4), r.output
        assert r.output.startswith("错误:") and r.output.count("\n") == 1, r.output
        assert SECRET not in r.output and "s3cret" not in r.output, r.output


def test_config_show_masks_the_database_password(tmp_path):
    url = f"postgresql+psycopg://zhangsan:{SECRET}@10.20.0.5:5432/zhiben?password={SECRET}"
    env = {"ZHIBEN_CONFIG": str(tmp_path / "none.toml")}
    r = _run("--db", url, "config", "show", env=env)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "数据库:postgresql+psycopg://zhangsan:***@10.20.0.5:5432/zhiben?password=***  [--db]"
    r = _run("config", "show", env={**env, "ZHIBEN_DB": url})
    assert r.output.splitlines()[-1].endswith("?password=***  [环境变量 ZHIBEN_DB]")
    assert SECRET not in r.output


@pytest.mark.skipif(not os.environ.get("ZHIBEN_TEST_PG_URL"), reason="needs ZHIBEN_TEST_PG_URL")
def test_init_on_a_server_shows_the_address_without_the_password(db_url, backend):
    if backend != "postgresql":
        pytest.skip("needs the PostgreSQL backend")
    url = make_url(db_url)
    # The test server trusts loopback: any password is accepted, so the real one is not needed here.
    with_password = url.set(password=SECRET).render_as_string(hide_password=False) + f"?password={SECRET}"
    r = _run("--db", with_password, "init")
    assert r.exit_code == 0, r.output
    assert SECRET not in r.output and "s3cret" not in r.output
    shown = url.render_as_string(hide_password=False).replace("@", ":***@", 1) + "?password=***"
    assert r.output.splitlines()[0] == f"数据库:{shown}"


@pytest.mark.parametrize(("text", "masked"), [
    ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:***@h/db"),
    ("postgresql://u:p%40ss@h:5/db?sslmode=require&password=x&a=1",
     "postgresql://u:***@h:5/db?sslmode=require&password=***&a=1"),
    ("host=h user=u password=secret dbname=x", "host=h user=u password=*** dbname=x"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("postgresql+psycopg://u:pa ss/w0rd@h/db", "postgresql+psycopg://u:***@h/db"),
    ("错误:无法打开数据库 postgresql://u:p@h:5/x:连接失败", "错误:无法打开数据库 postgresql://u:***@h:5/x:连接失败"),
    ("/home/张三/zhiben.db", "/home/张三/zhiben.db"),
])
def test_mask(text, masked):
    assert mask(text) == masked


def test_a_read_that_runs_too_long_on_a_server_is_cancelled_with_one_line(engine, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("statement timeouts are a server setting")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    from zhiben.db import engine as store
    from zhiben.db import failures

    monkeypatch.setenv(failures.STATEMENT_ENV, "1")
    with Session(engine) as s:
        store.limit_statements(s)
        assert s.execute(text("SHOW statement_timeout")).scalar() == "1s"
        with pytest.raises(OperationalError) as info:
            s.execute(text("SELECT pg_sleep(3)"))
    assert failures.describe(info.value) == "查询超过 1 秒仍未完成,已取消(可用环境变量 ZHIBEN_STATEMENT_TIMEOUT 调整秒数)"
    with Session(engine) as s:  # local to that transaction: other sessions are not limited
        assert s.execute(text("SHOW statement_timeout")).scalar() == "0"


@pytest.mark.parametrize(("url", "kind"), [("mysql://u:pw@h/x", "mysql"), ("nonsense://u:pw@h/x", "nonsense")])
def test_an_unsupported_database_kind_is_one_line(url, kind):
    r = _run("--db", url, "overdue")
    assert (r.exit_code, r.output) == (4, f"错误:不支持的数据库类型“{kind}”:{url.replace(':pw@', ':***@')};zhiben 使用 "
                                          "SQLite 文件(写文件路径即可)或 PostgreSQL(postgresql+psycopg://用户@服务器/库名,"
                                          "见 docs/postgres.md)\n")


def test_a_password_with_spaces_in_the_query_is_masked_whole():
    r = _run("--db", "postgresql+psycopg://u@127.0.0.1:1/x?sslmode=disable&password=a b;c", "overdue")
    assert r.output.startswith("错误:无法打开数据库 postgresql+psycopg://u@127.0.0.1:1/x?sslmode=disable&password=***:")


@pytest.mark.parametrize(("value", "seconds"), [("5", 5.0), ("inf", 86400.0), ("1e30", 86400.0), ("nan", 300.0),
                                                ("-1", 300.0), ("abc", 300.0), ("0", 0.0)])
def test_timeouts_from_the_environment_are_bounded(monkeypatch, value, seconds):
    from zhiben.db import failures

    monkeypatch.setenv(failures.STATEMENT_ENV, value)
    assert failures.statement_timeout() == seconds
    monkeypatch.setenv(failures.CONNECT_ENV, value)
    assert 2 <= failures.connect_timeout() <= 3600
