"""A database in a read-only folder (an archive, a read-only share): reading works, writing says why."""

from __future__ import annotations

import pytest

from zhiben.db import files

pytestmark = pytest.mark.sqlite_only("a database file in a folder")


@pytest.fixture
def read_only_folder(monkeypatch, cli):
    # The suite may run as root, for whom every folder is writable; the check is what matters.
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--by", "李明").exit_code == 0
    monkeypatch.setattr(files, "writable", lambda folder: False)


def test_read_only_commands_work(cli, read_only_folder, db_url):
    r = cli("log", "-f", "json")
    assert r.exit_code == 0, r.output
    assert '"by": "李明"' in r.output
    for args in (("overdue", "--as-of", "2025-07-01", "-f", "csv"), ("progress", "-f", "plain"),
                 ("catalogue", "show", "chem-guard-1-a")):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)


def test_writing_gives_the_read_only_message_and_changes_nothing(cli, read_only_folder):
    r = cli("done", "chem-guard-1-a", "--county", "冠县", "--on", "2025-06-20")
    assert (r.exit_code, r.output) == (
        4, "错误:数据库只读,无法写入(检查数据库文件及所在目录的权限,或磁盘是否以只读方式挂载);本次操作已撤销\n")
    assert cli("log", "-f", "json").output.count('"milestone_id"') == 1


def test_a_new_database_in_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "writable", lambda folder: False)
    from runner import ZhibenRunner
    from zhiben.cli import app

    r = ZhibenRunner().invoke(app, ["--db", str(tmp_path / "new.db"), "init"])
    assert (r.exit_code, r.output) == (4, f"错误:数据库目录不可写:{tmp_path}\n")
    assert not (tmp_path / "new.db").exists()
