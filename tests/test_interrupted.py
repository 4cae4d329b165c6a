"""kill -9 in the middle of a load or an import leaves the database exactly as it was.

The process is stopped at the worst moment: every row written, the transaction not yet committed
(tests/held_commit.py runs the command with a SQLAlchemy hook that announces that moment and waits).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dbstate import snapshot
from zhiben.catalogue import model as catalogue
from zhiben.register import creditcode

pytestmark = pytest.mark.slow  # real processes, real timing

CSV_HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱"


def _changed_catalogue(tmp_path: Path) -> tuple[Path, int]:
    """The packaged catalogue with every entry retitled: loading it rewrites every milestone."""
    text = catalogue.default_path().read_text(encoding="utf-8")
    lines = [line.replace('title = "', 'title = "(修订)', 1) if line.startswith('title = "') and i > 10 else line
             for i, line in enumerate(text.splitlines())]
    path = tmp_path / "修订目录.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(catalogue.read(path).milestones)


def _register_csv(tmp_path: Path) -> tuple[Path, int]:
    rows = [f"{creditcode.complete(f'91371523{n:09d}')},聊城测试{n}号化工有限公司,茌平,化工/危险化学品,,橙,,," for n in range(1, 401)]
    path = tmp_path / "名册.csv"
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path, len(rows)


HELD = Path(__file__).parent / "held_commit.py"


def _zhiben(db_url: str, *args: str, hold: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    program = [str(HELD), str(hold)] if hold is not None else ["-m", "zhiben"]
    return subprocess.Popen([sys.executable, *program, "--db", db_url, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _kill_when_held(proc: subprocess.Popen, marker: Path) -> int:
    """Kill -9 the command once it holds before its commit; the number of rows it had written."""
    deadline = time.monotonic() + 300
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"command ended before holding: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("command never reached its commit")
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return int(marker.read_text(encoding="utf-8"))


def _integrity_ok(db_url: str) -> None:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        con = sqlite3.connect(url.database)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            con.close()


COMMANDS = {
    "load": (_changed_catalogue, ("load",), "已载入"),
    "enterprise import": (_register_csv, ("enterprise", "import"), "已导入"),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_kill_9_before_commit_leaves_the_database_as_it_was(tmp_path, db_url, name):
    make_input, command, success = COMMANDS[name]
    source, entries = make_input(tmp_path)
    before = snapshot(db_url)

    marker = tmp_path / "held"
    proc = _zhiben(db_url, *command, str(source), hold=marker)
    written = _kill_when_held(proc, marker)
    assert written >= entries  # killed after every entry was written, not at some earlier commit

    assert snapshot(db_url) == before
    _integrity_ok(db_url)

    # The database is not left locked, and the same command run to the end does write.
    out, err = _zhiben(db_url, *command, str(source)).communicate(timeout=300)
    assert err == "" and out.startswith(success), (out, err)
    assert snapshot(db_url) != before
