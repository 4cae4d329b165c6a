"""The third reading of the plans (issue 19): duties charged to the right enterprises."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

from conftest import ROOT
from factories import make_enterprise
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.register import creditcode
from zhiben.tracking import subjects, targets

HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱"


def code(n: int) -> str:
    return creditcode.complete(f"91371523{n:09d}")


def register(path, rows):
    lines = [HEADER] + [f"{code(i)},企业{i:03d}有限公司,茌平,化工,{tags},,,," for i, tags in enumerate(rows, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def owed(cli, n: int, as_of: str = "2027-02-01") -> set[str]:
    rows = json.loads(cli("overdue", "--enterprise", code(n), "--as-of", as_of, "-f", "json").output)
    return {r["milestone_id"] for r in rows}


def test_a_depot_registered_either_way_gets_every_depot_duty(cli, tmp_path):
    # 石油天然气企业(中石化油库) and 油气储存企业(中石化油库) are the same depots
    r = cli("enterprise", "import", str(register(tmp_path / "r.csv", ["石油天然气", "油气储存", "中石化油库"])))
    assert r.exit_code == 0, r.output
    depot = {"chem-02-c", "chem-07-a", "chem-20-b"}
    for n in (1, 2, 3):
        assert depot <= owed(cli, n), n


def test_register_spellings_of_explosion_risk_and_process_hazard_level(cli, tmp_path):
    rows = ["爆炸危险", "三级及以上", "工艺危险度4级;氯化工艺"]
    assert cli("enterprise", "import", str(register(tmp_path / "r.csv", rows))).exit_code == 0
    ents = {e["credit_code"]: sorted(e["tags"]) for e in json.loads(cli("enterprise", "list", "-f", "json").output)}
    assert ents[code(1)] == ["爆炸风险"]
    assert ents[code(2)] == ["工艺危险度3级及以上"]
    assert ents[code(3)] == sorted(["工艺危险度3级及以上", "氯化", "高危工艺"])
    assert "chem-17-b" in owed(cli, 1)
    assert "chem-18-a" in owed(cli, 2)
    # “其他高危工艺企业” does not say other than what: a 氯化 enterprise of level 3+ owes both
    assert {"chem-17-a", "chem-18-a"} <= owed(cli, 3)


def test_mine_staffing_ratio_is_reported_by_the_city_and_chiping_only(session):
    rows = targets.measure(session, dt.date(2025, 6, 30), milestone_id="mine-19-1-a")
    assert [r.scope for r in rows] == ["全市", "茌平区"]
    with pytest.raises(InputError, match="^目标 mine-19-1-a 只由茌平区承担,不适用于临清市$"):
        targets.record_value(session, "mine-19-1-a", subjects.county_subject(session, "临清"), 0.8,
                             on=dt.date(2025, 3, 1), today=dt.date(2025, 3, 1))


OLD_TRADE_06 = 'rule = { kind = "recurring", every = "year", month = 1, start = "2025", end = "2026" }'


def test_hazards_of_the_plans_last_year_are_tracked_and_old_records_follow_their_year(cli, engine, tmp_path):
    # 每年1月底前,要全面完成整改上一年度查出的重大事故隐患: the period is the year the hazards were found
    shown = json.loads(cli("catalogue", "show", "trade-06-a", "-f", "json").output)
    assert [(d["period"], d["due"]) for d in shown["due_dates"]] == [
        ("2024", "2025-01-31"), ("2025", "2026-01-31"), ("2026", "2027-01-31")]
    assert shown["schedule"] == "每年1月底前(针对上一年度)"
    # a database loaded with the old rule (periods keyed by the January they fall due in)
    text = (ROOT / "data" / "milestones.toml").read_text(encoding="utf-8")
    start = text.index('id = "trade-06-a"')
    rule_at = text.index("rule = ", start)
    old = tmp_path / "old.toml"
    old.write_text(text[:rule_at] + OLD_TRADE_06 + text[text.index("\n", rule_at):], encoding="utf-8")
    assert cli("load", str(old)).exit_code == 0
    with Session(engine) as s:
        ent = make_enterprise(s, "茌平工贸有限公司", 7, sector="trade")
        s.commit()
        code_ = ent.credit_code
    r = cli("done", "trade-06-a", "--enterprise", code_, "--period", "2025", "--on", "2025-01-20")
    assert r.exit_code == 0, r.output
    r = cli("load")
    assert "注意:事项 trade-06-a 的周期改按所报告(整改)的周期计,1 条完成记录随之移到对应周期" in r.output
    with Session(engine) as s:
        comp = s.exec(select(models.Completion).where(models.Completion.milestone_id == "trade-06-a")).one()
        assert (comp.period, comp.done_on) == ("2024", dt.date(2025, 1, 20))
    left = json.loads(cli("overdue", "--enterprise", code_, "--id", "trade-06-a", "--as-of", "2027-02-01",
                          "-f", "json").output)
    assert [(x["period"], x["due"]) for x in left] == [("2025", "2026-01-31"), ("2026", "2027-01-31")]


def test_yearly_plans_without_a_date_are_recorded_per_year_and_never_overdue(cli):
    # 制定年度执法计划 (trade-22-a), 年度教育培训计划 (mine-02-2-b), 年度实施计划 (mine-08-b)
    r = cli("done", "trade-22-a", "--city", "--on", "2025-02-01")
    assert (r.exit_code, r.output) == (2, "错误:事项 trade-22-a 每年一次(原文未给出日期),请用 --period 指定年度,如 2025\n")
    r = cli("done", "trade-22-a", "--city", "--period", "2023", "--on", "2025-02-01")
    assert (r.exit_code, r.output) == (2, "错误:事项 trade-22-a 没有周期“2023”(可用:2024、2025、2026)\n")
    r = cli("done", "trade-22-a", "--city", "--period", "2025", "--on", "2025-02-01")
    assert (r.exit_code, r.output) == (0, "已完成:trade-22-a 市级“聊城市应急管理局” 周期 2025年度,完成日期 2025-02-01\n")
    shown = json.loads(cli("catalogue", "show", "trade-22-a", "-f", "json").output)
    assert (shown["schedule"], shown["periods"]) == ("每年一次,未定期限(原文未给出日期,不计逾期)", ["2024", "2025", "2026"])
    assert [(c["period"], c["done_on"]) for c in shown["completions"]] == [("2025", "2025-02-01")]
    text = cli("catalogue", "show", "trade-22-a").output.splitlines()
    assert text[-3:] == ["年度:2024年度、2025年度、2026年度", "已记录完成(1 个):", "  聊城市应急管理局  2025年度  2025-02-01"]
    for mid in ("trade-22-a", "mine-02-2-b", "mine-08-b"):
        assert json.loads(cli("overdue", "--id", mid, "--as-of", "2027-03-01", "-f", "json").output) == []


def test_import_names_plan_tags_no_enterprise_carries_with_their_duties(cli, tmp_path):
    rows = ["爆炸危险", "油气储存", "重大危险源"]
    r = cli("enterprise", "import", str(register(tmp_path / "r.csv", rows)))
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("注意:") and "方案标签" in x)
    assert line.startswith("注意:") and "个方案标签没有任何在册企业带有,以它为适用条件的事项(括号内)找不到适用企业" in line
    # chem-17-d and chem-19-a reach the 重大危险源 enterprise: only chem-02-a falls on nobody
    assert "工艺危险度3级及以上(chem-18-a)" in line and "一级重大危险源(chem-02-a)、" in line
    # 石油天然气 is not carried, but its depot duties reach the 油气储存 enterprise: not named
    assert "爆炸风险" not in line and "油气储存" not in line and "石油天然气" not in line


def test_park_duties_show_on_a_stand_in_until_parks_are_registered(cli):
    # 2024年5月底前,我市三个化工园区全部建成安全风险智能化管控平台: with no park registered yet
    rows = json.loads(cli("overdue", "--as-of", "2025-01-15", "--who", "park", "-f", "json").output)
    assert sorted((r["milestone_id"], r["subject"]) for r in rows) == [
        (mid, "尚未登记化工园区(方案:三个化工园区)") for mid in ("chem-15-a", "chem-15-b", "chem-15-c")]
    assert cli("park", "add", "茌平化工产业园", "--county", "茌平").exit_code == 0
    rows = json.loads(cli("overdue", "--as-of", "2025-01-15", "--who", "park", "-f", "json").output)
    assert sorted((r["milestone_id"], r["subject"], r["county"]) for r in rows) == [
        (mid, "茌平化工产业园", "茌平区") for mid in ("chem-15-a", "chem-15-b", "chem-15-c")]
    assert cli("check").exit_code == 0
