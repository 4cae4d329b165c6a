"""zhiben bulletin: the 通报 as a GB/T 9704 Word document, issued figures kept, 较上期 against them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session

from dbstate import snapshot
from factories import make_enterprise
from zhiben import terms

FIRST = ("--as-of", "2024-09-30")
SECOND = ("--as-of", "2024-10-31")


@pytest.fixture
def register(engine):
    with Session(engine) as s:
        make_enterprise(s, "茌平粉尘企业有限公司", 1, county="茌平区", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "茌平第二粉尘企业有限公司", 4, county="茌平区", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "阳谷粉尘企业有限公司", 2, county="阳谷县", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "临清化工企业有限公司", 3, county="临清市", sector="chem", risk="橙")
        s.commit()


def _issue(cli, tmp_path, name, *args):
    r = cli("bulletin", "--to", str(tmp_path / name), *args)
    assert r.exit_code == 0, r.output
    return r


def _ranking(stdout: str) -> dict[str, list[str]]:
    """County → its row's cells, from the 二、 table."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["排名", "县(市、区)"])
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith("三、"):
            break
        cells = line.split()
        if cells:
            label = cells[1] if cells[0].isdigit() else cells[0]
            rows[label] = cells
    return rows


def test_issue_writes_an_a4_document_and_stores_its_figures(cli, register, tmp_path, db_url):
    r = _issue(cli, tmp_path, "通报.docx", *FIRST, "--by", "张三")
    assert "已印发 全市 " in r.stderr and "第1期通报(编号 1,截至 2024-09-30)" in r.stderr
    doc = Document(str(tmp_path / "通报.docx"))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # stored in twips
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == terms.CITY_NAME and re.fullmatch(r"\d{4}年第1期", texts[1])
    assert "关于全市安全生产治本攻坚三年行动工作进展情况的通报" in texts
    # full-width punctuation in the document (the terminal text keeps the project's ASCII forms)
    assert any(t.startswith("东昌府区、临清市、茌平区") and t.endswith("应急管理部门：") for t in texts)
    assert texts.index("一、总体情况") < texts.index("二、各县（市、区）进展") < texts.index("三、存在的问题") < texts.index("四、下步要求")
    assert any(re.search(r"应完成事项 [\d,]+ 项，已完成", t) for t in texts)  # 1,234: separators stay
    table = doc.tables[0]
    labels = [row.cells[1].text for row in table.rows[1:]]
    assert len(labels) == 13 and labels[-2:] == [terms.CITY_NAME, "全市合计"]
    assert set(labels[:11]) == {name for name, _ in terms.COUNTIES}
    # page numbers — N — in both footers (odd right, even left)
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in s.footer.paragraphs[0].text
    stored = snapshot(db_url)["bulletin"]
    assert len(stored) == 1 and "'张三'" in str(stored[0])
    assert cli("bulletin", "list", "-f", "plain").stdout.splitlines()[1].split()[:4] == ["1", "全市", stored_issue(cli),
                                                                                      "2024-09-30"]


def stored_issue(cli) -> str:
    return cli("bulletin", "list", "-f", "json").stdout.split('"issue": "')[1].split('"')[0]


def test_show_prints_the_issue_again_exactly_although_a_late_record_changed_the_past(cli, register, tmp_path):
    first = _issue(cli, tmp_path, "a.docx", *FIRST)
    before = cli("progress", *FIRST, "--county", "茌平", "-f", "json").stdout
    # done on 2024-08-10 but recorded only now: progress --as-of 2024-09-30 changes …
    r = cli("done", "trade-05-b", "--enterprise", "茌平粉尘", "--period", "2024-07", "--on", "2024-08-10")
    assert r.exit_code == 0, r.output
    assert cli("progress", *FIRST, "--county", "茌平", "-f", "json").stdout != before
    # … the issued 通报 does not
    shown = cli("bulletin", "show", "1")
    assert shown.exit_code == 0 and shown.stdout == first.stdout
    again = tmp_path / "again.docx"
    assert cli("bulletin", "show", "1", "--to", str(again)).exit_code == 0
    assert [p.text for p in Document(str(again)).paragraphs] == [p.text for p in Document(str(tmp_path / "a.docx")).paragraphs]


def test_change_compares_with_the_last_issued_figures_not_with_a_recomputation(cli, register, tmp_path):
    first = _rank_rates(_issue(cli, tmp_path, "a.docx", *FIRST).stdout)
    r = cli("done", "trade-05-b", "--enterprise", "茌平粉尘", "--period", "2024-07", "--on", "2024-08-10")
    assert r.exit_code == 0
    second = _issue(cli, tmp_path, "b.docx", *SECOND)
    assert "较上期(" in second.stdout and "第1期,截至2024年9月30日)" in second.stdout
    rows = _ranking(second.stdout)
    for county, cells in rows.items():
        if county not in first:
            continue
        now = float(cells[-3].rstrip("%"))
        change = cells[-2]
        expected = round(now - first[county], 1)
        assert change == ("持平" if expected == 0 else f"{expected:+.1f}"), county


def _rank_rates(stdout: str) -> dict[str, float]:
    return {k: float(v[-3].rstrip("%")) for k, v in _ranking(stdout).items() if v[-3] != "—"}


def test_without_an_earlier_issue_the_comparison_says_it_is_recomputed(cli, register, tmp_path):
    r = cli("bulletin", "--dry-run", *SECOND)
    assert r.exit_code == 0, r.output
    assert "较2024年9月30日(按当前记录回算,此前未印发通报)" in r.stdout
    assert "未登记期号" in r.stderr
    assert cli("bulletin", "list").stdout.strip() == "尚未印发通报(zhiben bulletin --to 通报.docx)"


def test_requirements_text_and_problems_are_stated_with_figures(cli, register, tmp_path):
    req = tmp_path / "要求.txt"
    req.write_text("一是抓紧整改逾期事项。\n\n二是按月报送进展。\n", encoding="utf-8")
    r = _issue(cli, tmp_path, "a.docx", *SECOND, "--requirements", str(req))
    lines = r.stdout.splitlines()
    at = lines.index("四、下步要求")
    assert lines[at + 1:at + 3] == ["一是抓紧整改逾期事项。", "二是按月报送进展。"]
    assert "(二)逾期责任主体最多的事项" in lines
    top = lines[lines.index("(二)逾期责任主体最多的事项") + 1]
    assert re.match(r"1\. \S+ .+:[\d,]+ 个责任主体逾期,共 [\d,]+ 项", top)
    annex = lines.index("附件")
    assert lines[annex + 2].startswith("逾期事项清单(截至2024年10月31日)")
    assert lines[annex + 3].split() == ["编号", "事项", "县(市、区)", "逾期主体", "逾期项数"]


def test_a_county_bulletin_ranks_its_enterprises(cli, register, tmp_path):
    r = _issue(cli, tmp_path, "茌平.docx", *SECOND, "--county", "茌平")
    assert "关于茌平区安全生产治本攻坚三年行动企业工作进展情况的通报" in r.stdout
    lines = r.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["排名", "企业"])
    body = [line.split() for line in lines[head + 1:head + 6] if line.strip()]
    assert {cells[1] for cells in body[:2]} == {"茌平粉尘企业有限公司", "茌平第二粉尘企业有限公司"}
    assert any(cells[0] == "茌平区本级" for cells in body) and any(cells[0] == "茌平区合计" for cells in body)
    # numbered apart from the city's issues
    assert "茌平区" in cli("bulletin", "list", "-f", "plain").stdout


@pytest.mark.parametrize("args, message", [
    (("--as-of", "2024-01-15"), "错误:截至日期 2024-01-15 早于方案施行日期 2024-03-01\n"),
    (("--as-of", "2099-01-01"), None),
    (("--to", "通报.pdf"), "错误:通报写成 Word 文件(.docx),不能写“通报.pdf”\n"),
    ((), "错误:请用 --to 通报.docx 指定输出文件,或用 --dry-run 只显示数字\n"),
])
def test_bad_input_is_one_line_and_stores_nothing(cli, register, tmp_path, db_url, args, message):
    before = snapshot(db_url)
    target = [] if "--to" in args or not args else ["--to", str(tmp_path / "x.docx")]
    r = cli("bulletin", *target, *args)
    assert r.exit_code == 2
    if message is not None:
        assert r.output == message
    else:
        assert r.output.startswith("错误:截至日期 2099-01-01 晚于今天") and r.output.count("\n") == 1
    assert snapshot(db_url) == before and not (tmp_path / "x.docx").exists()


def test_numbers_and_dates_already_used(cli, register, tmp_path, db_url):
    _issue(cli, tmp_path, "a.docx", *FIRST, "--number", "3")
    before = snapshot(db_url)
    r = cli("bulletin", "--to", str(tmp_path / "b.docx"), *SECOND, "--number", "3")
    assert r.exit_code == 2 and "第 3 期通报已于" in r.output and "下一个可用期号是 4" in r.output
    r = cli("bulletin", "--to", str(tmp_path / "c.docx"), *FIRST)
    assert r.exit_code == 2 and r.output.endswith("确需再印发一期请加 --force\n")
    assert snapshot(db_url) == before and not (tmp_path / "b.docx").exists()
    assert cli("bulletin", "--to", str(tmp_path / "c.docx"), *FIRST, "--force").exit_code == 0
    assert "第4期" in cli("bulletin", "list", "-f", "plain").stdout


def test_requirements_file_must_be_utf8_text_within_the_bound(cli, register, tmp_path, db_url):
    before = snapshot(db_url)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("一是抓紧整改。".encode("gb18030"))
    r = cli("bulletin", "--dry-run", *FIRST, "--requirements", str(gbk))
    assert r.exit_code == 2 and "不是 UTF-8 文本" in r.output and r.output.count("\n") == 1
    big = tmp_path / "big.txt"
    big.write_text("要" * 20_001, encoding="utf-8")
    r = cli("bulletin", "--dry-run", *FIRST, "--requirements", str(big))
    assert r.exit_code == 2 and "20,000 个字符的上限" in r.output
    r = cli("bulletin", "show", "9")
    assert (r.exit_code, r.output) == (2, "错误:没有编号为 9 的通报;已印发的通报见 zhiben bulletin list\n")
    assert snapshot(db_url) == before


def _writer_available() -> bool:
    return (shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
            and Path("/usr/lib/libreoffice/program/swriter").exists())


@pytest.mark.slow
@pytest.mark.skipif(not _writer_available(), reason="需要 LibreOffice Writer 和 pdftotext(由 .ci/setup-browser.sh 安装)")
def test_libreoffice_prints_it_on_a4_with_title_addressees_and_overview_on_page_one(cli, register, tmp_path):
    _issue(cli, tmp_path, "通报.docx", *SECOND)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "通报.docx")], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "通报.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", first)
    assert "关于全市安全生产治本攻坚三年行动工作进展情况的通报" in squeezed
    assert "东昌府区、临清市" in squeezed and "一、总体情况" in squeezed
    assert "—1—" in squeezed
