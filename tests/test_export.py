"""zhiben export: Excel-safe CSV, formatted XLSX, ICS with stable UIDs, JSON, LibreOffice round trip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

import factories
from zhiben.db import models

AS_OF = "2025-07-01"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"]


@pytest.fixture
def hostile(session):
    """Four chem enterprises in 茌平区 with formula-like names (chem-10-b etc. fall due in 2024)."""
    county = session.exec(select(models.County).where(models.County.name == "茌平区")).one()
    for i, name in enumerate(HOSTILE):
        session.add(models.Enterprise(credit_code=f"91371523MA3C00000{i}", name=name, county_id=county.id,
                                      sector="chem"))
    factories.declare_enterprises(session)
    session.commit()
    return HOSTILE


def _csv_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def test_overdue_csv_has_bom_chinese_header_iso_dates_and_guarded_names(cli, hostile, tmp_path):
    out = tmp_path / "逾期.csv"
    r = cli("export", "overdue", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    rows = _csv_rows(out)
    assert rows[0] == ["编号", "方案", "事项", "主体类别", "责任主体", "所属县区", "统一社会信用代码", "周期", "期限", "逾期天数"]
    assert f"已导出 {len(rows) - 1} 行到 {out}(CSV)" in r.output
    subjects = {row[4] for row in rows[1:]}
    for name in HOSTILE:
        assert "'" + name in subjects
        assert name not in subjects
    chem10b = [row for row in rows if row[0] == "chem-10-b" and row[4] == "'+1"]
    assert chem10b == [["chem-10-b", "化工和危险化学品", chem10b[0][2], "企业", "'+1", "茌平区", "91371523MA3C000001",
                        "一次性", "2024-12-31", "182"]]


def test_overdue_xlsx_titled_print_ready_with_summary_first(cli, hostile, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "逾期.xlsx"
    r = cli("export", "overdue", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "化工和危险化学品", "非煤矿山", "工贸"]
    assert wb.properties.creator == "zhiben"
    assert wb.properties.title == f"逾期事项清单(全市,截至 {AS_OF})"
    ws = wb["化工和危险化学品"]
    # title rows, merged across the table so print never clips them: what and whose; when; the colour
    assert ws["A1"].value == "逾期事项清单 · 化工和危险化学品(全市)"
    assert ws["A2"].value.startswith("截至日期 2025-07-01    生成时间 20")
    assert ws["A3"].value.startswith("红底:逾期最久的一成(期限在 ") and "黄底:2025-06-24 以来新增逾期" in ws["A3"].value
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:J1", "A2:J2", "A3:J3"}
    header = [c.value for c in ws[4]]
    assert header[:7] == ["编号", "方案", "事项", "主体类别", "责任主体", "所属县区", "统一社会信用代码"]
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == f"A4:J{ws.max_row}"
    assert all(c.font.b for c in ws[4])
    # print setup: A4 landscape, one page wide, the header row on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$4"
    assert ws.oddHeader.left.text == "逾期事项清单 · 化工和危险化学品(全市)" and ws.oddHeader.right.text == "截至日期 2025-07-01"
    due_col = header.index("期限") + 1
    subj_col = header.index("责任主体") + 1
    names, fills = {}, {}
    cut = dt.date.fromisoformat(ws["A3"].value.split("期限在 ")[1][:10])
    for row in range(5, ws.max_row + 1):
        due = ws.cell(row=row, column=due_col)
        assert due.is_date and isinstance(due.value, dt.datetime), due.value
        cell = ws.cell(row=row, column=subj_col)
        names[cell.value] = cell
        fill = ws.cell(row=row, column=1).fill.fgColor.rgb
        # red: the oldest due dates; yellow: due within the last 7 days; nothing else coloured
        expected = "F4B6B6" if due.value.date() <= cut else "FFE699" if due.value.date() >= dt.date(2025, 6, 24) else "000000"
        assert fill.endswith(expected), (row, fill, due.value)
        fills[expected] = fills.get(expected, 0) + 1
    assert fills.get("F4B6B6") and fills.get("000000")
    for name in HOSTILE:
        assert names[name].data_type == "s"
        assert names[name].quotePrefix
    # width fits the widest Chinese title (wide characters count 2)
    title_col = header.index("事项") + 1
    widest = max(len(ws.cell(row=i, column=title_col).value) * 2 for i in range(5, ws.max_row + 1))
    assert ws.column_dimensions["C"].width >= min(widest, 60)


def test_summary_sheet_is_county_by_plan_with_overdue_rate(cli, hostile, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "逾期.xlsx"
    assert cli("export", "overdue", "--to", str(out), "--as-of", AS_OF).exit_code == 0
    ws = load_workbook(out)["汇总"]
    assert ws["A1"].value == "逾期事项清单 · 汇总(全市)" and ws["A2"].value.startswith("截至日期 2025-07-01")
    assert len(ws.merged_cells.ranges) == 3  # two title rows and the note; nothing coloured, no legend
    header = [c.value for c in ws[3]]
    assert header == ["县(市、区)", "排名", "化工逾期", "化工逾期率", "矿山逾期", "矿山逾期率", "工贸逾期",
                      "工贸逾期率", "已到期", "已完成", "逾期", "逾期率", "按期完成率"]
    rows = {ws.cell(row=i, column=1).value: dict(zip(header, (c.value for c in ws[i]), strict=False))
            for i in range(4, ws.max_row + 1) if ws.cell(row=i, column=1).value}
    progress = {p["label"]: p for p in json.loads(cli("progress", "--as-of", AS_OF, "-f", "json").output)}
    listed = json.loads(cli("overdue", "--as-of", AS_OF, "-f", "json").output)
    for county in ("东昌府区", "茌平区", "江北水城旅游度假区"):
        line, p = rows[county], progress[county]
        assert [line["已到期"], line["已完成"], line["逾期"]] == [p["due_so_far"], p["done"], p["overdue"]]
        assert line["逾期率"] == pytest.approx(p["overdue"] / p["due_so_far"], abs=1e-4)
        assert line["工贸逾期"] == sum(1 for r in listed if r["county"] == county and r["plan"] == "trade")
    assert rows["聊城市应急管理局(市级事项,单列)"]["逾期"] == progress["聊城市应急管理局"]["overdue"]
    assert rows["全市合计"]["逾期"] == len(listed) and ws.cell(row=list(rows).index("全市合计") + 4, column=1).font.b
    assert ws.cell(row=4, column=4).number_format == "0.0%"
    assert "逾期率 = 逾期 ÷ 已到期" in ws.cell(row=ws.max_row, column=1).value


def test_progress_xlsx_has_summary_and_a_sheet_per_plan(cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "进度.xlsx"
    assert cli("done", "mine-req-2-a", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20").exit_code == 0
    r = cli("export", "progress", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "按县区", "化工和危险化学品", "非煤矿山", "工贸"]
    ws = wb["按县区"]
    header = [c.value for c in ws[3]]
    assert header == ["县(市、区)", "本级到期", "本级完成", "本级逾期", "企业到期", "企业完成", "企业逾期", "已到期",
                      "已完成", "逾期", "完成率", "按期完成率", "逾期率", "未到期"]
    rows = {ws.cell(row=i, column=1).value: dict(zip(header, (c.value for c in ws[i]), strict=True))
            for i in range(4, ws.max_row + 1) if ws.cell(row=i, column=2).value is not None}
    # the counties in the bureau's order, then the bureau apart, then 全市合计 in bold (as on the terminal)
    assert list(rows)[0] == "东昌府区" and list(rows)[-2:] == ["聊城市应急管理局", "全市合计"]
    assert ws.cell(row=4 + len(rows) - 1, column=1).font.b
    chiping = rows["茌平区"]
    assert chiping["已完成"] == 1 and chiping["完成率"] == pytest.approx(1 / chiping["已到期"], abs=1e-4)
    assert ws.cell(row=4 + list(rows).index("茌平区"), column=11).number_format == "0.0%"
    assert ws.freeze_panes == "A4"


def test_format_errors_are_one_chinese_line(cli, tmp_path):
    r = cli("export", "overdue", "--to", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2 and "错误:不支持的导出格式“pdf”;可用:csv、xlsx、ics、json" in r.output
    r = cli("export", "overdue", "--to", str(tmp_path / "x.ics"))
    assert r.exit_code == 2 and "错误:ICS 日历格式只适用于 export upcoming" in r.output
    r = cli("export", "template", "--to", str(tmp_path / "t.xlsx"))
    assert r.exit_code == 2 and "错误:导出填报模板须用 --county 指定县(市、区)" in r.output
    r = cli("export", "bogus", "--to", str(tmp_path / "t.xlsx"))
    assert r.exit_code == 2 and "错误:未知的导出内容“bogus”" in r.output
    assert {p.suffix for p in tmp_path.iterdir()} <= {".db", ".db-wal", ".db-shm"}


def test_filters_and_catalogue_export(cli, tmp_path):
    out = tmp_path / "chem.csv"
    assert cli("export", "overdue", "--to", str(out), "--as-of", AS_OF, "--plan", "chem").exit_code == 0
    rows = _csv_rows(out)[1:]
    assert rows and {r[1] for r in rows} == {"化工和危险化学品"}
    cat = tmp_path / "目录.xlsx"
    r = cli("export", "catalogue", "--to", str(cat), "--plan", "trade")
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    wb = load_workbook(cat)
    assert wb.sheetnames == ["汇总", "工贸"]
    ws = wb["工贸"]
    listed = json.loads(cli("catalogue", "list", "--plan", "trade", "-f", "json").output)
    assert [ws.cell(row=i, column=1).value for i in range(4, ws.max_row + 1)] == [m["id"] for m in listed]
    summary = wb["汇总"]
    assert [c.value for c in summary[3]] == ["方案", "市级", "县级", "园区", "企业", "合计"]
    assert summary.cell(row=4, column=6).value == len(listed)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="需要 LibreOffice(soffice),由 .ci/setup-browser.sh 安装")
def test_overdue_csv_opens_in_libreoffice_with_chinese_intact(cli, hostile, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "逾期清单.csv"
    assert cli("export", "overdue", "--to", str(out), "--as-of", AS_OF).exit_code == 0
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        # Headless conversion has no import dialog; the filter options name the separator, quote and
        # UTF-8 (76) as a person would pick them there.
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--infilter=CSV:44,34,76,1",
         "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "conv"), str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = tmp_path / "conv" / "逾期清单.xlsx"
    assert proc.returncode == 0 and converted.exists(), proc.stderr
    ws = load_workbook(converted).active
    assert [c.value for c in ws[1]][:5] == ["编号", "方案", "事项", "主体类别", "责任主体"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert {"化工和危险化学品", "非煤矿山"} <= {v[1] for v in values}
    subjects = [ws.cell(row=i, column=5) for i in range(2, ws.max_row + 1)]
    hyperlink = [c for c in subjects if "HYPERLINK" in str(c.value)]
    assert hyperlink and all(c.data_type == "s" for c in hyperlink)
    assert all(not str(c.value).startswith("=") for c in subjects)


@pytest.mark.slow
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
@settings(max_examples=200, deadline=None)
def test_any_name_is_inert_in_csv_and_xlsx_and_reads_back(name):
    from openpyxl import load_workbook

    from zhiben.outputs import exports, xlsx
    from zhiben.tracking.status_import import _unguard

    rec = [{"subject": name}]
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(rec, [("subject", "责任主体")]).decode("utf-8-sig"), newline="")))
    cell = rows[1][0] if len(rows) > 1 and rows[1] else ""
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
    if not name.startswith("'"):
        assert _unguard(cell) == name.strip()
    ws = load_workbook(io.BytesIO(xlsx.to_bytes([xlsx.Sheet("s", rec, [("subject", "责任主体")])]))).active
    assert ws["A2"].data_type != "f"


def test_workbook_numbers_carry_thousands_separators_and_titles_wrap():
    from openpyxl import load_workbook

    from zhiben.outputs import xlsx

    book = xlsx.Book("完成进度(按县区)", "全市", dt.date(2026, 12, 4), effective=dt.date(2024, 3, 1))
    sheet = xlsx.Sheet("按县区", [{"label": "全市合计", "n": 18804}, {"label": "冠县", "n": 12}],
                       [("label", "县(市、区)"), ("n", "已到期")], heading=book.heading("按县区"))
    ws = load_workbook(io.BytesIO(xlsx.to_bytes([sheet], book))).active
    assert ws["B4"].value == 18804 and ws["B4"].number_format == "#,##0"
    # a title longer than the two narrow columns wraps inside its merged row instead of being clipped
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:B1", "A2:B2"}
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height > 15
