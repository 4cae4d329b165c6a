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
    assert (r.exit_code, r.output) == (0, "已登记:2027-01-01 放假(元旦)\n")
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
    assert (r.exit_code, r.output) == (0, "已导入 2 天\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-10-01,holiday\n2027-10-02,休假\n", encoding="utf-8")
    r = cli("calendar", "import", str(bad))
    assert (r.exit_code, r.output) == (2, f"错误:{bad}:2: 未知的日期类型“休假”;可用:holiday(放假)、workday(调休上班)\n")
    assert "2027-10-01" not in cli("calendar", "show", "2027").output
    r = cli("calendar", "add", "2027-02-30", "holiday")
    assert r.exit_code == 2 and "不存在" in r.output
