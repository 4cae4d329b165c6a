"""overdue / upcoming / progress on a controlled catalogue: --as-of semantics, windows, numbers, formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import textwrap

import pytest
from wcwidth import wcswidth

from runner import ZhibenRunner
from zhiben import terms as counties
from zhiben.cli import app

CITY = "聊城市应急管理局"

SMALL = textwrap.dedent("""\
    [catalogue]
    title = "测试目录"
    start = 2024-01-01
    end = 2026-12-31

    [catalogue.plans]
    chem = "化工"
    mine = "非煤矿山"
    trade = "工贸"

    [[milestone]]
    id = "mine-t-1"
    plan = "mine"
    task = "1"
    section = "测试"
    title = "市级一次性事项"
    quote = "2025年3月底前"
    responsible = "city"
    rule = { kind = "once", due = 2025-03-31 }

    [[milestone]]
    id = "mine-t-2"
    plan = "mine"
    task = "2"
    section = "测试"
    title = "茌平阳谷每季度"
    quote = "每季度"
    responsible = "county"
    counties = ["茌平区", "阳谷县"]
    rule = { kind = "recurring", every = "quarter", start = "2025-Q1", end = "2025-Q4" }

    [[milestone]]
    id = "trade-t-3"
    plan = "trade"
    task = "3"
    section = "测试"
    title = "各县一次性事项"
    quote = "2025年6月底前"
    responsible = "county"
    rule = { kind = "once", due = 2025-06-30 }

    [[milestone]]
    id = "chem-t-4"
    plan = "chem"
    task = "4"
    section = "测试"
    title = "市级每月3日前"
    quote = "每月3日前"
    responsible = "city"
    rule = { kind = "recurring", every = "month", day = 3, start = "2025-01", end = "2025-06" }
    """)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory, template_db, backend):
    """A database whose only active milestones are the four above, with six records.

    Built once per module: every test here only reads it."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("small") / "zhiben.db"
        shutil.copy(template_db, path)
        url = f"sqlite:///{path}"
    else:
        from conftest import _pg_admin, _pg_url

        name = f"zhiben_small_{os.getpid()}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
        url = _pg_url(name)
    runner = ZhibenRunner()
    catalogue_file = tmp_path_factory.mktemp("small_toml") / "small.toml"
    catalogue_file.write_text(SMALL, encoding="utf-8")
    assert runner.invoke(app, ["--db", url, "load", str(catalogue_file)]).exit_code == 0
    for args in (
        ("mine-t-1", "--city", "--on", "2025-04-02"),
        ("mine-t-2", "--county", "茌平", "--period", "2025-Q1", "--on", "2025-03-20"),
        ("mine-t-2", "--county", "茌平", "--period", "2025-Q2", "--on", "2025-07-05"),
        ("trade-t-3", "--county", "阳谷", "--on", "2025-06-30"),
        ("chem-t-4", "--city", "--period", "2025-01", "--on", "2025-01-02"),
        ("chem-t-4", "--city", "--period", "2025-02", "--on", "2025-02-10"),
    ):
        result = runner.invoke(app, ["--db", url, "done", *args])
        assert result.exit_code == 0, result.output
    yield url
    if backend != "sqlite":
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def rcli(small_db):
    runner = ZhibenRunner()
    return lambda *args: runner.invoke(app, ["--db", small_db, *args])


def js(cli, *args):
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def keys(rows):
    return [(r["milestone_id"], r["subject"], r["period"]) for r in rows]


# --- overdue -----------------------------------------------------------------------------------

def test_overdue_means_due_before_as_of(rcli):
    assert keys(js(rcli, "overdue", "--as-of", "2025-03-31")) == [("chem-t-4", CITY, "2025-03")]
    rows = js(rcli, "overdue", "--as-of", "2025-04-01")
    assert keys(rows) == [("chem-t-4", CITY, "2025-03"), ("mine-t-1", CITY, "once"),
                          ("mine-t-2", "阳谷县", "2025-Q1")]
    assert [r["days_overdue"] for r in rows] == [29, 1, 1]


def test_completion_after_as_of_does_not_count(rcli):
    # mine-t-1 was done on 2025-04-02: overdue on 04-01, not on 04-02
    assert ("mine-t-1", CITY, "once") in keys(js(rcli, "overdue", "--as-of", "2025-04-01"))
    assert ("mine-t-1", CITY, "once") not in keys(js(rcli, "overdue", "--as-of", "2025-04-02"))
    # 茌平 Q2 done on 07-05: overdue on 07-01 (due 06-30), not on 07-05
    assert ("mine-t-2", "茌平区", "2025-Q2") in keys(js(rcli, "overdue", "--as-of", "2025-07-01"))
    assert ("mine-t-2", "茌平区", "2025-Q2") not in keys(js(rcli, "overdue", "--as-of", "2025-07-05"))
    # before anything was due, nothing is overdue
    assert rcli("overdue", "--as-of", "2024-06-01", "--format", "plain").output == "截至 2024-06-01 没有逾期事项\n"


def test_overdue_json_fields(rcli):
    row = js(rcli, "overdue", "--as-of", "2025-07-01", "--plan", "trade")[0]
    expected = {
        "milestone_id": "trade-t-3", "plan": "trade", "plan_name": "工贸", "title": "各县一次性事项",
        "subject_kind": "county", "subject": "东昌府区", "county": "东昌府区", "credit_code": None,
        "period": "once", "due": "2025-06-30", "status": "overdue", "days_overdue": 1,
    }
    # fields may be added to the JSON shape, never removed or renamed
    assert {k: row.get(k, "<missing>") for k in expected} == expected
    up = js(rcli, "upcoming", "--as-of", "2025-06-25", "--days", "5")[0]
    assert (up["status"], up["days_left"], up["due"]) == ("open", 5, "2025-06-30")
    assert "days_overdue" not in up


def test_overdue_filters_plan_county_who(rcli):
    as_of = ("--as-of", "2025-07-01")
    trade = js(rcli, "overdue", *as_of, "--plan", "trade")
    assert [r["subject"] for r in trade] == [n for n in counties.NAMES if n != "阳谷县"]
    chiping = js(rcli, "overdue", *as_of, "--county", "茌平")
    assert keys(chiping) == [("mine-t-2", "茌平区", "2025-Q2"), ("trade-t-3", "茌平区", "once")]
    city = js(rcli, "overdue", *as_of, "--who", "city")
    assert keys(city) == [("chem-t-4", CITY, p) for p in ("2025-03", "2025-04", "2025-05", "2025-06")]
    assert js(rcli, "overdue", *as_of, "--who", "park") == []
    result = rcli("overdue", "--plan", "coal")
    assert (result.exit_code, result.output) == (2, "错误:未知的方案“coal”;可用:chem(化工)、mine(矿山)、trade(工贸)\n")
    result = rcli("overdue", "--as-of", "2025-13-01")
    assert (result.exit_code, result.output) == (2, "错误:日期“2025-13-01”不存在\n")
    result = rcli("overdue", "--format", "xml")
    assert (result.exit_code, result.output) == (2, "错误:未知的输出格式“xml”;可用:table、markdown、plain、csv、json\n")


# --- upcoming ----------------------------------------------------------------------------------

def test_upcoming_window_is_inclusive(rcli):
    five = js(rcli, "upcoming", "--as-of", "2025-06-25", "--days", "5")
    # 阳谷 finished trade-t-3 on 06-30, which is after 06-25: still open on the as-of date
    assert [(r["milestone_id"], r["subject"]) for r in five] == (
        [("mine-t-2", "茌平区"), ("mine-t-2", "阳谷县")] + [("trade-t-3", n) for n in counties.NAMES])
    assert {r["days_left"] for r in five} == {5}
    assert {r["status"] for r in five} == {"open"}
    assert js(rcli, "upcoming", "--as-of", "2025-06-25", "--days", "4") == []
    # due on the as-of day itself: upcoming with 0 days left, not overdue
    today = js(rcli, "upcoming", "--as-of", "2025-06-30", "--days", "0")
    assert len(today) == 12 and {r["days_left"] for r in today} == {0}
    assert "阳谷县" not in [r["subject"] for r in today if r["milestone_id"] == "trade-t-3"]


def test_upcoming_default_is_thirty_days(rcli):
    rows = js(rcli, "upcoming", "--as-of", "2025-03-04")
    assert keys(rows) == [("mine-t-1", CITY, "once"), ("mine-t-2", "茌平区", "2025-Q1"),
                          ("mine-t-2", "阳谷县", "2025-Q1"), ("chem-t-4", CITY, "2025-04")]
    assert [r["days_left"] for r in rows] == [27, 27, 27, 30]


# --- progress ----------------------------------------------------------------------------------

def prog(rcli, by, *args):
    return [(r["label"], r["due_so_far"], r["done"], r["overdue"], r["rate"], r["done_late"], r["open_later"])
            for r in js(rcli, "progress", "--by", by, "--as-of", "2025-07-01", *args)]


def test_progress_by_county(rcli):
    others = [(n, 1, 0, 1, 0.0, 0, 0) for n in counties.NAMES if n not in ("茌平区", "阳谷县")]
    rows = prog(rcli, "county")
    assert rows[0] == (CITY, 7, 3, 4, 0.4286, 2, 0)
    by_name = dict((r[0], r[1:]) for r in rows)
    assert [r[0] for r in rows] == [CITY, *counties.NAMES]
    assert by_name["茌平区"] == (3, 1, 2, 0.3333, 0, 2)
    assert by_name["阳谷县"] == (3, 1, 2, 0.3333, 0, 2)
    assert [r for r in rows if r[0] not in (CITY, "茌平区", "阳谷县")] == others


def test_progress_by_plan_and_milestone(rcli):
    assert prog(rcli, "plan") == [
        ("化工和危险化学品", 6, 2, 4, 0.3333, 1, 0),
        ("非煤矿山", 5, 2, 3, 0.4, 1, 4),
        ("工贸", 11, 1, 10, 0.0909, 0, 0),
    ]
    assert prog(rcli, "milestone") == [
        ("市级一次性事项", 1, 1, 0, 1.0, 1, 0),
        ("茌平阳谷每季度", 4, 1, 3, 0.25, 0, 4),
        ("各县一次性事项", 11, 1, 10, 0.0909, 0, 0),
        ("市级每月3日前", 6, 2, 4, 0.3333, 1, 0),
    ]


def test_progress_respects_as_of_and_filters(rcli):
    # on 07-05 茌平's Q2 record counts
    rows = {r["label"]: r for r in js(rcli, "progress", "--by", "county", "--as-of", "2025-07-05")}
    assert (rows["茌平区"]["done"], rows["茌平区"]["done_late"]) == (2, 1)
    assert prog(rcli, "plan", "--county", "阳谷") == [("非煤矿山", 2, 0, 2, 0.0, 0, 2), ("工贸", 1, 1, 0, 1.0, 0, 0)]
    assert prog(rcli, "county", "--as-of", "2024-06-01")[0] == (CITY, 0, 0, 0, None, 0, 7)
    result = rcli("progress", "--by", "week")
    assert (result.exit_code, result.output) == (2, "错误:未知的分组方式“week”;可用:county、plan、milestone、enterprise\n")


# --- formats -----------------------------------------------------------------------------------

def test_csv_header_in_chinese_and_values_readable(rcli):
    result = rcli("overdue", "--as-of", "2025-04-01", "--format", "csv")
    assert result.output.startswith("\ufeff")  # Excel on Chinese Windows reads a BOM-less file as GBK
    rows = list(csv.reader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert rows[0] == ["编号", "方案", "事项", "主体类别", "责任主体", "所属县区", "统一社会信用代码", "周期", "期限",
                       "逾期天数"]
    assert rows[1] == ["chem-t-4", "化工和危险化学品", "市级每月3日前", "市级", CITY, "", "", "2025年3月", "2025-03-03",
                       "29"]
    assert len(rows) == 4
    up = list(csv.reader(io.StringIO(rcli("upcoming", "--as-of", "2025-06-25", "--days", "5", "--format", "csv").output)))
    assert up[0][-1] == "剩余天数"
    progress = list(csv.reader(io.StringIO(rcli("progress", "--by", "plan", "--as-of", "2025-07-01",
                                                "--format", "csv").output.removeprefix("\ufeff"))))
    assert progress[0] == ["名称", "已到期", "已完成", "逾期", "完成率", "逾期完成", "未到期"]
    assert progress[3] == ["工贸", "11", "1", "10", "9.1%", "0", "0"]


def test_markdown_is_aligned_for_chinese(rcli):
    result = rcli("overdue", "--as-of", "2025-04-01", "--format", "markdown", "--detail")
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("| 编号") and set(lines[1]) <= {"|", "-", ":"}
    widths = {wcswidth(line) for line in lines}
    assert len(widths) == 1
    pipes = [[wcswidth(line[:i]) for i, ch in enumerate(line) if ch == "|"] for line in lines]
    assert all(p == pipes[0] for p in pipes)
    assert "| mine-t-2 | 非煤矿山" in lines[4] and "| 阳谷县" in lines[4]


def test_plain_and_table_formats(rcli):
    plain = rcli("progress", "--by", "plan", "--as-of", "2025-07-01", "--format", "plain").output.splitlines()[3:]
    assert plain[0].split() == ["名称", "已到期", "已完成", "逾期", "完成率", "逾期完成", "未到期"]
    assert plain[3].split() == ["工贸", "11", "1", "10", "9.1%", "0", "0"]
    table = rcli("overdue", "--as-of", "2025-04-01").output
    assert table.startswith("截至 2025-04-01 逾期事项:3 个事项共 3 项,涉及 1 个县区和市局本级\n"
                            "方案自 2024-01-01 起施行(默认值,待以印发日期核实)\n")
    assert rcli("upcoming", "--as-of", "2024-01-01", "--days", "3").output == "2024-01-01 起 3 天内没有到期事项\n"
