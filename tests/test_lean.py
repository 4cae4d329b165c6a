"""The lean read path: report commands on a current database (a SQLite file through sqlite3, a
PostgreSQL server through psycopg) load neither SQLAlchemy nor sqlmodel."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import sys
from zhiben.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in ("sqlalchemy", "sqlmodel") if m in sys.modules)
    print("LOADED:" + ",".join(heavy), file=sys.stderr)
"""


def _run(db: str, *args: str) -> tuple[str, str]:
    p = subprocess.run([sys.executable, "-c", PROBE, "--db", db, *args], capture_output=True, text=True,
                       encoding="utf-8", timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout, p.stderr.strip().splitlines()[-1]


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("overdue", "--as-of", "2026-06-30", "-f", "json"),
    ("overdue", "--county", "茌平", "--as-of", "2026-06-30"),
    ("upcoming", "--days", "30", "--as-of", "2026-06-30", "-f", "json"),
    ("progress", "--by", "county", "--as-of", "2026-06-30"),
])
def test_report_commands_do_not_load_sqlalchemy(db_url, cli, args):
    out, loaded = _run(db_url, *args)
    assert loaded == "LOADED:"
    # …and print exactly what the full path prints.
    assert out == cli(*args).output


@pytest.mark.slow
@pytest.mark.sqlite_only("the lean path is the sqlite3 driver")
def test_an_old_database_still_takes_the_full_path_and_is_upgraded(db_url):
    import sqlite3

    path = db_url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.execute("DROP TABLE occurrence")
    con.commit()
    con.close()
    out, loaded = _run(db_url, "overdue", "--county", "茌平", "--as-of", "2026-06-30", "-f", "json")
    assert loaded == "LOADED:sqlalchemy,sqlmodel"
    assert len(json.loads(out)) > 0
    out, loaded = _run(db_url, "overdue", "--county", "茌平", "--as-of", "2026-06-30", "-f", "json")
    assert loaded == "LOADED:"


@pytest.mark.slow
@pytest.mark.sqlite_only("the lean path is the sqlite3 driver")
def test_done_and_reopen_touch_one_row_without_sqlalchemy(db_url, cli):
    args = ("mine-req-2-b", "--county", "茌平", "--period", "2024-06")
    out, loaded = _run(db_url, "done", *args, "--on", "2024-07-02")
    assert loaded == "LOADED:"
    assert out == "已完成:mine-req-2-b 县级“茌平区” 周期 2024年6月,完成日期 2024-07-02\n"
    assert cli("check").exit_code == 0  # the one occurrence row carries the date
    assert json.loads(cli("log", "-f", "json").output)[0]["action"] == "完成"
    out, loaded = _run(db_url, "reopen", *args)
    assert (out, loaded) == ("已撤销完成:mine-req-2-b 县级“茌平区” 周期 2024年6月\n", "LOADED:")
    assert cli("check").exit_code == 0
    # A case the lean path leaves alone (a period to normalise) takes the full path, same result.
    out, loaded = _run(db_url, "done", "mine-req-2-b", "--county", "茌平", "--period", "2024-6", "--on", "2024-07-02")
    assert out.startswith("已完成:mine-req-2-b 县级“茌平区” 周期 2024年6月") and loaded == "LOADED:sqlalchemy,sqlmodel"


@pytest.mark.slow
def test_done_and_reopen_do_not_load_sqlalchemy_and_keep_the_table_right(db_url, cli):
    args = ("mine-req-2-b", "--county", "茌平", "--period", "2025-04")
    out, loaded = _run(db_url, "done", *args, "--on", "2025-05-06")
    assert (out, loaded) == ("已完成:mine-req-2-b 县级“茌平区” 周期 2025年4月,完成日期 2025-05-06\n", "LOADED:")
    assert cli("check").exit_code == 0
    assert "2025-05-06" in cli("log", "-n", "1", "-f", "json").output
    out, loaded = _run(db_url, "reopen", *args)
    assert (out, loaded) == ("已撤销完成:mine-req-2-b 县级“茌平区” 周期 2025年4月\n", "LOADED:")
    assert cli("check").exit_code == 0
