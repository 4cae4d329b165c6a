"""The plans' effective date: no recurring period is owed from before the plans existed."""

from __future__ import annotations

import datetime as dt
import json

from conftest import ROOT
from zhiben.catalogue import model as catalogue
from zhiben.catalogue import schedule
from zhiben.catalogue.model import RecurringRule
from zhiben.tracking import load as loader


def periods(cli, mid: str) -> list[tuple[str, str]]:
    data = json.loads(cli("catalogue", "show", mid, "--format", "json").output)
    return [(d["period"], d["due"]) for d in data["due_dates"]]


def test_shipped_default_is_the_start_of_the_month_of_the_first_deadline():
    cat = catalogue.read(ROOT / "data" / "milestones.toml")
    assert cat.effective == dt.date(2024, 3, 1)
    first = min(r.due for m in cat.milestones if (r := m.rule).kind == "once")
    assert first == dt.date(2024, 3, 31)


def test_nothing_is_overdue_before_the_plans_existed(cli):
    r = cli("overdue", "--as-of", "2024-02-29", "--format", "json")
    assert (r.exit_code, json.loads(r.output)) == (0, [])
    r = cli("overdue", "--as-of", "2024-02-29")
    assert r.output == "截至 2024-02-29 没有逾期事项\n"


def test_a_period_is_owed_when_at_least_half_of_it_lies_after_the_effective_date(session):
    eff = loader.effective_date(session)
    assert eff == dt.date(2024, 3, 1)
    month, quarter, half, year = (RecurringRule(kind="recurring", every=e) for e in ("month", "quarter", "half", "year"))
    start, end = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
    # March owed, 2024-Q1 not (one month of three), 2024-H1 and the year 2024 owed
    assert [schedule.recurring(r, start, end, eff)[0].period for r in (month, quarter, half, year)] == [
        "2024-03", "2024-Q2", "2024-H1", "2024"]
    # mid-month: 12 of March's 31 days remain after the 20th (not owed), 17 after the 15th (owed)
    assert schedule.recurring(month, start, end, dt.date(2024, 3, 20))[0].period == "2024-04"
    assert schedule.recurring(month, start, end, dt.date(2024, 3, 15))[0].period == "2024-03"
    # exactly half of 2024-H1 (91 of 182 days) remains on 1 April: owed
    assert schedule.recurring(half, start, end, dt.date(2024, 4, 1))[0].period == "2024-H1"
    assert schedule.recurring(half, start, end, dt.date(2024, 4, 2))[0].period == "2024-H2"
    # nothing falls due before the plans took effect: "每年4月底前" under a May date starts in 2025
    april = RecurringRule(kind="recurring", every="year", month=4)
    assert schedule.recurring(april, start, end, eff)[0] == schedule.Due(dt.date(2024, 4, 30), "2024")
    assert schedule.recurring(april, start, end, dt.date(2024, 5, 10))[0] == schedule.Due(dt.date(2025, 4, 30), "2025")
    # an entry with its own start keeps it ("2024年起,每年5月底前")
    own = RecurringRule(kind="recurring", every="year", month=5, start="2024")
    assert schedule.recurring(own, start, end, eff)[0] == schedule.Due(dt.date(2024, 5, 31), "2024")


def test_monthly_report_on_the_previous_month(cli):
    dues = periods(cli, "mine-req-2-b")
    assert dues[0] == ("2024-03", "2024-04-03")
    assert dues[-1] == ("2026-12", "2027-01-04")  # 2027-01-03 is a Sunday: 顺延
    assert len(dues) == 34


def test_bureau_sets_the_true_date_and_everything_rederives(cli):
    r = cli("config", "set", "effective", "2024-03-20")
    assert (r.exit_code, r.output) == (0, "方案生效日期:2024-03-20  [数据库设置]\n")
    assert periods(cli, "mine-req-2-a")[0] == ("2024-04", "2024-04-30")
    # the report on March is judged by March: 12 of its 31 days lie after the 20th, not owed
    assert periods(cli, "mine-req-2-b")[0][0] == "2024-04"
    assert "方案自 2024-03-20 起施行\n" in cli("overdue", "--as-of", "2024-06-01", env={"COLUMNS": "200"}).output
    # a reload of the catalogue keeps the bureau's date
    assert cli("load").exit_code == 0
    assert periods(cli, "mine-req-2-a")[0] == ("2024-04", "2024-04-30")
    r = cli("config", "unset", "effective")
    assert (r.exit_code, r.output) == (0, "方案生效日期:2024-03-01  [事项目录默认]\n")
    # until set again, every report marks the date as the catalogue's unverified default
    assert "方案自 2024-03-01 起施行(默认值,待以印发日期核实)\n" in cli("overdue", "--as-of", "2024-06-01").output
    assert periods(cli, "mine-req-2-a")[0] == ("2024-03", "2024-03-31")


def test_a_later_date_keeps_records_of_dropped_periods_and_says_so(cli):
    assert cli("done", "mine-req-2-a", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-30").exit_code == 0
    r = cli("config", "set", "effective", "2024-04-10")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1] == "注意:事项 mine-req-2-a 的周期 2024-03 已早于生效日期,其完成记录保留但不再计入统计"
    r = cli("config", "unset", "effective")
    assert r.output.splitlines() == ["方案生效日期:2024-03-01  [事项目录默认]"]


def test_bad_dates_and_names_are_refused(cli):
    r = cli("config", "set", "effective", "2023-12-31")
    assert (r.exit_code, r.output) == (2, "错误:生效日期 2023-12-31 不在方案期限 2024-01-01~2026-12-31 内\n")
    r = cli("config", "set", "effective", "2024-02-30")
    assert (r.exit_code, r.output) == (2, "错误:生效日期“2024-02-30”不存在\n")
    r = cli("config", "set", "host", "x")
    assert (r.exit_code, r.output) == (2, "错误:未知的数据库设置项“host”;可用:effective、evidence-file-limit、evidence-total-limit\n")


def test_catalogue_effective_must_lie_in_the_plan_period(tmp_path, cli):
    text = (ROOT / "data" / "milestones.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("effective = 2024-03-01", "effective = 2027-01-01", 1), encoding="utf-8")
    r = cli("catalogue", "check", str(bad))
    assert r.exit_code != 0
    assert "catalogue: effective: 2027-01-01 不在方案期限 2024-01-01~2026-12-31 内" in r.output


def test_postponed_deadline_is_labelled_and_follows_the_calendar(cli):
    r = cli("overdue", "--as-of", "2024-05-07", "--id", "mine-req-2-b", "--detail", env={"COLUMNS": "200"})
    assert "2024-05-06(顺延)" in r.output
    rows = json.loads(cli("overdue", "--as-of", "2024-05-07", "--id", "mine-req-2-b", "-f", "json").output)
    assert [(x["period"], x["due"], x["bound"]) for x in rows] == [
        ("2024-03", "2024-04-03", "deadline"), ("2024-04", "2024-05-06", "postponed")]
    assert cli("calendar", "add", "2027-01-04", "holiday", "--note", "假设").exit_code == 0
    assert periods(cli, "mine-req-2-b")[-1] == ("2026-12", "2027-01-05")
    assert cli("calendar", "remove", "2027-01-04").exit_code == 0
    assert periods(cli, "mine-req-2-b")[-1] == ("2026-12", "2027-01-04")


def test_files_mark_the_default_effective_date_until_it_is_set(cli, tmp_path):
    """The workbook's title row and the HTML report say 默认值 like the terminal does."""
    import openpyxl

    def marks() -> tuple[bool, bool]:
        book, page = tmp_path / "逾期.xlsx", tmp_path / "报告.html"
        assert cli("export", "overdue", "--to", str(book), "--as-of", "2024-06-01", "--force").exit_code == 0
        assert cli("report", "--to", str(page), "--as-of", "2024-06-01", "--force").exit_code == 0
        headings = [" ".join(str(ws.cell(r, 1).value or "") for r in (1, 2, 3))
                    for ws in openpyxl.load_workbook(book).worksheets]
        assert all("方案自 " in h for h in headings), headings
        return (all("起施行(默认值,待以印发日期核实)" in h for h in headings),
                "起施行(默认值,待以印发日期核实)" in page.read_text(encoding="utf-8"))

    assert marks() == (True, True)
    assert cli("config", "set", "effective", "2024-03-01").exit_code == 0
    assert marks() == (False, False)
