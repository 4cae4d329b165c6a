"""done / reopen / log: completion records, the audit log, and clear errors that touch nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from zhiben import terms as counties
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.tracking import audit, completions, subjects

# Shipped catalogue entries used here:
#   chem-guard-1-a  every county, once, due 2025-06-30
#   trade-goal-a    city, once, due 2024-12-31
#   mine-req-2-a    茌平区 only, monthly (month end)
ONCE_COUNTY, ONCE_CITY, MONTHLY = "chem-guard-1-a", "trade-goal-a", "mine-req-2-a"


def counts(engine) -> tuple[int, int]:
    with Session(engine) as s:
        done = s.exec(select(func.count()).select_from(models.Completion)).one()
        audit = s.exec(select(func.count()).select_from(models.AuditEntry)).one()
    return done, audit


def overdue_subjects(cli, mid: str, as_of: str) -> list[str]:
    result = cli("overdue", "--id", mid, "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return [r["subject"] for r in json.loads(result.output)]


def test_done_removes_from_overdue_and_reopen_restores(cli, engine):
    assert overdue_subjects(cli, ONCE_COUNTY, "2025-07-01") == counties.NAMES
    result = cli("done", ONCE_COUNTY, "--county", "茌平", "--on", "2025-06-20", "--evidence", "总结报告", "--by", "张三")
    assert (result.exit_code, result.output) == (0, "已完成:chem-guard-1-a 县级“茌平区”,完成日期 2025-06-20\n")
    assert overdue_subjects(cli, ONCE_COUNTY, "2025-07-01") == [n for n in counties.NAMES if n != "茌平区"]
    assert counts(engine) == (1, 1)

    result = cli("reopen", ONCE_COUNTY, "--county", "茌平区", "--reason", "材料不全", "--by", "李四")
    assert (result.exit_code, result.output) == (0, "已撤销完成:chem-guard-1-a 县级“茌平区”\n")
    assert overdue_subjects(cli, ONCE_COUNTY, "2025-07-01") == counties.NAMES
    assert counts(engine) == (0, 2)


def test_audit_log_records_old_and_new_status_evidence_and_who(cli):
    cli("done", ONCE_COUNTY, "--county", "茌平", "--on", "2025-06-20", "--evidence", "总结报告", "--by", "张三")
    cli("reopen", ONCE_COUNTY, "--county", "茌平", "--reason", "材料不全", "--by", "李四")
    cli("done", ONCE_COUNTY, "--county", "茌平", "--on", "2025-07-05", "--evidence", "补充材料", "--by", "张三")
    result = cli("log", "--format", "json")
    assert result.exit_code == 0
    log = json.loads(result.output)
    picked = [(e["action"], e["milestone_id"], e["subject"], e["period"], e["old_status"], e["new_status"],
               e["done_on"], e["evidence"], e["by"]) for e in log]
    assert picked == [  # newest first
        ("完成", ONCE_COUNTY, "茌平区", "once", "overdue", "done", "2025-07-05", "补充材料", "张三"),
        ("撤销", ONCE_COUNTY, "茌平区", "once", "done", "open", None, "材料不全", "李四"),
        ("完成", ONCE_COUNTY, "茌平区", "once", "open", "done", "2025-06-20", "总结报告", "张三"),
    ]
    assert [e["change"] for e in log] == ["逾期未完成 → 已完成", "已完成 → 未完成", "未完成 → 已完成"]
    assert all(e["at"] for e in log)
    plain = cli("log", "--format", "plain", "--limit", "1").output.splitlines()
    assert len(plain) == 2 and "补充材料" in plain[1] and "逾期未完成 → 已完成" in plain[1]


def test_log_filters_by_milestone_and_county(cli):
    cli("done", ONCE_COUNTY, "--county", "茌平", "--on", "2025-06-20")
    cli("done", ONCE_COUNTY, "--county", "阳谷", "--on", "2025-06-20")
    cli("done", ONCE_CITY, "--city", "--on", "2024-12-01")
    subjects = lambda *a: [e["subject"] for e in json.loads(cli("log", "--format", "json", *a).output)]  # noqa: E731
    assert subjects() == ["聊城市应急管理局", "阳谷县", "茌平区"]
    assert subjects("--id", ONCE_COUNTY) == ["阳谷县", "茌平区"]
    assert subjects("--county", "阳谷") == ["阳谷县"]
    unknown = cli("log", "--id", "trade-99-z")  # a typo is named, not answered with an empty log
    assert unknown.exit_code == 2 and unknown.output.startswith("错误:未知的事项编号“trade-99-z”;是否要找:")


def test_done_twice_is_no_change(cli, engine):
    cli("done", ONCE_CITY, "--city", "--on", "2024-12-01")
    result = cli("done", ONCE_CITY, "--city", "--on", "2024-12-20")
    assert (result.exit_code, result.output.splitlines()) == (0, [
        "无变化:trade-goal-a 市级“聊城市应急管理局” 已于 2024-12-01 标记完成,未改为 2024-12-20",
        "如需更正完成日期:先 zhiben reopen trade-goal-a --city --reason 更正日期,"
        "再 zhiben done trade-goal-a --city --on 2024-12-20"])
    result = cli("done", ONCE_CITY, "--city", "--on", "2024-12-01")
    assert result.output == "无变化:trade-goal-a 市级“聊城市应急管理局” 已于 2024-12-01 标记完成\n"
    assert counts(engine) == (1, 1)
    result = cli("reopen", MONTHLY, "--county", "茌平", "--period", "2025-03")
    assert result.output == "无变化:mine-req-2-a 县级“茌平区” 周期 2025年3月 本来就未完成\n"
    assert counts(engine) == (1, 1)


def test_recurring_period_spellings_name_one_occurrence(cli, engine):
    result = cli("done", MONTHLY, "--county", "茌平区应急局", "--period", "2025年3月", "--on", "2025-04-02")
    assert result.output == "已完成:mine-req-2-a 县级“茌平区” 周期 2025年3月,完成日期 2025-04-02\n"
    assert cli("done", MONTHLY, "--county", "茌平", "--period", "2025-3").output.startswith("无变化:")
    assert counts(engine) == (1, 1)
    late = json.loads(cli("log", "--format", "json").output)[0]
    assert (late["old_status"], late["period"]) == ("overdue", "2025-03")  # due 03-31, done 04-02
    result = cli("overdue", "--id", MONTHLY, "--as-of", "2025-05-01", "--format", "json")
    assert [r["period"] for r in json.loads(result.output)][-3:] == ["2025-01", "2025-02", "2025-04"]


@pytest.mark.parametrize("name, official", [
    ("茌平", "茌平区"), ("高新区", "聊城高新技术产业开发区"), ("经开区", "聊城经济技术开发区"),
    ("度假区", "江北水城旅游度假区"), ("临清市", "临清市"), ("莘县", "莘县"),
])
def test_county_short_names(cli, name, official):
    result = cli("done", ONCE_COUNTY, "--county", name, "--on", "2025-06-01")
    assert result.output == f"已完成:chem-guard-1-a 县级“{official}”,完成日期 2025-06-01\n"


TODAY = dt.date.today()


@pytest.mark.parametrize("args, message", [
    (("done", "xyz", "--city"), "错误:未知的事项编号“xyz”;用 zhiben catalogue list 查看全部编号"),
    (("reopen", "xyz", "--city"), "错误:未知的事项编号“xyz”;用 zhiben catalogue list 查看全部编号"),
    (("done", ONCE_COUNTY, "--county", "火星"),
     "错误:未知的县(市、区)“火星”;可用:" + "、".join(s for _, s in counties.COUNTIES) + "(全称、简称均可)"),
    (("done", MONTHLY, "--county", "茌平", "--period", "2027-01"),
     "错误:事项 mine-req-2-a 没有周期“2027-01”(该事项的周期见 zhiben catalogue show mine-req-2-a)"),
    (("done", MONTHLY, "--county", "茌平", "--period", "2025-Q1"),
     "错误:周期“2025-Q1”与该事项的频次不符(如 2025-03)"),
    (("done", MONTHLY, "--county", "茌平", "--period", "下个月"), "错误:无法识别的周期“下个月”(如 2025-03)"),
    (("done", MONTHLY, "--county", "茌平"),
     "错误:事项 mine-req-2-a 是周期性事项(每月,如 2025-03),请用 --period 指定周期"),
    (("done", ONCE_COUNTY, "--county", "茌平", "--period", "2025-03"),
     "错误:事项 chem-guard-1-a 是一次性期限,不需要 --period"),
    (("done", ONCE_COUNTY, "--county", "茌平", "--on", "2099-01-01"),
     f"错误:完成日期 2099-01-01 晚于今天 {TODAY}"),
    (("done", ONCE_COUNTY, "--county", "茌平", "--on", "2025-02-30"), "错误:完成日期“2025-02-30”不存在"),
    (("done", ONCE_COUNTY, "--county", "茌平", "--on", "昨天"), "错误:无法识别的完成日期“昨天”(应为 YYYY-MM-DD)"),
    (("done", ONCE_COUNTY, "--city"),
     "错误:事项 chem-guard-1-a 的责任主体是县(市、区),不能记在市级“聊城市应急管理局”名下"),
    (("done", MONTHLY, "--county", "阳谷", "--period", "2025-03"), "错误:事项 mine-req-2-a 只由茌平区承担,不适用于阳谷县"),
    (("done", ONCE_COUNTY),
     "错误:请指定且只指定一个责任主体:--county 县名 | --city | --park 园区 | --enterprise 企业"),
    (("done", ONCE_COUNTY, "--city", "--county", "茌平"),
     "错误:请指定且只指定一个责任主体:--county 县名 | --city | --park 园区 | --enterprise 企业"),
    (("reopen", MONTHLY, "--county", "茌平", "--period", "2027-01"),
     "错误:事项 mine-req-2-a 没有周期“2027-01”(该事项的周期见 zhiben catalogue show mine-req-2-a)"),
])
def test_user_mistakes_exit_2_and_leave_db_untouched(cli, engine, args, message):
    cli("done", ONCE_CITY, "--city", "--on", "2024-12-01")
    before = counts(engine)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.output == message + "\n"
    assert counts(engine) == before == (1, 1)


def test_unknown_id_suggests_close_matches(cli):
    result = cli("done", "trade-goal-x", "--city")
    assert result.exit_code == 2
    assert result.output.startswith("错误:未知的事项编号“trade-goal-x”;是否要找:trade-goal-")


def test_target_cannot_be_marked_done(cli, session):
    target = session.exec(select(models.Milestone).where(models.Milestone.kind == "target",
                                                         models.Milestone.responsible == "city")).first()
    result = cli("done", target.id, "--city")
    assert (result.exit_code, result.output) == (2, f"错误:事项 {target.id} 是量化目标,按登记数据测算,不能标记完成\n")


def test_core_api_takes_the_session(session):
    chiping = subjects.county_subject(session, "茌平")
    change = completions.mark_done(session, MONTHLY, chiping, period="2025-02",
                                on=dt.date(2025, 2, 27), by="王五", today=dt.date(2025, 3, 1))
    assert (change.changed, change.period, change.due, change.done_on) == (True, "2025-02", dt.date(2025, 2, 28),
                                                                         dt.date(2025, 2, 27))
    with pytest.raises(InputError) as info:
        completions.mark_done(session, MONTHLY, chiping, period="2025-03", on=dt.date(2025, 3, 2),
                           today=dt.date(2025, 3, 1))
    assert info.value.message == "完成日期 2025-03-02 晚于今天 2025-03-01"
    [entry] = audit.entries(session)
    assert (entry.action, entry.old_status, entry.new_status, entry.by) == ("done", "open", "done", "王五")
    again = completions.reopen(session, MONTHLY, chiping, period="2025-02")
    assert again.changed and again.done_on == dt.date(2025, 2, 27)
    assert [e.action for e in audit.entries(session, milestone_id=MONTHLY)] == ["reopen", "done"]
