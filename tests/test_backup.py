"""zhiben backup / restore: online copies, verified restores, every replaced database kept as a timestamped .bak."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dbstate import snapshot
from zhiben.db import models

pytestmark = pytest.mark.sqlite_only("backup/restore copy SQLite files; PostgreSQL uses pg_dump")

FIXTURE = Path(__file__).parent / "fixtures" / "zhiben-v0.db"
WORKER = Path(__file__).parent / "cliworker.py"


def _path(db_url: str) -> Path:
    return Path(make_url(db_url).database)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _done(cli, period: str):
    r = cli("done", "mine-req-2-b", "--county", "茌平", "--period", period, "--on", "2024-12-01")
    assert r.exit_code == 0, r.output


def _periods(db_url: str) -> set[str]:
    con = sqlite3.connect(_path(db_url))
    try:
        return {r[0] for r in con.execute("SELECT period FROM completion")}
    finally:
        con.close()


def test_backup_then_restore_round_trip_keeps_the_replaced_database_as_bak(tmp_path, db_url, cli):
    _done(cli, "2024-03")
    dest = tmp_path / "备份.db"
    r = cli("backup", str(dest))
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"已备份到 {dest}(")
    assert _periods(f"sqlite:///{dest}") == {"2024-03"}

    _done(cli, "2024-04")
    r = cli("restore", str(dest))
    db = _path(db_url)
    assert r.exit_code == 0, r.output
    kept = _kept(db)
    assert len(kept) == 1
    assert r.output.splitlines() == [f"已从 {dest} 恢复数据库 {db}(结构版本 {models.SCHEMA_VERSION})",
                                     f"恢复前的数据库已保存为 {kept[0]}(如需找回:zhiben restore {kept[0]})"]
    assert _periods(db_url) == {"2024-03"}
    assert _periods(f"sqlite:///{kept[0]}") == {"2024-03", "2024-04"}
    # The restored database is in use at once: reports and records work.
    r = cli("overdue", "--county", "茌平", "--as-of", "2024-05-10", "-f", "json")
    assert ("mine-req-2-b", "2024-04") in {(o["milestone_id"], o["period"]) for o in json.loads(r.output)}
    _done(cli, "2024-05")
    assert _periods(db_url) == {"2024-03", "2024-05"}


def _kept(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.*.bak"))


def test_two_restores_in_a_row_leave_both_earlier_databases_recoverable(tmp_path, db_url, cli):
    dest = tmp_path / "备份.db"
    assert cli("backup", str(dest)).exit_code == 0
    db = _path(db_url)
    _done(cli, "2024-03")
    assert cli("restore", str(dest)).exit_code == 0
    first_kept = _kept(db)
    _done(cli, "2024-04")
    r = cli("restore", str(dest))
    assert r.exit_code == 0, r.output
    kept = _kept(db)
    assert len(kept) == 2
    [new] = set(kept) - set(first_kept)
    assert r.output.splitlines()[-1] == f"恢复前的数据库已保存为 {new}(如需找回:zhiben restore {new})"
    # Same second or not, each copy has its own name and its own content.
    assert _periods(f"sqlite:///{first_kept[0]}") == {"2024-03"}
    assert _periods(f"sqlite:///{new}") == {"2024-04"}
    assert _periods(db_url) == set()
    # Either copy can be restored back.
    first = next(k for k in kept if _periods(f"sqlite:///{k}") == {"2024-03"})
    assert cli("restore", str(first)).exit_code == 0
    assert _periods(db_url) == {"2024-03"}
    assert len(_kept(db)) == 3


def test_backup_refuses_to_overwrite_without_force(tmp_path, db_url, cli):
    dest = tmp_path / "b.db"
    dest.write_bytes(b"keep me")
    r = cli("backup", str(dest))
    assert r.exit_code == 2
    assert r.output.strip() == f"错误:备份文件已存在:{dest};如需覆盖请加 --force"
    assert dest.read_bytes() == b"keep me"
    r = cli("backup", str(dest), "--force")
    assert r.exit_code == 0, r.output
    assert dest.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_backup_of_a_missing_database_or_to_a_missing_folder_is_refused(tmp_path, cli):
    missing = tmp_path / "none.db"
    r = cli("--db", str(missing), "backup", str(tmp_path / "b.db"))
    assert (r.exit_code, r.output.strip()) == (2, f"错误:数据库不存在:{missing}")
    assert not missing.exists()
    r = cli("backup", str(tmp_path / "no" / "b.db"))
    assert (r.exit_code, r.output.strip()) == (2, f"错误:目录不存在:{tmp_path / 'no'};请先创建该目录或换一个路径")


def _newer(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    shutil.copy(FIXTURE, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    return path


def _not_zhiben(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    return path


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    data = bytearray(FIXTURE.read_bytes())
    page = 4096
    for p in range(2, len(data) // page - 1, 3):  # scribble over every third page, keep the header
        data[p * page + 8: p * page + 400] = b"\xff" * 392
    path.write_bytes(bytes(data))
    return path


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库\n", encoding="utf-8")
    return path


def _version(value: str | None):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "damaged.db"
        shutil.copy(FIXTURE, path)
        con = sqlite3.connect(path)
        if value is None:
            con.execute("DELETE FROM meta WHERE key = 'schema_version'")
        else:
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
        con.commit()
        con.close()
        return path
    return make


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.db"
    path.touch()
    return path


DAMAGED = f"应为 1 至 {models.SCHEMA_VERSION} 的整数);未恢复"
BAD = {
    "text": (_text, "不是 SQLite 数据库文件;未恢复"),
    "empty": (_empty, "是空文件,不是 zhiben 数据库;未恢复"),
    "not zhiben": (_not_zhiben, "是其他程序的 SQLite 数据库(1 个表:t),不是 zhiben 数据库;未恢复"),
    "newer": (_newer, f"由更新版本的 zhiben 创建(结构版本 99,本程序支持 {models.SCHEMA_VERSION}),请升级 zhiben 后再使用;未恢复"),
    "version 0": (_version("0"), f"的结构版本记录已损坏(meta.schema_version 为“0”,{DAMAGED}"),
    "version abc": (_version("abc"), f"的结构版本记录已损坏(meta.schema_version 为“abc”,{DAMAGED}"),
    "version ''": (_version(""), f"的结构版本记录已损坏(meta.schema_version 为“”,{DAMAGED}"),
    "no version": (_version(None), "不是完整的 zhiben 数据库(meta 表中没有结构版本记录 schema_version);未恢复"),
    "corrupt": (_corrupt, "未恢复"),
}


@pytest.mark.parametrize("kind", BAD)
def test_restore_verifies_first_and_leaves_the_database_untouched(tmp_path, db_url, cli, kind):
    make, message = BAD[kind]
    bad = make(tmp_path)
    _done(cli, "2024-03")
    db = _path(db_url)
    before = snapshot(db_url)
    r = cli("restore", str(bad))
    assert r.exit_code == 4, r.output
    line = r.output.strip()
    assert line.startswith(f"错误:备份文件 {bad}") and line.endswith(message), line
    assert "\n" not in line
    assert "Traceback" not in r.output
    assert snapshot(db_url) == before
    assert _kept(Path(db)) == []


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path, cli):
    r = cli("restore", str(tmp_path / "无.db"))
    assert (r.exit_code, r.output.strip()) == (2, f"错误:找不到备份文件:{tmp_path / '无.db'}")


def test_restoring_an_older_release_backup_upgrades_it_on_next_use(tmp_path, db_url, cli):
    fixture_sha = _sha(FIXTURE)
    r = cli("restore", str(FIXTURE))
    assert r.exit_code == 0, r.output
    assert "(结构版本 1)" in r.output.splitlines()[0]
    r = cli("log", "-f", "json")
    assert [e["by"] for e in json.loads(r.output)] == ["李四", "张三", "张三"]
    assert ("'schema_version'", f"'{models.SCHEMA_VERSION}'") in snapshot(db_url)["meta"]
    assert _sha(FIXTURE) == fixture_sha  # the backup file itself is only read


@pytest.mark.slow
def test_backups_taken_while_another_process_writes_are_consistent(tmp_path, db_url):
    periods = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    plan = tmp_path / "writer.json"
    plan.write_text(json.dumps([["done", "mine-req-2-b", "--county", "茌平", "--period", p, "--on", "2025-12-31"]
                                for p in periods]), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, str(WORKER), db_url, str(plan)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8",
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    copies = []
    from zhiben.db import backup

    while writer.poll() is None or not copies:
        dest = tmp_path / f"copy{len(copies)}.db"
        backup.backup(db_url, dest)
        copies.append(dest)
    out, err = writer.communicate()
    assert json.loads(out.strip().splitlines()[-1]) == [0] * len(periods), err

    seen = []
    for dest in copies:
        con = sqlite3.connect(dest)
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        done = con.execute("SELECT count(*) FROM completion").fetchone()[0]
        audit = con.execute("SELECT count(*) FROM auditentry").fetchone()[0]
        con.close()
        assert done == audit  # each completion and its audit line are committed together
        seen.append(done)
    assert seen == sorted(seen) and seen[-1] <= len(periods)


def test_postgresql_backup_points_to_pg_dump(cli):
    url = "postgresql+psycopg://zhiben@127.0.0.1:1/zhiben"
    r = cli("--db", url, "backup", "x.dump")
    assert r.exit_code == 2
    assert r.output.strip() == ("错误:PostgreSQL 数据库请用 PostgreSQL 自带工具备份:"
                                "pg_dump -Fc -f zhiben.dump <数据库地址>(见 docs/postgres.md)")
    r = cli("--db", url, "restore", "x.dump")
    assert r.exit_code == 2
    assert "pg_restore" in r.output


@pytest.mark.parametrize("kind", ["empty", "text", "not zhiben"])
def test_restore_never_replaces_a_file_that_is_not_a_zhiben_database(tmp_path, kind):
    from runner import ZhibenRunner
    from zhiben.cli import app

    make, message = BAD[kind]
    (tmp_path / "target").mkdir()
    target = make(tmp_path / "target")
    digest = _sha(target)
    r = ZhibenRunner().invoke(app, ["--db", str(target), "restore", str(FIXTURE)])
    assert (r.exit_code, r.output) == (4, f"错误:恢复目标 {target} {message}\n")
    assert _sha(target) == digest
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_restore_replaces_a_database_whose_version_was_damaged(tmp_path, db_url, cli):
    backup = tmp_path / "good.db"
    assert cli("backup", str(backup)).exit_code == 0
    con = sqlite3.connect(_path(db_url))
    con.execute("UPDATE meta SET value = 'abc' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    assert cli("log").exit_code == 4
    r = cli("restore", str(backup))
    assert r.exit_code == 0, r.output
    assert len(_kept(_path(db_url))) == 1
    assert cli("log").output == "变更日志为空\n"
