"""Bounded inputs: over-long fields, huge files and endless error lists get a clear, short answer."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from zhiben.db import models
from zhiben.inputs import limits
from zhiben.register import creditcode
from zhiben.register import entries as register

HEADER = "统一社会信用代码,企业名称,所属县区,行业"


def code(n: int) -> str:
    return creditcode.complete(f"91371523{n:09d}")


def csv_file(path, rows: list[str]):
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return path


def count(session) -> int:
    return session.execute(select(func.count()).select_from(models.Enterprise)).scalar()


def test_an_over_long_enterprise_name_is_refused(cli, session):
    r = cli("enterprise", "add", "--code", code(1), "--name", "名" * 30_000, "--county", "茌平", "--sector", "chem")
    assert (r.exit_code, r.output) == (2, "错误:企业名称过长(30000 个字符,最多 100 个)\n")
    assert count(session) == 0


def test_over_long_cells_in_a_register_are_reported_by_row_and_column(cli, session, tmp_path):
    path = csv_file(tmp_path / "名册.csv", [f"{code(1)},{'名' * 5000},茌平,chem", f"{code(2)},正常企业,茌平,chem"])
    r = cli("enterprise", "import", str(path))
    assert r.exit_code == 3
    assert r.output.splitlines() == [f"错误:{path}: 1 行有问题(共 1 处),未导入任何数据",
                                     f"  {path}:2:企业名称: 企业名称过长(5000 个字符,最多 100 个)"]
    assert count(session) == 0


def test_error_lists_print_the_first_fifty_and_a_count(cli, tmp_path):
    path = csv_file(tmp_path / "名册.csv", [f"{code(n)},企业{n},火星区,chem" for n in range(1, 121)])
    r = cli("enterprise", "import", str(path))
    assert r.exit_code == 3
    lines = r.output.splitlines()
    assert lines[0] == f"错误:{path}: 120 行有问题(共 120 处),未导入任何数据"
    assert len(lines) == 1 + 50 + 1
    assert lines[1].startswith(f"  {path}:2:所属县区: 未知的县(市、区)“火星区”")
    assert lines[-1] == "  ……另有 70 处问题未列出(共 120 处)"


def test_a_file_far_beyond_any_register_is_refused_before_reading(cli, tmp_path):
    path = tmp_path / "巨大.csv"
    with path.open("wb") as fh:  # sparse: takes no disk space
        fh.truncate(limits.MAX_FILE_BYTES + 1)
    r = cli("enterprise", "import", str(path))
    assert (r.exit_code, r.output) == (
        3, f"错误:{path}: 文件过大(50 MB),远超任何名册或填报表(上限 50 MB);请确认选对了文件\n")
    r = cli("status", "import", str(path))
    assert r.exit_code == 3 and "文件过大" in r.output


def _xlsx(path, n_rows: int):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for n in range(1, n_rows + 1):
        ws.append([code(n), f"企业{n}", "茌平", "chem"])
    wb.save(path)
    return path


def test_too_many_rows_are_refused(cli, session, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    xlsx = _xlsx(tmp_path / "名册.xlsx", 20)
    r = cli("enterprise", "import", str(xlsx))
    assert (r.exit_code, r.output) == (3, f"错误:{xlsx}: 行数超过 10 行,远超任何名册;请确认选对了文件(未导入任何数据)\n")
    path = csv_file(tmp_path / "名册.csv", [f"{code(n)},企业{n},茌平,chem" for n in range(1, 21)])
    r = cli("enterprise", "import", str(path))
    assert (r.exit_code, r.output) == (3, f"错误:{path}: 行数超过 10 行,远超任何名册;请确认选对了文件(未导入任何数据)\n")
    assert count(session) == 0


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_opening(cli, tmp_path, monkeypatch):
    xlsx = _xlsx(tmp_path / "名册.xlsx", 3)
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1000)
    r = cli("enterprise", "import", str(xlsx))
    assert r.exit_code == 3
    assert r.output.startswith(f"错误:{xlsx}: Excel 文件解压后有 ")
    assert r.output.endswith(",远超任何名册(上限 1 KB);请确认选对了文件(未导入任何数据)\n")


def test_long_reads_report_progress_to_the_tracker(session, tmp_path):
    seen = []

    def track(items, description, total=None):
        seen.append((description, total))
        yield from items

    register.import_file(session, _xlsx(tmp_path / "名册.xlsx", 5), track=track)
    assert seen == [("读取 名册.xlsx", 6), ("校验名册", None)]
    assert count(session) == 5


def test_evidence_and_recorder_are_bounded(cli):
    r = cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--evidence", "证" * 3000)
    assert (r.exit_code, r.output) == (2, "错误:佐证材料过长(3000 个字符,最多 2000 个)\n")
    r = cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--by", "人" * 101)
    assert (r.exit_code, r.output) == (2, "错误:记录人过长(101 个字符,最多 100 个)\n")
    r = cli("reopen", "chem-guard-1-a", "--county", "茌平", "--reason", "因" * 2001)
    assert (r.exit_code, r.output) == (2, "错误:原因过长(2001 个字符,最多 2000 个)\n")


@pytest.mark.parametrize("on", ["1990-01-01", "2024-02-29"])
def test_a_completion_before_the_plans_took_effect_is_refused_with_a_hint(cli, on):
    r = cli("done", "chem-guard-1-a", "--county", "茌平", "--on", on)
    assert (r.exit_code, r.output) == (
        2, f"错误:完成日期 {on} 早于方案施行日期 2024-03-01,请检查日期是否写错"
           "(如施行日期不对,可用 zhiben config set effective 修改)\n")
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2024-03-01").exit_code == 0
