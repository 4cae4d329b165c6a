"""The status round trip: export a county template, fill it in, import it back (idempotently)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import func, select

import factories
from factories import header_row
from zhiben.db import models

AS_OF = "2025-07-01"
CODE = "91371523MA3C0000X1"


@pytest.fixture
def firms(session):
    county = session.exec(select(models.County).where(models.County.name == "茌平区")).one()
    other = session.exec(select(models.County).where(models.County.name == "冠县")).one()
    session.add(models.Enterprise(credit_code=CODE, name='=HYPERLINK("http://x","y")', county_id=county.id, sector="chem"))
    session.add(models.Enterprise(credit_code="91371525MA3C000002", name="冠县某化工有限公司", county_id=other.id, sector="chem"))
    factories.declare_enterprises(session)
    session.commit()


def _count(session, model):
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _overdue(cli, *args):
    r = cli("overdue", "--as-of", AS_OF, "-f", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _template(cli, tmp_path, name="茌平区填报.xlsx"):
    out = tmp_path / name
    r = cli("export", "template", "--county", "茌平", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    return out


def test_template_lists_the_countys_own_and_its_enterprises_open_obligations(cli, firms, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(_template(cli, tmp_path)).active
    # title rows: whose template, as of when, what the colour means
    assert ws["A1"].value == "茌平区完成情况填报模板(茌平区)"
    assert ws["A2"].value.startswith(f"截至日期 {AS_OF}")
    assert ws["A3"].value.startswith("“期限”“当前情况”两列着色——红底:逾期最久的一成")
    header = [c.value for c in ws[4]]
    assert header == ["编号", "方案", "事项", "主体类别", "责任主体", "统一社会信用代码", "周期", "期限", "当前情况",
                      "状态", "完成日期", "佐证材料", "佐证文件", "备注"]
    assert ws.freeze_panes == "A5"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5) if r[0].value and r[1].value]
    subjects = {(r[3], r[4]) for r in rows}
    assert ("县级", "茌平区") in subjects and ("企业", '=HYPERLINK("http://x","y")') in subjects
    assert not any("冠县" in str(r[4]) for r in rows)
    assert all(r[9] is None and r[10] is None and r[11] is None and r[12] is None for r in rows)
    overdue_rows = [r for r in rows if str(r[8]).startswith("逾期")]
    expected = [o for o in _overdue(cli, "--county", "茌平")]
    assert len(overdue_rows) == len(expected)
    # the colour marks the oldest overdue rows only, not every row
    fills = [ws.cell(row=i, column=8).fill.fgColor.rgb for i in range(5, 5 + len(rows))]
    assert 0 < sum(f.endswith("F4B6B6") for f in fills) < len(overdue_rows)
    assert not any(ws.cell(row=i, column=1).fill.fgColor.rgb.endswith("F4B6B6") for i in range(5, 5 + len(rows)))
    # only the long texts wrap: a credit code never breaks across lines
    assert not ws.cell(row=5, column=6).alignment.wrap_text and ws.cell(row=5, column=3).alignment.wrap_text
    # the 状态 column offers the status words as a drop-down
    assert any('"已完成,未完成,撤销"' in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)


def _fill(path, predicate, *, status="已完成", date="2025-06-30", evidence="会议纪要"):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    at = header_row(ws)
    header = [c.value for c in ws[at]]
    col = {h: i + 1 for i, h in enumerate(header)}
    filled = []
    for row in range(at + 1, ws.max_row + 1):
        values = {h: ws.cell(row=row, column=i).value for h, i in col.items()}
        if values["编号"] and values["方案"] and predicate(values):
            ws.cell(row=row, column=col["状态"], value=status)
            ws.cell(row=row, column=col["完成日期"], value=date)
            ws.cell(row=row, column=col["佐证材料"], value=evidence)
            filled.append(values)
    wb.save(path)
    return filled


def test_filled_template_moves_obligations_out_of_overdue_and_reimport_changes_nothing(cli, firms, session, tmp_path):
    path = _template(cli, tmp_path)
    filled = _fill(path, lambda v: str(v["当前情况"]).startswith("逾期") and v["周期"] in ("一次性", "2024年3月", "2025年度"))
    assert any(v["主体类别"] == "企业" for v in filled) and any(v["主体类别"] == "县级" for v in filled)
    before = _overdue(cli, "--county", "茌平")

    r = cli("status", "import", str(path), "--by", "王五")
    assert r.exit_code == 0, r.output
    assert f"已导入 {path.name}:完成 {len(filled)} 项,撤销 0 项,无变化 0 项" in r.output
    after = _overdue(cli, "--county", "茌平")
    assert len(after) == len(before) - len(filled)
    keys = {(o["milestone_id"], o["subject"], o["period_label"]) for o in after}
    assert not keys & {(v["编号"], v["责任主体"], v["周期"]) for v in filled}

    log = json.loads(cli("log", "-n", "0", "-f", "json").output)
    assert len(log) == len(filled)
    assert {e["source"] for e in log} == {path.name} and {e["by"] for e in log} == {"王五"}
    assert {e["done_on"] for e in log} == {"2025-06-30"}

    completions, audits = _count(session, models.Completion), _count(session, models.AuditEntry)
    again = cli("status", "import", str(path), "--by", "王五")
    assert again.exit_code == 0, again.output
    assert f"完成 0 项,撤销 0 项,无变化 {len(filled)} 项" in again.output
    assert (_count(session, models.Completion), _count(session, models.AuditEntry)) == (completions, audits)
    assert _overdue(cli, "--county", "茌平") == after


def test_dry_run_lists_changes_and_writes_nothing(cli, firms, session, tmp_path):
    path = _template(cli, tmp_path)
    filled = _fill(path, lambda v: v["编号"] == "chem-10-b")
    assert len(filled) == 1
    r = cli("status", "import", str(path), "--dry-run")
    assert r.exit_code == 0, r.output
    assert "chem-10-b 企业“=HYPERLINK(\"http://x\",\"y\")” → 已完成(2025-06-30)" in r.output
    assert f"预演(未写入数据库):{path.name} 将完成 1 项" in r.output
    assert _count(session, models.Completion) == 0 and _count(session, models.AuditEntry) == 0


def test_problems_are_reported_by_file_row_column_and_nothing_is_imported(cli, firms, session, tmp_path):
    path = _template(cli, tmp_path, "茌平.csv")
    raw = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    header = rows[0]
    c = {h: i for i, h in enumerate(header)}
    rows[1][c["状态"]], rows[1][c["完成日期"]] = "已完成", "2025-06-30"       # valid
    rows[2][c["状态"]], rows[2][c["完成日期"]] = "已完成", "2099-01-01"       # future
    rows[3][c["状态"]] = "差不多"                                            # unknown word
    rows[4][c["状态"]], rows[4][c["完成日期"]] = "完成", "2025-06-31"         # impossible date
    rows[5][c["编号"]], rows[5][c["状态"]], rows[5][c["完成日期"]] = "chem-99-z", "done", "2025-06-01"
    rows[6][c["状态"]] = "已完成"                                            # no date
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))

    r = cli("status", "import", str(path))
    assert r.exit_code == 3
    lines = r.output.strip().splitlines()
    assert lines[0] == "错误:茌平.csv 有 5 处问题,未导入任何记录"
    col = lambda h: chr(ord("A") + c[h])  # noqa: E731
    assert lines[1:] == [
        f"  茌平.csv:3:{col('完成日期')}(完成日期):完成日期 2099-01-01 晚于今天 {__import__('datetime').date.today()}",
        f"  茌平.csv:4:{col('状态')}(状态):无法识别的状态“差不多”;可用:已完成、完成、已办结、未完成、撤销",
        f"  茌平.csv:5:{col('完成日期')}(完成日期):完成日期“2025-06-31”不存在",
        f"  茌平.csv:6:{col('编号')}(编号):未知的事项编号“chem-99-z”;是否要找:" + lines[4].split("是否要找:")[1],
        f"  茌平.csv:7:{col('完成日期')}(完成日期):状态为已完成,须填写完成日期",
    ]
    assert _count(session, models.Completion) == 0 and _count(session, models.AuditEntry) == 0


def test_gb18030_csv_with_guarded_enterprise_name_and_reopen(cli, firms, session, tmp_path):
    path = _template(cli, tmp_path, "茌平.csv")
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    c = {h: i for i, h in enumerate(rows[0])}
    target = next(r for r in rows[1:] if r[c["编号"]] == "chem-10-b")
    assert target[c["责任主体"]] == "'=HYPERLINK(\"http://x\",\"y\")"
    target[c["状态"]], target[c["完成日期"]], target[c["备注"]] = "已完成", "2025/6/30", "已整改"
    gbk = tmp_path / "茌平-gbk.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    gbk.write_bytes(buf.getvalue().encode("gb18030"))
    r = cli("status", "import", str(gbk))
    assert r.exit_code == 0, r.output
    done = session.exec(select(models.Completion)).one()
    assert (done.milestone_id, done.period, str(done.done_on), done.evidence, done.source) == (
        "chem-10-b", "once", "2025-06-30", "备注:已整改", "茌平-gbk.csv")

    target[c["状态"]], target[c["完成日期"]], target[c["备注"]] = "撤销", "", "材料不全"
    undo = tmp_path / "撤销.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    undo.write_bytes(buf.getvalue().encode("utf-8"))
    r = cli("status", "import", str(undo))
    assert r.exit_code == 0, r.output
    assert "完成 0 项,撤销 1 项" in r.output
    assert _count(session, models.Completion) == 0
    last = json.loads(cli("log", "-n", "1", "-f", "json").output)[0]
    assert (last["action"], last["evidence"], last["source"]) == ("撤销", "材料不全", "撤销.csv")


def test_unreadable_files_are_one_line_errors(cli, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    r = cli("status", "import", str(bad))
    assert r.exit_code == 3 and f"错误:{bad}: 不是有效的 Excel(.xlsx)文件,可能已损坏或只是改了扩展名" in r.output
    wrong = tmp_path / "y.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    r = cli("status", "import", str(wrong))
    assert r.exit_code == 3 and "错误:y.csv:1:缺少列 编号、主体类别、责任主体、周期、状态、完成日期" in r.output
    r = cli("status", "import", str(tmp_path / "missing.csv"))
    assert r.exit_code == 3 and f"错误:找不到文件:{tmp_path / 'missing.csv'}" in r.output


def test_per_risk_duty_and_excel_dates_round_trip(cli, session, tmp_path):
    """An orange enterprise's half-yearly inspection belongs to the county; Excel date cells import."""
    import datetime as dt

    from openpyxl import load_workbook

    county = session.exec(select(models.County).where(models.County.name == "茌平区")).one()
    session.add(models.Enterprise(credit_code=CODE, name="茌平橙色企业", county_id=county.id, sector="chem", risk="橙"))
    factories.declare_enterprises(session)
    session.commit()
    path = _template(cli, tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["茌平区填报", "填写说明"]
    ws = wb["茌平区填报"]
    at = header_row(ws)
    header = [c.value for c in ws[at]]
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = [r for r in range(at + 1, ws.max_row + 1) if ws.cell(row=r, column=col["编号"]).value == "chem-21-c"]
    assert [ws.cell(row=r, column=col["周期"]).value for r in rows][:2] == ["2024年上半年", "2024年下半年"]
    assert ws.cell(row=rows[1], column=col["统一社会信用代码"]).value == CODE  # names the inspected enterprise
    ws.cell(row=rows[1], column=col["状态"], value="done")
    ws.cell(row=rows[1], column=col["完成日期"], value=dt.date(2024, 12, 20))
    wb.save(path)
    r = cli("status", "import", str(path))
    assert r.exit_code == 0, r.output
    assert "chem-21-c 县级“茌平区”(检查企业“茌平橙色企业”) 周期 2024年下半年 → 已完成(2024-12-20)" in r.output
    done = session.exec(select(models.Completion)).one()
    assert (done.subject_kind, done.subject_id, done.period, done.done_on) == (
        "county", county.id, f"2024-H2:{CODE}", dt.date(2024, 12, 20))
    left = {(o["milestone_id"], o["period"]) for o in _overdue(cli, "--county", "茌平")}
    assert ("chem-21-c", f"2024-H2:{CODE}") not in left and ("chem-21-c", f"2025-H1:{CODE}") in left


def _fill_csv(tmp_path, rows, name, milestone_id, status):
    c = {h: i for i, h in enumerate(rows[0])}
    target = next(r for r in rows[1:] if r[c["编号"]] == milestone_id and r[c["主体类别"]] == "县级")
    target[c["状态"]] = status
    path = tmp_path / name
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path, rows.index(target) + 1


def test_not_done_in_a_sheet_never_revokes_only_the_explicit_word_does(cli, session, tmp_path):
    import getpass

    template = _template(cli, tmp_path, "茌平.csv")
    rows = list(csv.reader(io.StringIO(template.read_bytes().decode("utf-8-sig"), newline="")))
    # The bureau records the completion itself after sending the template out.
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--by", "市局").exit_code == 0

    sheet, row = _fill_csv(tmp_path, rows, "未完成.csv", "chem-guard-1-a", "未完成")
    r = cli("status", "import", str(sheet))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        f"第 {row} 行:chem-guard-1-a 填写“未完成”,但已记录于 2025-06-20 完成,保持已完成;如确需撤销请在状态列填写“撤销”",
        "已导入 未完成.csv:完成 0 项,撤销 0 项,无变化 1 项,未填写 " + r.output.rsplit("未填写 ", 1)[1].strip(),
    ]
    assert _count(session, models.Completion) == 1

    sheet, row = _fill_csv(tmp_path, rows, "撤销.csv", "chem-guard-1-a", "撤销")
    r = cli("status", "import", str(sheet))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == f"第 {row} 行:chem-guard-1-a 县级“茌平区” → 撤销完成(原完成日期 2025-06-20)"
    assert "完成 0 项,撤销 1 项" in r.output
    assert _count(session, models.Completion) == 0
    last = json.loads(cli("log", "-n", "1", "-f", "json").output)[0]
    assert (last["action"], last["by"], last["source"]) == ("撤销", getpass.getuser(), "撤销.csv")


def test_the_template_explains_the_revoke_word():
    from zhiben.outputs import status_sheet

    assert any("撤销以前误报的完成须填:撤销(填“未完成”不会撤销已记录的完成)" in line
               for line in status_sheet.NOTE_LINES)


def test_a_sheet_date_before_the_plans_took_effect_and_an_over_long_note_are_row_problems(cli, session, tmp_path):
    template = _template(cli, tmp_path, "茌平.csv")
    rows = list(csv.reader(io.StringIO(template.read_bytes().decode("utf-8-sig"), newline="")))
    c = {h: i for i, h in enumerate(rows[0])}
    rows[1][c["状态"]], rows[1][c["完成日期"]] = "已完成", "2024-01-15"
    rows[2][c["状态"]], rows[2][c["完成日期"]], rows[2][c["备注"]] = "已完成", "2025-06-30", "注" * 2001
    path = tmp_path / "早.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    r = cli("status", "import", str(path))
    assert r.exit_code == 3
    from openpyxl.utils import get_column_letter

    col = {h: get_column_letter(i + 1) for h, i in c.items()}
    assert r.output.splitlines() == [
        "错误:早.csv 有 2 处问题,未导入任何记录",
        f"  早.csv:2:{col['完成日期']}(完成日期):完成日期 2024-01-15 早于方案施行日期 2024-03-01,请检查日期是否写错"
        "(如施行日期不对,可用 zhiben config set effective 修改)",
        f"  早.csv:3:{col['备注']}(备注):备注过长(2001 个字符,最多 2000 个)",
    ]
    assert _count(session, models.Completion) == 0


def test_event_deadline_rows_read_back_by_their_label(cli, firms, session, tmp_path):
    """A row whose 周期 is an event label (验收(2025-01-02)后) is matched to that event's deadline."""
    r = cli("event", "add", "acceptance", "--enterprise", CODE, "--date", "2025-01-02")
    assert r.exit_code == 0, r.output
    path = _template(cli, tmp_path)
    filled = _fill(path, lambda v: "验收(2025-01-02)" in str(v["周期"]), date="2025-01-10")
    assert filled and all(v["周期"].startswith("验收(2025-01-02)") for v in filled)
    r = cli("status", "import", str(path))
    assert r.exit_code == 0, r.output
    periods = {c.period for c in session.exec(select(models.Completion)).all()}
    assert periods and all(p.startswith("acceptance@2025-01-02#") for p in periods)
