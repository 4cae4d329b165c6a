"""The bureau's holiday calendar: deadlines past chinesecalendar's data are estimated, never an error."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import factories
from zhiben.tracking import events


@pytest.fixture
def chem(session):
    ent = factories.make_enterprise(session, "鲁西新材料有限公司", tags=["建设项目"], seq=1)
    session.commit()
    return ent


def test_acceptance_late_in_2026_gives_an_estimated_deadline_that_moves_with_the_holidays(cli, session, chem):
    events.add(session, enterprise_id=chem.id, kind="acceptance", date=dt.date(2026, 12, 25),
               today=dt.date(2026, 12, 25))
    session.commit()
    [due] = json.loads(cli("event", "list", "-f", "json").output)[0]["deadlines"]
    assert (due["milestone_id"], due["due"], due["estimated"]) == ("chem-09-i", "2027-01-08", [2027])
    assert "chem-09-i 2027-01-08(按周末估算)" in cli("event", "list", "-f", "csv").output
    shown = cli("calendar", "show", "2027").output
    assert shown.startswith("2027 年:没有节假日数据,按周一至周五上班估算")

    r = cli("calendar", "add", "2027-01-01", "holiday", "--note", "元旦")
    assert (r.exit_code, r.output) == (0, "已登记:2027-01-01 放假(元旦);1 个期限随之改变\n")
    [due] = json.loads(cli("event", "list", "-f", "json").output)[0]["deadlines"]
    assert (due["due"], due["estimated"]) == ("2027-01-11", [])
    upcoming = json.loads(cli("upcoming", "--as-of", "2027-01-05", "-f", "json").output)
    assert [(x["milestone_id"], x["due"]) for x in upcoming if x["milestone_id"] == "chem-09-i"] == [
        ("chem-09-i", "2027-01-11")]
    assert cli("calendar", "show", "2027").output == (
        "2027 年:按本数据库登记的 1 天计算(未登记的日子周一至周五上班)\n日期        安排  说明\n2027-01-01  放假  元旦\n")
    assert cli("calendar", "show", "2025").output == "2025 年:使用程序自带的节假日数据(chinesecalendar)\n"


def test_import_a_file_all_or_nothing(cli, tmp_path):
    good = tmp_path / "2027.csv"
    good.write_text("日期,类型,备注\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n# 注释\n\n", encoding="utf-8")
    r = cli("calendar", "import", str(good))
    assert (r.exit_code, r.output) == (0, "已导入 2 天:新增 2 天、修改 0 天、未变 0 天;没有期限因此改变\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-10-01,holiday\n2027-10-02,休假\n", encoding="utf-8")
    r = cli("calendar", "import", str(bad))
    assert (r.exit_code, r.output) == (2, f"错误:{bad}:2: 未知的日期类型“休假”;可用:holiday(放假)、workday(调休上班)\n")
    assert "2027-10-01" not in cli("calendar", "show", "2027").output
    r = cli("calendar", "add", "2027-02-30", "holiday")
    assert r.exit_code == 2 and "不存在" in r.output


def _acceptance_due(cli) -> str:
    [due] = json.loads(cli("event", "list", "-f", "json").output)[0]["deadlines"]
    return due["due"]


def test_one_local_day_is_an_override_and_keeps_the_statutory_year(cli, session, chem):
    """Issue 20.6: adding 2025-12-26 once dropped the whole 2025 statutory calendar (10-16 → 10-10)."""
    events.add(session, enterprise_id=chem.id, kind="acceptance", date=dt.date(2025, 9, 26), today=dt.date(2025, 9, 26))
    session.commit()
    assert _acceptance_due(cli) == "2025-10-16"  # 10 working days across the National Day holidays
    r = cli("calendar", "add", "2025-12-26", "holiday", "--note", "本地")
    assert (r.exit_code, r.output) == (0, "已登记:2025-12-26 放假(本地);没有期限因此改变\n")
    assert _acceptance_due(cli) == "2025-10-16"
    assert cli("calendar", "show", "2025").output == (
        "2025 年:使用程序自带的节假日数据(chinesecalendar),以下 1 天按本数据库登记\n"
        "日期        安排  说明\n2025-12-26  放假  本地\n")
    from zhiben.catalogue import schedule
    from zhiben.tracking import holidays

    cal = holidays.work_calendar(session)
    assert not schedule.is_workday(dt.date(2025, 10, 3), cal) and not schedule.is_workday(dt.date(2025, 12, 26), cal)
    assert schedule.next_workday(dt.date(2025, 10, 1), cal) == dt.date(2025, 10, 9)
    assert schedule.next_workday(dt.date(2025, 10, 9), cal) == dt.date(2025, 10, 9)


def test_replacing_a_whole_year_is_explicit_and_says_what_changed(cli, session, chem, tmp_path):
    events.add(session, enterprise_id=chem.id, kind="acceptance", date=dt.date(2025, 9, 26), today=dt.date(2025, 9, 26))
    session.commit()
    cli("calendar", "add", "2025-12-26", "holiday")
    year = tmp_path / "2025.csv"
    year.write_text("2025-01-01,holiday,元旦\n2025-10-01,holiday,国庆\n", encoding="utf-8")
    r = cli("calendar", "import", str(year), "--replace-year", "2025")
    assert (r.exit_code, r.output) == (0, "已替换 2025 年的节假日日历:新增 2 天、修改 0 天、删除 1 天、未变 0 天;"
                                          "该年改为完全按本数据库登记计算(未登记的日子周一至周五上班);"
                                          "4 个期限随之改变\n")
    assert _acceptance_due(cli) == "2025-10-13"
    assert cli("calendar", "show", "2025").output.startswith("2025 年:按本数据库登记的 2 天计算")
    other = tmp_path / "other.csv"
    other.write_text("2026-01-01,holiday\n", encoding="utf-8")
    r = cli("calendar", "import", str(other), "--replace-year", "2025")
    assert r.exit_code == 2 and "2026-01-01 不在 2025 年" in r.output
    r = cli("calendar", "remove", "2025")
    assert (r.exit_code, r.output) == (0, "已删除 2025 年的 2 天登记,恢复程序自带数据;4 个期限随之改变\n")
    assert _acceptance_due(cli) == "2025-10-16"


def test_a_day_listed_twice_with_different_kinds_is_refused_whole(cli, tmp_path):
    """Issue 20.6: holiday then workday for 2025-10-01 reported 已导入 3 天, stored 2, the last line won."""
    f = tmp_path / "dup.csv"
    f.write_text("2025-10-01,holiday\n2025-10-02,holiday\n2025-10-01,workday\n", encoding="utf-8")
    r = cli("calendar", "import", str(f))
    assert (r.exit_code, r.output) == (
        2, f"错误:{f}:3: 2025-10-01 在第 1 行是放假,这里又是调休上班;请只保留正确的一行\n")
    assert cli("calendar", "show", "2025").output == "2025 年:使用程序自带的节假日数据(chinesecalendar)\n"
    f.write_text("2027-10-01,holiday\n2027-10-01,放假\n", encoding="utf-8")
    r = cli("calendar", "import", str(f))
    assert (r.exit_code, r.output) == (0, "已导入 1 天:新增 1 天、修改 0 天、未变 0 天;没有期限因此改变\n")
