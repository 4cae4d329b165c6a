"""overdue / upcoming as a person reads them: summary first, --detail, --limit, --group, fitted lines, filters."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.cells import cell_len
from sqlmodel import Session

from factories import make_enterprise
from zhiben.outputs import report_view as view
from zhiben.outputs.lines import fit, render

AS_OF = ("--as-of", "2025-01-15")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG = "聊城市东昌府区某某某某精细化工股份有限公司第二分公司"


@pytest.fixture
def register(engine):
    """Trade and chem enterprises in three counties (trade-05-b etc. fall due monthly)."""
    with Session(engine) as s:
        for n, county in enumerate(["茌平区", "茌平区", "阳谷县", "临清市", "临清市", "临清市"], start=1):
            make_enterprise(s, f"测试工贸企业{n}有限公司", n, county=county, sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, LONG, 20, county="东昌府区", sector="chem")
        s.commit()


def js(cli, *args):
    r = cli(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_summary_is_one_line_per_milestone_with_counts_that_match_the_detail(cli, register):
    detail = js(cli, "overdue", *AS_OF)
    lines = cli("overdue", *AS_OF).output.splitlines()
    ids = sorted({r["milestone_id"] for r in detail})
    assert lines[0].startswith(f"截至 2025-01-15 逾期事项:{len(ids)} 个事项共 {len(detail):,} 项,涉及 ")
    assert lines[1] == "方案自 2024-03-01 起施行(默认值,待以印发日期核实)"
    assert lines[3].split() == ["编号", "方案", "事项", "县区", "企业", "项数", "首个期限", "最长逾期"]
    body = lines[4:4 + len(ids)]
    assert sorted(line.split()[0] for line in body) == ids
    for line in body:
        mid = line.split()[0]
        rows = [r for r in detail if r["milestone_id"] == mid]
        items = int(line.split()[-4].replace(",", ""))
        assert items == len(rows)
        assert line.endswith(f"{max(r['days_overdue'] for r in rows):,} 天")
    assert "按方案合计:" in lines and lines[-3:] == [
        "逐个责任主体、逐个周期列出:zhiben overdue --detail",
        "缩小范围:--id 编号、--county 县区简称、--limit 行数",
        "按县区通报:zhiben progress --by county"]
    assert len(lines) < len(detail)


def test_group_json_and_csv(cli, register):
    detail = js(cli, "overdue", *AS_OF)
    groups = js(cli, "overdue", *AS_OF, "--group")
    assert sum(g["items"] for g in groups) == len(detail)
    g = next(g for g in groups if g["milestone_id"] == "trade-05-b")
    rows = [r for r in detail if r["milestone_id"] == "trade-05-b"]
    assert g["counties"] == len({r["county"] for r in rows}) == 3
    assert g["enterprises"] == len({r["credit_code"] for r in rows}) == 6
    assert (g["first_due"], g["max_days_overdue"], g["status"]) == (
        min(r["due"] for r in rows), max(r["days_overdue"] for r in rows), "overdue")
    out = cli("overdue", *AS_OF, "--group", "-f", "csv").stdout_bytes.decode()
    assert out.startswith("\ufeff编号,方案,事项,县区,企业,项数,首个期限,最长逾期(天)\r\n")
    table = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert len(table) == len(groups) + 1
    assert ["trade-05-b", "工贸"] == table[[r[0] for r in table].index("trade-05-b")][:2]
    bad = cli("overdue", *AS_OF, "--group")
    assert (bad.exit_code, bad.output) == (2, "错误:--group 只用于 json、csv 输出;表格输出默认就是按事项汇总的\n")
    bad = cli("overdue", *AS_OF, "--group", "--detail", "-f", "json")
    assert (bad.exit_code, bad.output) == (2, "错误:--detail 与 --group 不能同时使用\n")


def test_limit_caps_every_list_and_says_how_many_were_left(cli, register):
    total = len(js(cli, "overdue", *AS_OF))
    lines = cli("overdue", *AS_OF, "--detail", "--limit", "5").output.splitlines()
    assert len(lines) == 7 and lines[-1] == f"另有 {total - 5:,} 项未显示"
    r = cli("overdue", *AS_OF, "--limit", "3", "-f", "json")
    assert len(json.loads(r.stdout)) == 3 and r.stderr == f"另有 {total - 3:,} 项未显示\n"
    summary = cli("overdue", *AS_OF, "--limit", "2").output.splitlines()
    assert summary[6].startswith("另有 ") and summary[6].endswith(" 项未显示")


def test_detail_piped_is_full_width_never_cropped(cli, register):
    r = cli("overdue", *AS_OF, "--detail", env={"COLUMNS": "40"})
    lines = r.output.splitlines()
    assert len(lines) == len(js(cli, "overdue", *AS_OF)) + 1
    mine = [line for line in lines if LONG in line]
    assert mine and all("91371500MA3C00020" in line and "…" not in line for line in mine)
    assert lines[0].split() == ["编号", "方案", "事项", "主体类别", "责任主体", "所属县区", "统一社会信用代码", "周期",
                                "期限", "逾期天数"]
    assert "2024年12月" in r.output and not re.search(r"\b2024-12\b(?!-)", r.output)


def test_csv_on_stdout_has_a_bom_crlf_and_labels(cli, register):
    r = cli("overdue", *AS_OF, "--detail", "-f", "csv")
    raw = r.stdout_bytes
    assert raw.startswith("\ufeff编号,".encode()) and b"\r\n" in raw and b"\r\r\n" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][7] == "周期"
    labels = {row[7] for row in rows[1:]}
    assert {"一次性", "2024年12月", "2024年度"} <= labels
    assert all(re.fullmatch(r"一次性|\d{4}年(\d{1,2}月|度|上半年|下半年|第[一二三四]季度)", x) for x in labels), labels


NAME = "东昌府润明铝业有限公司"  # a typical register name (20-24 columns)


def _records(n=5, long_title=False):
    return [{"milestone_id": "trade-guard-1-a", "plan": "trade", "title": "每年组织疏散逃生演练现场观摩" * (2 if long_title else 1),
             "subject_kind": "enterprise", "subject": NAME, "county": "东昌府区", "credit_code": "91371500MA3C000201",
             "period_label": "2025年第二季度", "due": __import__("datetime").date(2025, 6, 30), "status": "overdue",
             "days_overdue": 1000 + i} for i in range(n)]


@pytest.mark.parametrize("width", [64, 80, 100, 120, 200])
def test_terminal_lines_fit_the_width_dropping_columns_in_order(width):
    lines = list(render(_records(long_title=True), view.detail_columns("overdue"), total=width, tty=True))
    plain = [ANSI.sub("", line) for line in lines]
    assert len(plain) == 6 and all(cell_len(line) <= width for line in plain)
    assert plain[0].endswith(("逾期", "逾期天数")) and all(line.rstrip().endswith(str(1000 + i)) for i, line in enumerate(plain[1:]))
    assert all("2025-06-30" in line for line in plain[1:])  # dates are never cut
    # Names are whole from 100 columns; narrower, the name gives way (to 8 characters) before a key column.
    assert all((NAME if width >= 100 else NAME[:8]) in line for line in plain[1:])
    heads = plain[0].split()
    if width <= 80:
        assert "主体类别" not in heads and "周期" not in heads
    if width >= 80:  # the key columns stay from 80 columns up; below, the credit code goes before the name is cut
        assert {"编号", "统一社会信用代码"} <= set(heads) and "91371500MA3C000201" in plain[1]
    else:
        assert "统一社会信用代码" not in heads and "编号" in heads
    if width >= 200:
        assert heads == ["编号", "方案", "事项", "主体类别", "责任主体", "所属县区", "统一社会信用代码", "周期", "期限",
                         "逾期天数"]
        assert "化工和危险化学品" not in plain[1] and "工贸" in plain[1]


def test_fit_abbreviates_before_dropping_and_cuts_only_the_title():
    cols = view.detail_columns("overdue")
    recs = _records(1, long_title=True)
    wide = fit(cols, recs, None)
    assert [c.key for c in wide.cols] == [c.key for c in cols]
    narrow = fit(cols, recs, 110)
    keys = [c.key for c in narrow.cols]
    # the subject kind and the period go first; the key columns stay, the county abbreviated
    assert "subject_kind" not in keys and "period_label" not in keys and {"credit_code", "county"} <= set(keys)
    line = ANSI.sub("", list(render(recs, cols, total=110))[1])
    assert " 东昌府 " in line and "东昌府区" not in line and "…" in line and NAME in line


def test_filters_never_guess(cli, register):
    cases = {
        ("--tag", "粉尘爆炸"): "错误:未知的标签“粉尘爆炸”;是否要找:粉尘涉爆、爆炸风险;可用标签见 zhiben enterprise tags\n",
        ("--county", ""): "错误:--county 的值不能为空;可用:东昌府、临清、茌平、阳谷、莘县、东阿、冠县、高唐、经开区、高新区、度假区\n",
        ("--county", "东昌"): "错误:未知的县(市、区)“东昌”;是否要找:东昌府、东阿;可用:东昌府、临清、茌平、阳谷、莘县、东阿、冠县、"
                              "高唐、经开区、高新区、度假区(全称、简称均可)\n",
        ("--enterprise", ""): "错误:--enterprise 的值不能为空;可用:统一社会信用代码(或其开头)、企业全称或名称中的一段\n",
        ("--enterprise", "测试工贸企业9有限公司"): "错误:未知的企业“测试工贸企业9有限公司”;是否要找:测试工贸企业6有限公司、",
        ("--id", ""): "错误:--id 的值不能为空;可用:zhiben catalogue list 列出的事项编号\n",
        ("--plan", "煤矿"): "错误:未知的方案“煤矿”;可用:chem(化工)、mine(矿山)、trade(工贸)\n",
        ("--who", "乡镇"): "错误:未知的责任主体类别“乡镇”;可用:city(市级)、county(县级)、park(园区)、enterprise(企业)\n",
        ("--risk", ""): "错误:--risk 的值不能为空;可用:红、黄、橙、蓝\n".replace("红、黄、橙", "红、橙、黄"),
    }
    for args, message in cases.items():
        for cmd in ("overdue", "upcoming", "progress"):
            r = cli(cmd, *args)
            assert r.exit_code == 2 and r.output.startswith(message), (cmd, args, r.output)
    # Short names, Chinese plan and subject words are accepted.
    assert js(cli, "overdue", *AS_OF, "--county", "茌平", "--plan", "工贸", "--who", "企业")
    assert js(cli, "overdue", *AS_OF, "--county", "茌平", "--plan", "trade", "--who", "enterprise") == \
        js(cli, "overdue", *AS_OF, "--county", "茌平区", "--plan", "工贸", "--who", "企业")


def test_county_view_hides_the_county_column_and_names_the_county(cli, register):
    out = cli("overdue", *AS_OF, "--county", "临清").output.splitlines()
    assert out[0].startswith("截至 2025-01-15 逾期事项(临清市):")
    detail = cli("overdue", *AS_OF, "--county", "临清", "--detail").output.splitlines()
    assert "所属县区" not in detail[0] and len(detail) == len(js(cli, "overdue", *AS_OF, "--county", "临清")) + 1


def test_event_periods_read_as_words(cli, register):
    code = LONG
    r = cli("event", "add", "acceptance", "--enterprise", code, "--date", "2024-12-02")
    assert r.exit_code == 0, r.output
    out = cli("overdue", *AS_OF, "--enterprise", code, "--detail").output
    assert "验收(2024-12-02)后" in out and "acceptance@" not in out
    rec = next(r for r in js(cli, "overdue", *AS_OF, "--enterprise", code) if r["period"].startswith("acceptance@"))
    assert rec["period_label"] == "验收(2024-12-02)后"


def test_windows_and_earliest_dates_are_marked_never_shown_like_deadlines(cli, engine):
    with Session(engine) as s:
        make_enterprise(s, "茌平新建化工有限公司", 30, county="茌平区", sector="chem", tags=("建设项目",))
        make_enterprise(s, "茌平尾矿库有限公司", 31, county="茌平区", sector="mine", tags=("尾矿库",))
        s.commit()
    assert cli("event", "add", "trial-start", "--enterprise", "茌平新建化工有限公司", "--date", "2025-01-10").exit_code == 0
    assert cli("event", "add", "apprentice", "--enterprise", "茌平尾矿库有限公司", "--date", "2024-12-01").exit_code == 0
    window = [r for r in js(cli, "overdue", "--as-of", "2025-01-15", "--id", "chem-09-f")]
    assert [(r["bound"], r["period_label"]) for r in window] == [("window", "试生产(2025-01-10)前10日内")]
    out = cli("overdue", "--as-of", "2025-01-15", "--id", "chem-09-f", "--detail").output
    assert "窗口至 2025-01-09" in out
    up = [r for r in js(cli, "upcoming", "--as-of", "2025-03-15", "--days", "30") if r["status"] == "earliest"]
    assert up and all(r["bound"] == "earliest" for r in up)
    mid = up[0]["milestone_id"]
    detail = cli("upcoming", "--as-of", "2025-03-15", "--days", "30", "--id", mid, "--detail").output
    summary = cli("upcoming", "--as-of", "2025-03-15", "--days", "30", "--id", mid).output
    for text in (detail, summary):
        assert f"最早 {up[0]['due']}" in text
    assert "师带徒开始(2024-12-01)后" in detail


def test_detail_on_a_terminal_stops_after_a_screenful_and_ends_with_the_total(cli, register, monkeypatch):
    """A city-wide --detail is ~100,000 rows: a terminal gets the first 50 and the total; a pipe gets all."""
    from zhiben.outputs import listing_view as cmd
    from zhiben.outputs import terminal

    piped = cli("overdue", "--detail", *AS_OF).stdout.splitlines()
    total = len(piped) - 1  # the header
    assert total > cmd.TERMINAL_DETAIL_ROWS and not piped[-1].startswith(("共", "另有"))
    monkeypatch.setattr(terminal, "screen", lambda: 80)
    lines = cli("overdue", "--detail", *AS_OF).stdout.splitlines()
    assert len(lines) == 1 + cmd.TERMINAL_DETAIL_ROWS + 2
    assert lines[-2:] == [f"另有 {total - cmd.TERMINAL_DETAIL_ROWS:,} 项未显示",
                          f"共 {total:,} 项;全部列出:--limit 0,或输出到文件、管道(如 | less)"]
    everything = cli("overdue", "--detail", "--limit", "0", *AS_OF).stdout.splitlines()
    assert len(everything) == 1 + total + 1 and everything[-1] == f"共 {total:,} 项"
    few = cli("overdue", "--detail", "--limit", "3", *AS_OF).stdout.splitlines()
    assert few[-2:] == [f"另有 {total - 3:,} 项未显示", f"共 {total:,} 项;全部列出:--limit 0,或输出到文件、管道(如 | less)"]
