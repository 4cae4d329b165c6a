"""Quantified targets: risk shares measured from the register, reported values, progress --targets."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

from zhiben.db import models
from zhiben.errors import InputError
from zhiben.register import creditcode
from zhiben.tracking import subjects, targets


def make(s, seq, county, risk, *, tags=("重点监管",), sector="chem", active=True):
    county_id = s.exec(select(models.County.id).where(models.County.name == county)).one()
    ent = models.Enterprise(credit_code=creditcode.complete(f"91371500MA3F{seq:05d}"), name=f"企业{seq}",
                            county_id=county_id, sector=sector, risk=risk, active=active)
    s.add(ent)
    s.flush()
    for t in tags:
        s.add(models.EnterpriseTag(enterprise_id=ent.id, tag=t))


@pytest.fixture
def register(engine):
    """重点监管 chemical enterprises: 茌平 4 of 5 blue/yellow, 临清 1 of 3 (one unrated).
    Not measured: a 重点监管 enterprise that left the register, a chemical one without the tag,
    a mine one with the tag."""
    with Session(engine) as s:
        for seq, risk in enumerate(["蓝", "黄", "黄", "蓝", "橙"], start=1):
            make(s, seq, "茌平区", risk)
        for seq, risk in enumerate(["红", "蓝", None], start=10):
            make(s, seq, "临清市", risk)
        make(s, 20, "临清市", "橙", active=False)
        make(s, 21, "茌平区", "橙", tags=("重大危险源",))
        make(s, 22, "茌平区", "红", sector="mine", tags=("重点监管", "尾矿库"))
        s.commit()


def rows(session, as_of, **kw):
    return [(r.milestone_id, r.scope, r.value, r.meeting, r.population, r.unrated, r.status)
            for r in targets.measure(session, as_of, **kw)]


def test_risk_share_per_county_and_city(session, register):
    got = rows(session, dt.date(2025, 6, 30), milestone_id="chem-21-b")
    assert got == [
        ("chem-21-b", "全市", 0.7143, 5, 7, 1, "in_progress"),
        ("chem-21-b", "临清市", 0.5, 1, 2, 1, "in_progress"),
        ("chem-21-b", "茌平区", 0.8, 4, 5, 0, "in_progress"),
    ]


def test_after_the_due_date_met_or_not(session, register):
    got = rows(session, dt.date(2027, 1, 1), milestone_id="chem-21-b")
    assert [(scope, status) for _, scope, *_, status in got] == [
        ("全市", "not_met"), ("临清市", "not_met"), ("茌平区", "met")]
    # On the due date itself the target is still running.
    assert {r[-1] for r in rows(session, dt.date(2026, 12, 31), milestone_id="chem-21-b")} == {"in_progress"}


def test_county_filter(session, register):
    linqing = subjects.county_subject(session, "临清").id
    assert rows(session, dt.date(2027, 1, 1), milestone_id="chem-21-b", county_id=linqing) == [
        ("chem-21-b", "临清市", 0.5, 1, 2, 1, "not_met")]
    shen = subjects.county_subject(session, "莘县").id
    assert rows(session, dt.date(2027, 1, 1), milestone_id="chem-21-b", county_id=shen) == [
        ("chem-21-b", "莘县", None, 0, 0, 0, "no_data")]


def test_empty_register_has_no_data(session):
    assert rows(session, dt.date(2027, 1, 1), milestone_id="chem-21-b") == [
        ("chem-21-b", "全市", None, 0, 0, 0, "no_data")]


def test_reported_values(session):
    chiping = subjects.county_subject(session, "茌平")
    old, _ = targets.record_value(session, "mine-19-1-a", chiping, 0.7, on=dt.date(2025, 3, 1), by="王五",
                            today=dt.date(2025, 3, 1))
    assert old is None
    # 全市各级监管部门: the mine supervisors are the city's and 茌平区's (mine-19-1-a has no date of its own)
    got = {r.scope: (r.value, r.measured_on, r.status, r.status_name)
           for r in targets.measure(session, dt.date(2025, 6, 30), milestone_id="mine-19-1-a")}
    assert list(got) == ["全市", "茌平区"]
    assert got["全市"] == (None, None, "no_data", "未填报")
    assert got["茌平区"] == (0.7, dt.date(2025, 3, 1), "in_progress", "进行中")
    # A value measured after the as-of date did not exist yet.
    assert {r.value for r in targets.measure(session, dt.date(2025, 2, 1), milestone_id="mine-19-1-a")} == {None}
    old, _ = targets.record_value(session, "mine-19-1-a", chiping, 0.8, on=dt.date(2026, 12, 1), today=dt.date(2026, 12, 1))
    assert old == 0.7
    targets.record_value(session, "mine-19-1-a", subjects.CITY, 0.74, on=dt.date(2026, 12, 1), today=dt.date(2026, 12, 1))
    got = [(r.scope, r.value, r.status) for r in targets.measure(session, dt.date(2027, 1, 5), milestone_id="mine-19-1-a")
           if r.value is not None]
    # no date in the text: below the target is 进行中, never 未达标
    assert got == [("全市", 0.74, "in_progress"), ("茌平区", 0.8, "met")]
    log = session.exec(select(models.AuditEntry).where(models.AuditEntry.milestone_id == "mine-19-1-a")
                       .order_by(models.AuditEntry.id)).all()
    assert [(a.action, a.subject_name, a.old_status, a.new_status) for a in log] == [
        ("record", "茌平区", "未填报", "0.7"), ("record", "茌平区", "0.7", "0.8"),
        ("record", models.CITY_NAME, "未填报", "0.74")]


def test_record_validation(session):
    chiping = subjects.county_subject(session, "茌平")
    yanggu = subjects.county_subject(session, "阳谷")
    today = dt.date(2025, 3, 1)
    with pytest.raises(InputError, match="目标 chem-21-b 按企业名录自动测算,不能手工填报"):
        targets.record_value(session, "chem-21-b", subjects.CITY, 0.9, today=today)
    with pytest.raises(InputError, match="事项 chem-22-a 不是量化目标"):
        targets.record_value(session, "chem-22-a", subjects.CITY, 0.9, today=today)
    with pytest.raises(InputError, match="目标 mine-goal-3-a 只由茌平区承担,不适用于阳谷县"):
        targets.record_value(session, "mine-goal-3-a", yanggu, 1.0, today=today)
    with pytest.raises(InputError, match="测算日期 2025-03-02 晚于今天"):
        targets.record_value(session, "mine-goal-3-a", chiping, 1.0, on=dt.date(2025, 3, 2), today=today)
    assert session.exec(select(models.TargetValue)).all() == []


@pytest.mark.parametrize("text,value", [("0.8", 0.8), ("80%", 0.8), ("80%", 0.8), ("1", 1.0), ("0", 0.0)])
def test_parse_value(text, value):
    assert targets.parse_value(text) == pytest.approx(value)


@pytest.mark.parametrize("text,message", [("80", "超出范围"), ("-0.1", "超出范围"), ("八成", "无法识别的数值")])
def test_parse_value_errors(text, message):
    with pytest.raises(InputError, match=message):
        targets.parse_value(text)


# --- CLI ---------------------------------------------------------------------------------------

def test_progress_targets_json(cli, register):
    res = cli("progress", "--targets", "--id", "chem-21-b", "--as-of", "2027-01-01", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [(r["scope"], r["value"], r["meeting"], r["population"], r["threshold"], r["due"], r["status"],
             r["status_name"]) for r in data] == [
        ("全市", 0.7143, 5, 7, 0.8, "2026-12-31", "not_met", "未达标"),
        ("临清市", 0.5, 1, 2, 0.8, "2026-12-31", "not_met", "未达标"),
        ("茌平区", 0.8, 4, 5, 0.8, "2026-12-31", "met", "达标"),
    ]


def test_progress_targets_table_text(cli, register):
    res = cli("progress", "--targets", "--id", "chem-21-b", "--county", "茌平", "--as-of", "2025-06-30",
              "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "\ufeff编号,目标,范围,测算值,测算依据,目标值,期限,状态",
        "chem-21-b,重点监管类企业80%以上达到蓝黄等级,茌平区,80.0%,4/5 家,80.0%,2026-12-31,进行中",
    ]
    res = cli("progress", "--targets", "--id", "chem-21-b", "--county", "临清", "--as-of", "2025-06-30",
              "--format", "csv")
    assert res.output.splitlines()[1] == (
        "chem-21-b,重点监管类企业80%以上达到蓝黄等级,临清市,50.0%,\"1/2 家,未评级 1 家\",80.0%,2026-12-31,进行中")


def test_progress_targets_lists_every_target(cli, register):
    data = json.loads(cli("progress", "--targets", "--as-of", "2025-06-30", "--format", "json").output)
    assert sorted({r["milestone_id"] for r in data}) == ["chem-21-b", "mine-19-1-a", "mine-goal-3-a"]
    assert [(r["scope"], r["status_name"]) for r in data if r["milestone_id"] == "mine-goal-3-a"] == [
        ("全市", "未填报"), ("茌平区", "未填报")]


def test_target_record_cli(cli):
    res = cli("target", "record", "mine-goal-3-a", "--county", "茌平", "--value", "95%", "--on", "2025-05-01",
              "--by", "赵六")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "已填报:mine-goal-3-a 茌平区 95.00%,测算日期 2025-05-01"
    res = cli("target", "record", "mine-goal-3-a", "--county", "茌平", "--value", "1", "--on", "2025-06-01")
    assert res.output.strip() == "已填报:mine-goal-3-a 茌平区 100.00%,测算日期 2025-06-01(原为 95.00%)"
    data = json.loads(cli("progress", "--targets", "--id", "mine-goal-3-a", "--as-of", "2027-01-01", "-f", "json").output)
    assert [(r["scope"], r["value"], r["measured_on"], r["status"]) for r in data] == [
        ("全市", None, None, "no_data"), ("茌平区", 1.0, "2025-06-01", "met")]


def test_target_cli_errors(cli):
    res = cli("target", "record", "mine-goal-3-a", "--value", "0.9")
    assert (res.exit_code, res.output.strip()) == (2, "错误:请指定且只指定一个填报范围:--county 县名 | --city")
    res = cli("target", "record", "mine-goal-3-a", "--city", "--value", "120%")
    assert res.exit_code == 2 and "超出范围" in res.output
    res = cli("target", "record", "chem-21-x", "--city", "--value", "0.5")
    assert res.exit_code == 2 and "未知的事项编号“chem-21-x”" in res.output
    res = cli("progress", "--targets", "--by", "plan")
    assert (res.exit_code, res.output.strip()) == (2, "错误:--targets 不能与 --by 同时使用")


def test_target_list(cli):
    res = cli("target", "list", "--format", "json")
    assert res.exit_code == 0, res.output
    data = {r["milestone_id"]: r for r in json.loads(res.output)}
    assert sorted(data) == ["chem-21-b", "mine-19-1-a", "mine-goal-3-a"]
    b = data["chem-21-b"]
    assert (b["metric"], b["threshold"], b["due"], b["levels"], b["responsible"]) == (
        "risk_share", 0.8, "2026-12-31", ["蓝", "黄"], "city")
    assert b["scope"] == "全市;化工和危险化学品企业(重点监管)中蓝/黄级占比"
    assert data["mine-goal-3-a"]["scope"] == "茌平区"
