"""What may be opened as a zhiben database: empty and foreign files are refused byte-for-byte unchanged,
a damaged schema version is one line on every command, `init` only ever creates a new file."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from dbstate import snapshot
from runner import ZhibenRunner
from zhiben.cli import app
from zhiben.db import models

# Reads on the lean path, reads on the full path, a write, a catalogue load, init, a backup.
COMMANDS = [
    ["overdue"],
    ["log"],
    ["done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-02"],
    ["load"],
    ["init"],
]
DAMAGED = f"应为 1 至 {models.SCHEMA_VERSION} 的整数);数据库未作任何改动"


def _run(*args: str):
    return ZhibenRunner().invoke(app, list(args), env={"ZHIBEN_DB": None})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    con.execute("CREATE TABLE notes (body TEXT)")
    con.execute("INSERT INTO contacts VALUES ('张三', '0635-1234567')")
    con.commit()
    con.close()
    return path


def _no_tables(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 7")  # a valid SQLite file with no table at all
    con.commit()
    con.close()
    return path


FILES = {
    "empty": (lambda p: (p.touch(), p)[1], "是空文件,不是 zhiben 数据库;数据库未作任何改动"),
    "text": (lambda p: (p.write_text("姓名,电话\n", encoding="utf-8"), p)[1], "不是 SQLite 数据库文件;数据库未作任何改动"),
    "foreign": (_foreign, "是其他程序的 SQLite 数据库(2 个表:contacts、notes),不是 zhiben 数据库;数据库未作任何改动"),
    "no tables": (_no_tables, "是空的 SQLite 数据库(没有任何表),不是 zhiben 数据库;数据库未作任何改动"),
}


@pytest.mark.sqlite_only("database files")
@pytest.mark.parametrize("kind", FILES)
def test_a_file_that_is_not_a_zhiben_database_is_refused_unchanged(tmp_path, kind):
    make, message = FILES[kind]
    path = make(tmp_path / "other.db")
    digest = _sha(path)
    for args in COMMANDS:
        r = _run("--db", str(path), *args)
        assert (r.exit_code, r.output) == (4, f"错误:数据库 {path} {message}\n"), args
    r = _run("--db", f"sqlite:///{path}", "progress")
    assert (r.exit_code, r.output) == (4, f"错误:数据库 {path} {message}\n")
    assert _sha(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, -shm or journal either


@pytest.mark.sqlite_only("the per-user default database file")
def test_an_empty_file_at_the_default_location_is_refused_too(tmp_path):
    path = tmp_path / "data" / "zhiben" / "zhiben.db"
    path.parent.mkdir(parents=True)
    path.touch()
    r = ZhibenRunner().invoke(app, ["overdue"], env={"ZHIBEN_DB": None, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert (r.exit_code, r.output) == (4, f"错误:数据库 {path} 是空文件,不是 zhiben 数据库;数据库未作任何改动\n")
    assert path.read_bytes() == b""


def _set_version(db_url: str, value: str | None) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if value is None:
                conn.execute(text("DELETE FROM meta WHERE key = 'schema_version'"))
            else:
                conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": value})
    finally:
        engine.dispose()


VERSIONS = {
    "0": f"的结构版本记录已损坏(meta.schema_version 为“0”,{DAMAGED}",
    "-3": f"的结构版本记录已损坏(meta.schema_version 为“-3”,{DAMAGED}",
    "abc": f"的结构版本记录已损坏(meta.schema_version 为“abc”,{DAMAGED}",
    "": f"的结构版本记录已损坏(meta.schema_version 为“”,{DAMAGED}",
    "٣": f"的结构版本记录已损坏(meta.schema_version 为“٣”,{DAMAGED}",  # a digit, but not 0-9
    None: "不是完整的 zhiben 数据库(meta 表中没有结构版本记录 schema_version);数据库未作任何改动",
}


@pytest.mark.parametrize("value", VERSIONS)
def test_a_damaged_schema_version_is_one_line_on_every_command(db_url, cli, value):
    _set_version(db_url, value)
    before = snapshot(db_url)
    shown = db_url.removeprefix("sqlite:///")
    for args in [*COMMANDS, ["progress"], ["enterprise", "list"], ["config", "set", "effective", "2024-03-15"]]:
        r = cli(*args)
        assert (r.exit_code, r.output) == (4, f"错误:数据库 {shown} {VERSIONS[value]}\n"), args
    assert snapshot(db_url) == before


@pytest.mark.sqlite_only("compares file bytes")
def test_a_damaged_version_file_is_left_byte_for_byte_unchanged(db_url, cli):
    _set_version(db_url, "abc")
    path = Path(db_url.removeprefix("sqlite:///"))
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    digest = _sha(path)
    for args in COMMANDS:
        assert cli(*args).exit_code == 4
    assert _sha(path) == digest


@pytest.mark.sqlite_only("database files")
def test_init_creates_a_new_file_and_opens_an_existing_zhiben_database_unchanged(tmp_path):
    path = tmp_path / "新库.db"
    r = _run("--db", str(path), "init")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == f"数据库:{path}"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("新库.db")) == []  # no temporary left
    before = snapshot(f"sqlite:///{path}")
    r = _run("--db", str(path), "init")
    assert r.exit_code == 0, r.output
    assert snapshot(f"sqlite:///{path}") == before


def test_a_server_database_with_another_programs_tables_is_refused(db_url, backend, tmp_path):
    """The same rule on PostgreSQL: a database with tables but no zhiben version is not ours."""
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for table in sorted(models.SQLModel.metadata.tables, reverse=True):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE' if backend == "postgresql"
                                  else f'DROP TABLE IF EXISTS "{table}"'))
            conn.execute(text("CREATE TABLE contacts (name TEXT)"))
    finally:
        engine.dispose()
    before = snapshot(db_url)
    shown = db_url.removeprefix("sqlite:///")
    r = ZhibenRunner().invoke(app, ["--db", db_url, "init"])
    kind = "已有其他程序的表(1 个表:contacts)" if backend == "postgresql" else \
        "是其他程序的 SQLite 数据库(1 个表:contacts)"
    assert r.exit_code == 4, r.output
    assert r.output.startswith(f"错误:数据库 {shown} {kind}")
    assert snapshot(db_url) == before


@pytest.mark.sqlite_only("database files")
def test_a_copied_database_keeps_working(tmp_path, db_url, cli):
    """The refusals above must not catch a real database that merely lost its -wal/-shm files."""
    copy = tmp_path / "copy.db"
    shutil.copy(db_url.removeprefix("sqlite:///"), copy)
    r = _run("--db", str(copy), "log")
    assert (r.exit_code, r.output) == (0, "变更日志为空\n")


def test_a_damaged_date_setting_is_one_line_naming_it(db_url, cli):
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('effective', '2024-13-45')"))
    finally:
        engine.dispose()
    for args in (["overdue"], ["progress"], ["config", "unset", "effective"]):
        r = cli(*args)
        if args[0] == "config":  # the way out works
            assert r.exit_code == 0, r.output
            continue
        assert (r.exit_code, r.output) == (
            4, "错误:数据库设置 effective 的值“2024-13-45”不是日期;请用 zhiben config set effective YYYY-MM-DD 重新设置\n")
    assert cli("overdue", "-f", "csv").exit_code == 0
