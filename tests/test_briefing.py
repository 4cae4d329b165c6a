"""One briefing: the mail, the HTML report, the XLSX 汇总 and `progress --by county` say the same numbers."""

from __future__ import annotations

import email
import email.policy
import json
import re

import pytest
from sqlmodel import Session

from factories import make_enterprise
from zhiben import terms

AS_OF = "2025-07-01"


@pytest.fixture
def register(engine):
    with Session(engine) as s:
        for n, county in enumerate(("茌平区", "阳谷县", "聊城高新技术产业开发区", "临清市"), 1):
            make_enterprise(s, f"{terms.SHORT_NAMES[county]}粉尘企业有限公司", n, county=county, sector="trade",
                            tags=("粉尘涉爆",))
        make_enterprise(s, "茌平化工有限公司", 9, county="茌平区", sector="chem")
        s.commit()


def _done(cli):
    # one late, one on the day: 按期完成率 differs from 完成率
    for county, period, on in (("茌平", "2024-03", "2024-04-10"), ("茌平", "2024-04", "2024-05-03")):
        r = cli("done", "mine-req-2-b", "--county", county, "--period", period, "--on", on)
        assert r.exit_code == 0, r.output


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def test_mail_report_xlsx_and_progress_show_the_same_numbers(cli, register, tmp_path):
    from openpyxl import load_workbook

    _done(cli)
    progress = {r["label"]: r for r in json.loads(cli("progress", "--as-of", AS_OF, "-f", "json").output)}
    expected = {label: (p["due_so_far"], p["done"], p["overdue"], _pct(p["overdue_rate"]), _pct(p["on_time_rate"]))
                for label, p in progress.items()}
    assert len(expected) == 12  # 11 counties and the bureau

    # the XLSX 汇总
    out = tmp_path / "逾期.xlsx"
    assert cli("export", "overdue", "--to", str(out), "--as-of", AS_OF).exit_code == 0
    ws = load_workbook(out)["汇总"]
    header_row = next(i for i in range(1, 6) if ws.cell(row=i, column=1).value == "县(市、区)")
    header = [c.value for c in ws[header_row]]
    xlsx = {}
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        rec = dict(zip(header, row, strict=False))
        if rec["县(市、区)"] and rec.get("已到期") is not None:
            label = rec["县(市、区)"].replace("(市级事项,单列)", "")
            xlsx[label] = (rec["已到期"], rec["已完成"], rec["逾期"], _pct(rec["逾期率"]), _pct(rec["按期完成率"]))
    total = xlsx.pop("全市合计")
    assert xlsx == expected
    city_total = json.loads(cli("overdue", "--as-of", AS_OF, "--detail", "-f", "json").output)
    assert total[2] == len(city_total)

    # the HTML report
    page = tmp_path / "report.html"
    assert cli("report", "--to", str(page), "--as-of", AS_OF).exit_code == 0
    html = page.read_text(encoding="utf-8")
    matrix = html.split("<h2>县(市、区)× 方案</h2>", 1)[1].split("</table>", 1)[0]
    report = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", matrix)[1:]:
        cells = dict(re.findall(r'data-label="([^"]+)">([^<]*)</td>', tr))
        label = cells["县(市、区)"].replace("(市级事项)", "")
        report[label] = (int(cells["已到期"].replace(",", "")), int(cells["已完成"].replace(",", "")),
                         int(cells["逾期"].replace(",", "")), cells["逾期率"], cells["按期完成率"])
    assert report.pop("全市合计") == total
    assert report == expected

    # the mail (dry run): the HTML table and the plain text
    r = cli("mail", "overdue", "--to", "city@example.com", "--smtp-from", "zhiben@example.com", "--as-of", AS_OF,
            "--dry-run", str(tmp_path / "eml"))
    assert r.exit_code == 0, r.output
    (eml,) = (tmp_path / "eml").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = msg.get_body(("html",)).get_content()
    table = body.split("<table", 2)[1]
    short = {terms.SHORT_NAMES.get(k, k): k for k in expected} | {"市局本级": terms.CITY_NAME, "全市合计": "全市合计"}
    mailed = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]:
        cells = dict(re.findall(r'data-label="([^"]+)">([^<]*)</td>', tr))
        mailed[short[cells["县(市、区)"]]] = (int(cells["已到期"].replace(",", "")), int(cells["逾期"].replace(",", "")),
                                           cells["逾期率"], cells["按期完成率"])
    assert mailed.pop("全市合计") == (total[0], total[2], total[3], total[4])
    assert mailed == {k: (v[0], v[2], v[3], v[4]) for k, v in expected.items()}
    plain = msg.get_body(("plain",)).get_content()
    for label, (_, _, overdue, rate, on_time) in expected.items():
        line = next(x for x in plain.splitlines() if x.startswith(f"· {label}"))
        assert f"逾期 {overdue:,} 项,逾期率 {rate},按期完成率 {on_time}" in line
