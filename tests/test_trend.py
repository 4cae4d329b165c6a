"""zhiben trend: every figure is what progress --as-of says on that date, in every format."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from factories import make_enterprise
from zhiben import terms
from zhiben.outputs import lines, trend_view
from zhiben.reports import trend as trends

SPAN = ("--from", "2024-04-15", "--to", "2025-03-15")


@pytest.fixture
def register(engine, cli):
    with Session(engine) as s:
        make_enterprise(s, "茌平粉尘企业有限公司", 1, county="茌平区", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "阳谷粉尘企业有限公司", 2, county="阳谷县", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "临清化工企业有限公司", 3, county="临清市", sector="chem", risk="橙")
        s.commit()
    # on time, late, and recorded for an early period long after: each moves a different date's figures
    for args in (("mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-10"),
                 ("mine-req-2-b", "--county", "茌平", "--period", "2024-04", "--on", "2024-05-03"),
                 ("mine-req-2-b", "--county", "茌平", "--period", "2024-05", "--on", "2024-09-30"),
                 ("chem-10-a", "--enterprise", "临清化工", "--period", "2024-04", "--on", "2024-04-20"),
                 ("chem-10-a", "--enterprise", "临清化工", "--period", "2024-06", "--on", "2024-12-01")):
        r = cli("done", *args)
        assert r.exit_code == 0, r.output


def _json(cli, *args):
    r = cli(*args, "-f", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


FIELDS = ("due_so_far", "done", "overdue", "overdue_rate", "on_time_rate")


@pytest.mark.parametrize("every", ["month", "week"])
def test_every_county_at_every_date_equals_progress_as_of(cli, register, every):
    series = _json(cli, "trend", *SPAN, "--every", every)
    dates = [p["as_of"] for p in series[0]["series"]]
    assert dates[-1] == "2025-03-15" and dates[0] >= "2024-04-15" and len(dates) == (12 if every == "month" else 48)
    by_label = {s["label"]: s for s in series}
    assert terms.CITY_NAME in by_label and "全市合计" in by_label
    for i, day in enumerate(dates):
        progress = {r["label"]: r for r in _json(cli, "progress", "--as-of", day)}
        total = {r["label"]: r for r in json.loads(cli("progress", "--as-of", day, "-f", "json").stdout)}
        assert set(progress) == set(by_label) - {"全市合计"}, day
        for label, r in progress.items():
            point = by_label[label]["series"][i]
            assert {k: point[k] for k in FIELDS} == {k: r[k] for k in FIELDS}, (label, day)
        whole = by_label["全市合计"]["series"][i]
        assert whole["due_so_far"] == sum(r["due_so_far"] for r in total.values())
        assert whole["overdue"] == sum(r["overdue"] for r in total.values())


@pytest.mark.parametrize("by", ["plan", "milestone"])
def test_plans_and_milestones_equal_progress_as_of(cli, register, by):
    series = _json(cli, "trend", *SPAN, "--by", by)
    for i, day in enumerate(p["as_of"] for p in series[0]["series"]):
        progress = {r["key"]: r for r in _json(cli, "progress", "--by", by, "--as-of", day)}
        for s in series:
            if s["scope"] == "total":
                continue
            r, point = progress[s["key"]], s["series"][i]
            assert (point["due_so_far"], point["done"], point["overdue"]) == (r["due_so_far"], r["done"], r["overdue"])


def test_a_late_record_changes_the_past_it_belongs_to(cli, register):
    # chem-10-a 2024-06 (due 2024-06-30) recorded as done on 2024-12-01: overdue at 2024-09-15, not at 2025-01-15
    s = next(x for x in _json(cli, "trend", *SPAN, "--id", "chem-10-a", "--county", "临清") if x["label"] == "临清市")
    points = {p["as_of"]: p for p in s["series"]}
    before, after = points["2024-09-15"], points["2025-01-15"]
    assert (before["done"], before["on_time"]) == (1, 1)  # 2024-06 still open then
    assert (after["done"], after["on_time"]) == (2, 1)  # done, but late


def test_terminal_table_one_column_per_date_sparkline_and_change(cli, register):
    r = cli("trend", "--from", "2024-10-15", "--to", "2025-01-15", "--county", "茌平", "-f", "plain")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "各县(市、区)逾期率趋势(每月,2024-10-15 至 2025-01-15,共 4 个日期)"
    assert lines[1] == "方案自 2024-03-01 起施行(默认值,待以印发日期核实)"
    assert lines[3].split() == ["县(市、区)", "24-10-15", "24-11-15", "24-12-15", "25-01-15", "走势", "较上期"]
    row = lines[4].split()
    assert row[0] == "茌平区" and len(row[5]) == 4 and all(ch in trends.SPARKS for ch in row[5])
    assert "progress --as-of" in r.stdout


def test_fits_80_columns_dropping_the_oldest_dates_first(cli, register):
    r = cli("trend", *SPAN, "--every", "week", "-f", "plain")
    header = r.stdout.splitlines()[3].split()
    assert header[1] == "24-04-20" and header[-3] == "25-03-15"  # piped: full width, every date
    days = trends.dates(dt.date(2024, 4, 15), dt.date(2025, 3, 15), "week")
    cols = trend_view.columns(trends.Trend("county", "week", days, []), "overdue_rate")
    sample = [{"label": "聊城高新技术产业开发区", "short": "高新区", "key": "x", "scope": "county", "spark": "▄" * 48,
               "change": "+0.1", **{f"d{i}": "100.0%" for i in range(48)}}]
    layout = lines.fit(cols, sample, 80)
    assert sum(layout.widths) + 2 * (len(layout.cols) - 1) <= 80
    assert [c.key for c in layout.cols][-3:] == ["d47", "spark", "change"]


def test_csv_and_xlsx_carry_every_measure(cli, register, tmp_path):
    r = cli("trend", *SPAN, "-f", "csv")
    table = list(csv.reader(io.StringIO(r.stdout_bytes.decode("utf-8-sig"))))
    assert table[0] == ["分组", "编号", "截至日期", "已到期", "已完成", "逾期", "逾期率", "按期完成", "按期完成率"]
    assert {row[2] for row in table[1:]} >= {"2024-04-15", "2025-03-15"}
    out = tmp_path / "趋势.xlsx"
    r = cli("trend", *SPAN, "--out", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["逾期率", "按期完成率", "已到期", "逾期", "明细"]
    ws = wb["逾期"]
    rows = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == ["县(市、区)趋势 · 逾期(全市)"] and "截至日期 2025-03-15" in rows[1][0]
    assert rows[2][:2] == ["县(市、区)", "2024-04-15"] and rows[-1][0] == "全市合计"
    assert cli("trend", *SPAN, "--out", str(out)).exit_code != 0  # no overwrite without --force


@pytest.mark.parametrize("args, message", [
    (("--every", "day"), "错误:未知的间隔“day”;可用:week(每周)、month(每月)\n"),
    (("--from", "2025-01-01", "--to", "2024-01-01"), "错误:--from 2025-01-01 晚于 --to 2024-01-01\n"),
    (("--measure", "排名"), "错误:未知的指标“排名”;可用:逾期率、按期完成率、已到期、逾期\n"),
    (("--every", "week", "--from", "2020-01-01", "--to", "2025-01-01"),
     "错误:日期点太多(超过 60 个);请缩短 --from 与 --to 的间隔或改用 --every month\n"),
    (("--out", "趋势.pdf"), "错误:趋势只能写入 .xlsx、.csv 或 .json 文件,不能写“趋势.pdf”\n"),
])
def test_bad_input_is_one_line(cli, args, message):
    r = cli("trend", *args)
    assert (r.exit_code, r.output) == (2, message)


def test_meeting_report_draws_a_line_per_county_and_a_since_last_month_column(cli, register, tmp_path):
    out = tmp_path / "report.html"
    r = cli("report", "--to", str(out), "--as-of", "2025-03-15")
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    section = html.split("<h2>逾期率走势(近 6 个月)</h2>", 1)[1].split("<h2>", 1)[0]
    assert section.count("<svg ") == 13 and section.count("<polyline ") == 13  # 11 counties, the bureau, 全市合计
    assert "2024-09-15</span> 至 <span class=\"nw\">2025-03-15" in section
    # the matrix's 较上月 is the trend's last step, the same figures as trend on the command line
    series = {s["label"]: s["series"] for s in _json(cli, "trend", "--from", "2025-02-15", "--to", "2025-03-15")}
    assert "<th class=\"num\">较上月</th>" in html
    yanggu = series["阳谷县"]
    change = round((yanggu[-1]["overdue_rate"] - yanggu[-2]["overdue_rate"]) * 100, 1)
    row = html.split(">阳谷县</td>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'data-label="较上月">([^<]*)<', row)
    assert cells == ["持平" if change == 0 else f"{change:+.1f}"]


def test_weekly_mail_carries_the_trend_and_since_last_week(cli, register, tmp_path):
    out = tmp_path / "eml"
    r = cli("mail", "overdue", "--as-of", "2025-01-10", "--to", "city@example.com", "--smtp-from", "z@example.com",
            "--dry-run", str(out))
    assert r.exit_code == 0, r.output
    msg = email.message_from_bytes(next(out.glob("*.eml")).read_bytes(), policy=email.policy.default)
    plain = msg.get_body(("plain",)).get_content()
    assert "逾期率走势(每周,2024-11-15 至 2025-01-10)" in plain
    line = next(x for x in plain.splitlines() if x.startswith("· 茌平区:") and "较上周" in x)
    assert re.fullmatch(r"· 茌平区:[▁▂▃▄▅▆▇█·]{9} [\d.]+%,较上周 (持平|[+-][\d.]+ 个百分点|—)", line)
    html = msg.get_body(("html",)).get_content()
    assert "<th class=\"num\">较上周</th>" in html and "<svg" not in html  # mail clients drop SVG


def test_milestones_keep_their_title_beside_the_id_at_80_columns(register, cli):
    days = trends.dates(dt.date(2024, 9, 15), dt.date(2025, 3, 15), "month")
    t = trends.Trend("milestone", "month", days, [])
    sample = [{"label": "主要负责人每月带队重大隐患排查", "short": "chem-10-a", "key": "chem-10-a", "scope": "milestone",
               "spark": "▄" * 7, "change": "+0.1", **{f"d{i}": "100.0%" for i in range(7)}}]
    layout = lines.fit(trend_view.columns(t, "overdue_rate"), sample, 80)
    texts = [c.text(sample[0]) for c in layout.cols]
    assert texts[0] == "chem-10-a" and texts[1].startswith("主要负责人")
