"""Every command that writes a file checks the target first: no silent overwrite, no new folders."""

from __future__ import annotations

import pytest

COMMANDS = [
    ("export", "overdue", "--as-of", "2025-07-01", "--to"),
    ("export", "template", "--county", "茌平", "--as-of", "2025-07-01", "--to"),
    ("report", "--as-of", "2025-07-01", "--to"),
]
NAMES = {"export": "逾期.xlsx", "report": "报告.html"}


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_existing_file_is_kept_unless_force(cli, tmp_path, args):
    out = tmp_path / "out"
    out.mkdir()
    target = out / NAMES[args[0]]
    target.write_bytes(b"keep me")
    r = cli(*args, str(target))
    assert (r.exit_code, r.output) == (2, f"错误:文件已存在:{target};如需覆盖请加 --force\n")
    assert target.read_bytes() == b"keep me"
    r = cli(*args, str(target), "--force")
    assert r.exit_code == 0, r.output
    assert target.read_bytes() != b"keep me" and target.stat().st_size > 1000
    assert [p.name for p in out.iterdir()] == [target.name]  # no temporary file left behind


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_missing_folder_is_refused_and_not_created(cli, tmp_path, args):
    target = tmp_path / "missing" / "dir" / NAMES[args[0]]
    r = cli(*args, str(target))
    assert (r.exit_code, r.output) == (2, f"错误:目录不存在:{target.parent};请先创建该目录或换一个路径\n")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_existing_folder_is_refused_before_the_work(cli, tmp_path, args, monkeypatch):
    from zhiben.reports import rows

    def boom(*a, **k):  # the target is checked before any query runs
        raise AssertionError("work started before the target was checked")

    monkeypatch.setattr(rows, "overdue", boom)
    monkeypatch.setattr(rows, "upcoming", boom)
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    r = cli(*args, str(folder), "--force")
    assert r.exit_code == 2
    assert r.output.startswith(f"错误:{folder} 是目录;请给出文件名")


@pytest.mark.sqlite_only("backup copies a SQLite file; PostgreSQL is refused before the target is checked")
def test_backup_uses_the_same_rule(cli, tmp_path):
    r = cli("backup", str(tmp_path))
    assert r.exit_code == 2 and r.output.startswith(f"错误:{tmp_path} 是目录;请给出备份文件名")


def test_a_folder_without_a_suffix_is_named_as_a_folder(cli, tmp_path):
    r = cli("export", "overdue", "--to", str(tmp_path))
    assert r.exit_code == 2
    assert r.output.startswith(f"错误:{tmp_path} 是目录;请给出文件名")
