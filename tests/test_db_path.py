"""A mistyped --db / ZHIBEN_DB path never starts a new empty database; only the default location does."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zhiben.cli import app

pytestmark = pytest.mark.sqlite_only("database files and folders")


def _run(*args, env=None):
    return CliRunner().invoke(app, list(args), env={"ZHIBEN_DB": None, **(env or {})})


def _missing(path) -> str:
    return (f"错误:数据库文件不存在:{path};请检查 --db 或环境变量 ZHIBEN_DB 的路径,"
            f"如确要在此新建数据库请运行 zhiben --db {path} init(未创建任何文件)\n")


def test_a_mistyped_db_option_leaves_no_file_behind(tmp_path, db_url):
    typo = tmp_path / "h_typo.db"
    r = _run("--db", str(typo), "done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20")
    assert (r.exit_code, r.output) == (4, _missing(typo))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zhiben.db"]
    r = _run("--db", f"sqlite:///{typo}", "overdue")
    assert (r.exit_code, r.output) == (4, _missing(typo))
    assert not typo.exists()


def test_a_mistyped_environment_variable_creates_no_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = _run("log", env={"ZHIBEN_DB": "nope/a.db"})
    assert (r.exit_code, r.output) == (4, _missing(tmp_path / "nope" / "a.db"))
    assert list(tmp_path.iterdir()) == []


def test_init_creates_a_database_where_asked_then_everything_uses_it(tmp_path):
    path = tmp_path / "新建" / "zhiben.db"
    r = _run("init", env={"ZHIBEN_DB": str(path)})
    assert r.exit_code == 0, r.output
    assert path.is_file()
    r = _run("--db", str(path), "done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--by", "李明")
    assert (r.exit_code, r.output) == (0, "已完成:chem-guard-1-a 县级“茌平区”,完成日期 2025-06-20\n")


def test_the_default_location_is_created_on_first_use(tmp_path):
    r = _run("overdue", "--as-of", "2024-01-01", "-f", "csv", env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert r.exit_code == 0, r.output
    assert (tmp_path / "data" / "zhiben" / "zhiben.db").is_file()
