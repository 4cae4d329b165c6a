"""A database that cannot be opened or written says so in one Chinese line, and nothing is changed.

Tests run as root in CI, so permissions are forced with paths chmod cannot help: a regular file
standing where a directory should be, and /proc.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dbstate import snapshot
from zhiben.catalogue import model as catalogue
from zhiben.db import engine as store
from zhiben.db import failures as dbfailure
from zhiben.tracking import load as loader


def test_a_file_where_the_database_directory_should_be(tmp_path, cli):
    blocker = tmp_path / "数据"
    blocker.write_text("not a folder", encoding="utf-8")
    r = cli("--db", str(blocker / "zhiben.db"), "init")
    assert r.exit_code == 4
    assert r.output.strip() == f"错误:无法创建数据库目录 {blocker}:已有同名文件,不是目录"
    r = cli("--db", str(blocker / "sub" / "zhiben.db"), "init")
    assert r.exit_code == 4
    assert r.output.strip() == f"错误:无法创建数据库目录 {blocker / 'sub'}:路径中有同名文件而不是目录"
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_an_unwritable_database_directory(cli):
    r = cli("--db", "/proc/zhiben/zhiben.db", "init")
    assert (r.exit_code, r.output.strip()) == (4, "错误:无法创建数据库目录 /proc/zhiben:上级目录不存在且无法创建")
    r = cli("--db", "/proc/self/zhiben.db", "init")
    assert r.exit_code == 4
    assert r.output.startswith("错误:") and "Traceback" not in r.output


@pytest.mark.sqlite_only("SQLite file locks")
def test_a_database_held_by_another_writer_gives_a_clear_message_after_the_busy_timeout(db_url, cli):
    path = make_url(db_url).database
    before = snapshot(db_url)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-02",
                env={dbfailure.BUSY_ENV: "0.2"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 4
    assert r.output.strip() == "错误:数据库正被其他程序占用,等待 0.2 秒后仍未释放;本次操作已撤销,请稍后重试"
    assert snapshot(db_url) == before
    # Once the other writer is gone the same command goes through.
    r = cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-02")
    assert r.exit_code == 0, r.output


@pytest.mark.sqlite_only("SQLite's page limit stands in for a full disk")
def test_a_full_disk_rolls_back_and_is_explained(tmp_path, db_url):
    path = make_url(db_url).database
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    before = snapshot(db_url)

    engine = store.make_engine(db_url)
    # Not one page more than the file has now: any growth fails exactly as on a full disk.
    event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages}"))
    text = catalogue.default_path().read_text(encoding="utf-8").replace('quote = "', 'quote = "' + "长" * 400)
    (tmp_path / "big.toml").write_text(text, encoding="utf-8")
    cat = catalogue.read(tmp_path / "big.toml")
    with pytest.raises(OperationalError) as info:
        with store.session_scope(engine) as s:
            loader.load(cat, session=s)
    engine.dispose()
    assert dbfailure.describe(info.value) == "磁盘已满,无法写入数据库;本次操作已撤销,数据未改动。请清理磁盘后重试"
    assert snapshot(db_url) == before


def test_an_unreachable_postgresql_server(cli):
    r = cli("--db", "postgresql+psycopg://zhiben@127.0.0.1:1/zhiben", "overdue")
    assert r.exit_code == 4
    line = r.output.strip()
    assert line.startswith("错误:无法打开数据库 postgresql+psycopg://zhiben@127.0.0.1:1/zhiben:"
                           "无法连接 PostgreSQL 服务器(检查地址、端口和服务是否启动):")
    assert "\n" not in line


@pytest.mark.skipif(not os.environ.get("ZHIBEN_TEST_PG_URL"), reason="needs ZHIBEN_TEST_PG_URL")
def test_a_missing_postgresql_database_points_to_the_docs(cli):
    url = make_url(os.environ["ZHIBEN_TEST_PG_URL"]).set(database="zhiben_no_such_db")
    r = cli("--db", url.render_as_string(hide_password=False), "overdue")
    assert r.exit_code == 4
    assert "PostgreSQL 数据库或对象不存在(数据库须由管理员先建好,见 docs/postgres.md)" in r.output
