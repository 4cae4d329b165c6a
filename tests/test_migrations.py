"""Schema versions: an earlier release's database upgrades in place; a newer one is refused untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from dbstate import snapshot
from zhiben.db import engine as store
from zhiben.db import migrations, models
from zhiben.errors import DatabaseError

FIXTURE = Path(__file__).parent / "fixtures" / "zhiben-v0.db"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_version_has_a_migration_step():
    assert sorted(migrations.MIGRATIONS) == list(range(1, models.SCHEMA_VERSION))


@pytest.mark.sqlite_only("the fixture is a database file made by schema version 1")
def test_schema_1_file_upgrades_in_place_keeping_every_record(tmp_path, cli):
    db = tmp_path / "old.db"
    shutil.copy(FIXTURE, db)
    url = f"sqlite:///{db}"
    before = snapshot(url)
    assert ("'schema_version'", "'1'") in before["meta"]

    r = cli("--db", str(db), "log", "-f", "json")
    assert r.exit_code == 0, r.output
    log = json.loads(r.output)
    assert [(e["action"], e["period"], e["by"]) for e in log] == [
        ("撤销", "2024-02", "李四"), ("完成", "2024-02", "张三"), ("完成", "2024-01", "张三")]

    after = snapshot(url)
    assert ("'schema_version'", f"'{models.SCHEMA_VERSION}'") in after["meta"]
    for table, rows in before.items():
        if table == "duedate":  # schema 6 adds bound (顺延), 'deadline' for every stored date
            assert [r[:-1] for r in after[table]] == rows and {r[-1] for r in after[table]} == {"'deadline'"}
        elif table != "meta":
            assert after[table] == rows, table
    con = sqlite3.connect(db)
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert "ix_auditentry_subject" in indexes

    # The upgraded file answers the reports: January was done on time, February was reopened.
    r = cli("--db", str(db), "overdue", "--county", "茌平", "--as-of", "2024-03-10", "-f", "json")
    assert r.exit_code == 0, r.output
    periods = {(o["milestone_id"], o["period"]) for o in json.loads(r.output)}
    assert ("mine-req-2-b", "2024-02") in periods
    assert ("mine-req-2-b", "2024-01") not in periods
    # Opening again changes nothing more.
    assert cli("--db", str(db), "log").exit_code == 0
    assert snapshot(url) == after


@pytest.mark.sqlite_only("compares the bytes of the database file")
def test_newer_database_file_is_refused_and_left_byte_for_byte_untouched(tmp_path, cli):
    (tmp_path / "newer").mkdir()
    db = tmp_path / "newer" / "newer.db"
    shutil.copy(FIXTURE, db)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(models.SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    digest = _sha(db)
    for args in (["overdue"], ["done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03"], ["load"]):
        r = cli("--db", str(db), *args)
        assert r.exit_code == 4
        assert r.output.strip() == (
            f"错误:数据库 {db} 由更新版本的 zhiben 创建(结构版本 {models.SCHEMA_VERSION + 1},本程序支持 "
            f"{models.SCHEMA_VERSION}),请升级 zhiben 后再使用;数据库未作任何改动")
    assert _sha(db) == digest
    assert [p.name for p in db.parent.iterdir()] == ["newer.db"]  # no -wal/-shm either


def test_newer_database_is_refused_on_any_backend(db_url, engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                     {"v": str(models.SCHEMA_VERSION + 5)})
    before = snapshot(db_url)
    with pytest.raises(DatabaseError, match="更新版本"):
        store.open_engine(db_url)
    assert snapshot(db_url) == before


def test_upgrade_path_runs_on_any_backend(db_url, engine):
    """Wind a current database back to schema 1 (drop what version 2 added) and reopen it."""
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_auditentry_subject"))
        conn.execute(text("ALTER TABLE event DROP COLUMN planned"))  # schema 5
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    engine.dispose()
    reopened = store.open_engine(db_url)
    try:
        names = {i["name"] for i in inspect(reopened).get_indexes("auditentry")}
        assert "ix_auditentry_subject" in names
        assert "planned" in {c["name"] for c in inspect(reopened).get_columns("event")}
        assert store.schema_version(reopened) == models.SCHEMA_VERSION
    finally:
        reopened.dispose()
