"""Event-relative deadlines: working days, closing/cancelling events, validation, reports, CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

import factories
from zhiben.catalogue import model as catalogue
from zhiben.catalogue import schedule
from zhiben.db import models
from zhiben.errors import InputError, NotFound
from zhiben.reports import rows as reports
from zhiben.tracking import events
from zhiben.tracking import load as loader

TODAY = dt.date(2026, 6, 30)


make_enterprise = factories.make_enterprise


@pytest.fixture
def chem(session):
    ent = make_enterprise(session, "鲁西新材料有限公司", tags=["建设项目"], seq=1)
    session.commit()
    return ent


@pytest.fixture
def mine(session):
    ent = make_enterprise(session, "茌平尾矿库有限公司", sector="mine", tags=["尾矿库"], seq=2)
    session.commit()
    return ent


def add(session, ent, kind, day, **kw):
    out = events.add(session, enterprise_id=ent.id, kind=kind, date=dt.date.fromisoformat(day), today=TODAY, **kw)
    session.commit()
    return out


def dues(out):
    return {d.milestone_id: d for d in out.dues}


# --- working days ------------------------------------------------------------------------------

def test_chinese_calendar_known_days():
    assert not schedule.is_workday(dt.date(2025, 10, 1))
    assert not schedule.is_workday(dt.date(2025, 10, 8))
    assert schedule.is_workday(dt.date(2025, 9, 28))  # Sunday, make-up working day
    assert schedule.is_workday(dt.date(2025, 10, 11))  # Saturday, make-up working day
    assert not schedule.is_workday(dt.date(2024, 2, 12))  # Spring Festival 2024
    assert schedule.is_workday(dt.date(2024, 2, 4))  # Sunday, make-up working day
    assert not schedule.is_workday(dt.date(2026, 1, 1))


def test_acceptance_before_national_day_licence_date(session, chem):
    # Fri 09-26 is not counted; working days: 09-28(Sun) 09-29 09-30, holiday 10-01..08,
    # 10-09 10-10 10-11(Sat) 10-13 10-14 10-15 10-16 → the 10th is Thu 2025-10-16.
    out = add(session, chem, "acceptance", "2025-09-26")
    d = dues(out)["chem-09-i"]
    assert d.due == dt.date(2025, 10, 16)
    assert d.bound == "deadline"
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-i")
    assert [r.milestone_id for r in reports.overdue(session, f, dt.date(2025, 10, 16))] == []
    late = reports.overdue(session, f, dt.date(2025, 10, 17))
    assert [(r.milestone_id, r.due, r.days_overdue) for r in late] == [("chem-09-i", dt.date(2025, 10, 16), 1)]


# --- deadlines in the reports ------------------------------------------------------------------

def test_apprentice_earliest_date_is_never_overdue(session, mine):
    out = add(session, mine, "apprentice", "2025-01-15")
    d = dues(out)["mine-02-2-a"]
    assert (d.due, d.bound) == (dt.date(2025, 5, 15), "earliest")
    f = reports.Filters(enterprise_id=mine.id)
    assert "mine-02-2-a" not in {r.milestone_id for r in reports.overdue(session, f, dt.date(2025, 8, 1))}
    soon = reports.upcoming(session, f, dt.date(2025, 5, 1), 30)
    assert [(r.milestone_id, r.due) for r in soon if r.milestone_id == "mine-02-2-a"] == [
        ("mine-02-2-a", dt.date(2025, 5, 15))]


def test_alert_same_day_deadline_is_overdue_the_next_day(session, mine):
    out = add(session, mine, "alert", "2025-03-10")
    assert dues(out)["mine-09-4-a"].due == dt.date(2025, 3, 10)
    f = reports.Filters(enterprise_id=mine.id, milestone_id="mine-09-4-a")
    assert [r.milestone_id for r in reports.overdue(session, f, dt.date(2025, 3, 10))] == []
    assert [r.milestone_id for r in reports.upcoming(session, f, dt.date(2025, 3, 10), 0)] == ["mine-09-4-a"]
    late = reports.overdue(session, f, dt.date(2025, 3, 11))
    assert [(r.milestone_id, r.days_overdue) for r in late] == [("mine-09-4-a", 1)]


def test_events_appear_for_enterprise_and_its_county(session, mine):
    other = make_enterprise(session, "阳谷尾矿库有限公司", county="阳谷县", sector="mine", tags=["尾矿库"], seq=3)
    session.commit()
    add(session, mine, "alert", "2025-03-10")
    add(session, other, "alert", "2025-03-12")
    chiping = session.exec(select(models.County.id).where(models.County.name == "茌平区")).one()
    day = dt.date(2025, 3, 20)
    rows = [r for r in reports.overdue(session, reports.Filters(county_id=chiping), day) if r.period.startswith("alert")]
    assert [(r.milestone_id, r.subject, r.county, r.due) for r in rows] == [
        ("mine-09-4-a", "茌平尾矿库有限公司", "茌平区", dt.date(2025, 3, 10))]
    city = [r for r in reports.overdue(session, reports.Filters(milestone_id="mine-09-4-a"), day)]
    assert [r.subject for r in city] == ["茌平尾矿库有限公司", "阳谷尾矿库有限公司"]


def test_event_for_inapplicable_enterprise_derives_nothing(session):
    trade = make_enterprise(session, "某工贸企业", sector="trade", tags=["粉尘涉爆"], seq=4)
    session.commit()
    assert add(session, trade, "acceptance", "2025-09-26").dues == []


def test_the_event_itself_makes_an_untagged_enterprise_subject_to_its_deadlines(session):
    # A chemical enterprise not (yet) tagged 建设项目 that records an acceptance has such a project.
    plain = make_enterprise(session, "未加标签的化工企业", tags=[], seq=5)
    session.commit()
    assert {m: d.due for m, d in dues(add(session, plain, "acceptance", "2025-09-26")).items()} == {
        "chem-09-i": dt.date(2025, 10, 16)}


# --- closing and cancelling --------------------------------------------------------------------

def test_trial_end_fulfils_the_one_year_limit(session, chem):
    start = add(session, chem, "trial-start", "2024-05-06")
    d = dues(start)
    assert d["chem-09-e"].due == dt.date(2025, 5, 6)
    # 试生产前10日内: a window that opens 10 days before and closes the day before the trial start
    assert (d["chem-09-f"].due, d["chem-09-f"].opens, d["chem-09-f"].bound) == (
        dt.date(2024, 5, 5), dt.date(2024, 4, 26), "window")
    # 试生产前 审查/评价: attached to that report, so due by the same day (T−1); 同时投入 stays T
    assert (d["chem-09-b"].due, d["chem-09-a"].due) == (dt.date(2024, 5, 5), dt.date(2024, 5, 6))
    assert (d["chem-09-d"].due, d["chem-09-d"].bound) == (dt.date(2024, 6, 5), "earliest")
    end = add(session, chem, "trial-end", "2025-03-01")
    # 技术指导 runs through the trial and ends with it (on time); the 确认 of chem-09-c was due on the
    # trial start and is recorded by hand, so the trial end does not touch it
    assert {x.milestone_id: x.state for x in end.affected} == {
        "chem-09-j": "已于 2025-03-01 完成",
        "chem-09-e": "已于 2025-03-01 完成",
    }
    assert (d["chem-09-c"].due, d["chem-09-j"].due) == (dt.date(2024, 5, 6), dt.date(2025, 5, 6))
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-e")
    assert reports.overdue(session, f, dt.date(2025, 6, 1)) == []
    prog = reports.progress(session, f, dt.date(2025, 6, 1), "milestone")
    assert [(p.key, p.due_so_far, p.done, p.overdue) for p in prog] == [("chem-09-e", 1, 1, 0)]
    comp = session.exec(select(models.Completion).where(models.Completion.milestone_id == "chem-09-e")).one()
    assert (comp.done_on, comp.source) == (dt.date(2025, 3, 1), f"event:{end.event.id}")
    audit = session.exec(select(models.AuditEntry).where(models.AuditEntry.milestone_id == "chem-09-e")).all()
    assert [(a.action, a.old_status, a.new_status) for a in audit] == [("done", "open", "done")]


def test_acceptance_during_the_trial_closes_the_acceptance_due_at_its_end(session, chem):
    # 企业应在试生产结束前,组织开展安全设施竣工验收 (chem-09-h): the acceptance comes first
    add(session, chem, "trial-start", "2025-01-10")
    accepted = add(session, chem, "acceptance", "2025-06-01")
    end = add(session, chem, "trial-end", "2025-06-20")
    h = dues(end)["chem-09-h"]
    assert (h.due, h.done_on, h.done_by_event, h.state) == (
        dt.date(2025, 6, 20), dt.date(2025, 6, 1), True, "已于 2025-06-01 完成")
    comp = session.exec(select(models.Completion).where(models.Completion.milestone_id == "chem-09-h")).one()
    assert (comp.done_on, comp.source) == (dt.date(2025, 6, 1), f"event:{accepted.event.id}")
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-h")
    assert reports.overdue(session, f, dt.date(2025, 7, 1)) == []


def test_acceptance_after_the_trial_end_closes_it_late(session, chem):
    add(session, chem, "trial-start", "2025-01-10")
    add(session, chem, "trial-end", "2025-06-20")
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-h")
    assert [r.days_overdue for r in reports.overdue(session, f, dt.date(2025, 6, 30))] == [10]
    later = add(session, chem, "acceptance", "2025-07-01")
    assert [(d.milestone_id, d.state) for d in later.affected] == [("chem-09-h", "已于 2025-07-01 完成,逾期完成")]
    assert reports.overdue(session, f, dt.date(2025, 7, 10)) == []


def test_an_acceptance_before_the_trial_started_does_not_close_it(session, chem):
    add(session, chem, "acceptance", "2024-12-01")
    add(session, chem, "trial-start", "2025-01-10")
    assert dues(add(session, chem, "trial-end", "2025-06-20"))["chem-09-h"].done_on is None


def test_late_trial_end_counts_as_done_late_and_was_overdue_before(session, chem):
    add(session, chem, "trial-start", "2024-03-01")
    add(session, chem, "trial-end", "2025-04-01")
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-e")
    assert [r.days_overdue for r in reports.overdue(session, f, dt.date(2025, 3, 11))] == [10]
    assert reports.overdue(session, f, dt.date(2025, 4, 1)) == []
    [p] = reports.progress(session, f, dt.date(2025, 5, 1), "milestone")
    assert (p.done, p.done_late) == (1, 1)


def test_shutdown_plan_is_due_at_the_shutdown(session, mine):
    # 计划停产停建超过3个月的 … 报送停产停建方案: before the shutdown, not three months after it
    out = add(session, mine, "shutdown", "2025-03-01")
    assert dues(out)["mine-23-1-a"].due == dt.date(2025, 3, 1)
    f = reports.Filters(enterprise_id=mine.id, milestone_id="mine-23-1-a")
    assert reports.overdue(session, f, dt.date(2025, 3, 1)) == []
    assert [(r.due, r.days_overdue) for r in reports.overdue(session, f, dt.date(2025, 3, 11))] == [
        (dt.date(2025, 3, 1), 10)]
    # resuming does not withdraw a plan that was owed before the shutdown
    add(session, mine, "resumption", "2025-04-15")
    assert len(reports.overdue(session, f, dt.date(2025, 5, 1))) == 1


def test_resumption_plan_only_after_a_shutdown_of_more_than_three_months(session, mine):
    # 停产停建超过3个月需要复工复产的 … 制定复工复产方案: a 19-day shutdown owes none
    add(session, mine, "shutdown", "2025-01-10")
    assert "mine-23-3-a" not in dues(add(session, mine, "resumption", "2025-01-29"))
    # exactly three months is not more than three months
    add(session, mine, "shutdown", "2025-02-10")
    assert "mine-23-3-a" not in dues(add(session, mine, "resumption", "2025-05-10"))
    add(session, mine, "shutdown", "2025-06-01")
    back = add(session, mine, "resumption", "2025-09-02")
    assert dues(back)["mine-23-3-a"].due == dt.date(2025, 9, 2)
    f = reports.Filters(enterprise_id=mine.id, milestone_id="mine-23-3-a")
    assert [r.due for r in reports.overdue(session, f, dt.date(2025, 12, 1))] == [dt.date(2025, 9, 2)]


def test_resumption_plan_stands_when_no_shutdown_is_registered(session, mine):
    assert dues(add(session, mine, "resumption", "2025-03-01"))["mine-23-3-a"].due == dt.date(2025, 3, 1)


def _cancellable(session):
    """A rule with cancelled_by (no shipped entry has one now): owed 3 months after a shutdown."""
    rule = {"kind": "relative", "event": "shutdown", "offset": 3, "unit": "month", "direction": "after",
            "bound": "deadline", "closed_by": None, "cancelled_by": "resumption"}
    session.add(models.Milestone(id="mine-zz-a", plan="mine", task="x", section="x", title="测试", quote="x",
                                 responsible="enterprise", sector="mine", kind="relative", rule=rule))
    session.commit()


def test_resumption_within_the_window_cancels(session, mine):
    _cancellable(session)
    out = add(session, mine, "shutdown", "2025-03-01")
    assert dues(out)["mine-zz-a"].due == dt.date(2025, 6, 1)
    f = reports.Filters(enterprise_id=mine.id, milestone_id="mine-zz-a")
    back = add(session, mine, "resumption", "2025-04-15")
    assert [(d.milestone_id, d.state) for d in back.affected] == [("mine-zz-a", "已于 2025-04-15 取消")]
    assert reports.upcoming(session, f, dt.date(2025, 5, 10), 30) == []
    assert reports.overdue(session, f, dt.date(2025, 7, 1)) == []
    # Before the resumption the duty was still owed.
    assert [r.due for r in reports.upcoming(session, f, dt.date(2025, 4, 1), 90)] == [dt.date(2025, 6, 1)]


def test_resumption_after_the_due_date_does_not_cancel(session, mine):
    _cancellable(session)
    add(session, mine, "shutdown", "2025-01-10")
    add(session, mine, "resumption", "2025-06-01")
    f = reports.Filters(enterprise_id=mine.id, milestone_id="mine-zz-a")
    assert [(r.due, r.days_overdue) for r in reports.overdue(session, f, dt.date(2025, 6, 20))] == [
        (dt.date(2025, 4, 10), 71)]


def test_a_closer_belongs_to_its_own_cycle(session, chem):
    add(session, chem, "trial-start", "2024-02-01")
    add(session, chem, "trial-end", "2024-08-01")
    second = add(session, chem, "trial-start", "2025-02-01")
    assert dues(second)["chem-09-e"].done_on is None
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-e")
    assert [r.due for r in reports.overdue(session, f, dt.date(2026, 3, 1))] == [dt.date(2026, 2, 1)]


def test_remove_event_undoes_its_closures(session, chem):
    add(session, chem, "trial-start", "2024-05-06")
    end = add(session, chem, "trial-end", "2025-03-01")
    out = events.remove(session, end.event.id)
    session.commit()
    assert [d.milestone_id for d in out.dues] == ["chem-09-h"]
    assert {d.milestone_id for d in out.affected} == {"chem-09-j", "chem-09-e"}
    assert session.exec(select(models.Completion)).all() == []
    assert session.get(models.Event, end.event.id) is None
    f = reports.Filters(enterprise_id=chem.id, milestone_id="chem-09-e")
    assert [r.due for r in reports.overdue(session, f, dt.date(2025, 6, 1))] == [dt.date(2025, 5, 6)]
    log = session.exec(select(models.AuditEntry).where(models.AuditEntry.milestone_id == "chem-09-e")
                       .order_by(models.AuditEntry.id)).all()
    assert [a.action for a in log] == ["done", "reopen"]


def test_remove_refuses_when_a_user_recorded_completion(session, mine):
    from zhiben.tracking import completions, subjects

    out = add(session, mine, "alert", "2025-03-10")
    subject = subjects.enterprise_subject(session, mine.credit_code)
    completions.mark_done(session, "mine-09-4-a", subject, on=dt.date(2025, 3, 10), today=TODAY)
    session.commit()
    with pytest.raises(InputError, match=r"事件 #\d+ 派生的期限已有完成记录\(mine-09-4-a\)"):
        events.remove(session, out.event.id)
    with pytest.raises(NotFound, match="没有编号为 999 的事件"):
        events.remove(session, 999)


# --- validation --------------------------------------------------------------------------------

def test_validation(session, chem):
    with pytest.raises(InputError, match="未知的事件类型“start”"):
        events.add(session, enterprise_id=chem.id, kind="start", date=dt.date(2025, 1, 1), today=TODAY)
    with pytest.raises(InputError, match="事件日期 2026-07-01 晚于今天 2026-06-30"):
        events.add(session, enterprise_id=chem.id, kind="alert", date=dt.date(2026, 7, 1), today=TODAY)
    add(session, chem, "trial-start", "2025-02-01")
    with pytest.raises(InputError, match="试生产结束日期 2025-01-20 早于试生产开始日期 2025-02-01"):
        events.add(session, enterprise_id=chem.id, kind="trial-end", date=dt.date(2025, 1, 20), today=TODAY)
    with pytest.raises(InputError, match="已登记过 2025-02-01 的试生产开始事件"):
        events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2025, 2, 1), today=TODAY)
    gone = make_enterprise(session, "已注销企业", seq=9, active=False)
    with pytest.raises(InputError, match="已移出名录"):
        events.add(session, enterprise_id=gone.id, kind="alert", date=dt.date(2025, 1, 1), today=TODAY)
    session.rollback()
    assert len(session.exec(select(models.Event)).all()) == 1


# --- catalogue reload --------------------------------------------------------------------------

def test_catalogue_reload_rederives(session, chem, tmp_path):
    add(session, chem, "acceptance", "2025-09-26")
    text = catalogue.default_path().read_text(encoding="utf-8")
    old = 'event = "acceptance", direction = "after", offset = 10, unit = "workday"'
    assert old in text
    path = tmp_path / "m.toml"
    path.write_text(text.replace(old, 'event = "acceptance", direction = "after", offset = 5, unit = "workday"'),
                    encoding="utf-8")
    loader.load(catalogue.read(path), session=session)
    session.commit()
    # 09-28 09-29 09-30 10-09 10-10
    row = session.exec(select(models.EventDue).where(models.EventDue.milestone_id == "chem-09-i")).one()
    assert row.due == dt.date(2025, 10, 10)
    loader.load(catalogue.read(), session=session)
    session.commit()
    row = session.exec(select(models.EventDue).where(models.EventDue.milestone_id == "chem-09-i")).one()
    assert row.due == dt.date(2025, 10, 16)


# --- CLI ---------------------------------------------------------------------------------------

@pytest.fixture
def ents(engine):
    with Session(engine) as s:
        a = make_enterprise(s, "鲁西新材料有限公司", tags=["建设项目"], seq=1)
        b = make_enterprise(s, "茌平尾矿库有限公司", sector="mine", tags=["尾矿库"], seq=2)
        c = make_enterprise(s, "阳谷尾矿库有限公司", county="阳谷县", sector="mine", tags=["尾矿库"], seq=3)
        s.commit()
        return a.credit_code, b.credit_code, c.credit_code


def test_cli_add_prints_derived_deadlines(cli, ents):
    code = ents[0]
    res = cli("event", "add", "acceptance", "--enterprise", code, "--date", "2025-09-26", "--by", "张三")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"已登记事件 #1:鲁西新材料有限公司({code})竣工验收通过 2025-09-26",
        "派生期限:",
        "编号       事项                                期限",
        "chem-09-i  验收后10个工作日内申请安全生产许可  期限 2025-10-16",
    ]
    res = cli("event", "add", "apprentice", "--enterprise", "茌平尾矿库有限公司", "--date", "2025-01-15")
    assert "mine-02-2-a  新人跟班学习满4个月方可独立上岗  最早 2025-05-15" in res.output
    res = cli("overdue", "--enterprise", code, "--as-of", "2025-10-20", "--format", "json")
    assert [(r["milestone_id"], r["due"], r["days_overdue"]) for r in json.loads(res.output)
            if r["milestone_id"] == "chem-09-i"] == [("chem-09-i", "2025-10-16", 4)]


def test_cli_list_and_remove(cli, ents):
    cli("event", "add", "alert", "--enterprise", ents[1], "--date", "2025-03-10", "--note", "库水位超限")
    cli("event", "add", "alert", "--enterprise", ents[2], "--date", "2025-03-12")
    cli("event", "add", "shutdown", "--enterprise", ents[2], "--date", "2025-03-20")
    res = cli("event", "list", "--format", "json")
    data = json.loads(res.output)
    assert [(e["id"], e["kind"], e["date"], e["enterprise"], e["county"]) for e in data] == [
        (1, "alert", "2025-03-10", "茌平尾矿库有限公司", "茌平区"),
        (2, "alert", "2025-03-12", "阳谷尾矿库有限公司", "阳谷县"),
        (3, "shutdown", "2025-03-20", "阳谷尾矿库有限公司", "阳谷县"),
    ]
    assert data[0]["note"] == "库水位超限"
    assert data[0]["deadlines"] == [{"milestone_id": "mine-09-4-a", "title": "预警报警信息当天完成处置",
                                     "period": "alert@2025-03-10#1", "due": "2025-03-10", "bound": "deadline",
                                     "opens": None, "planned": False, "estimated": [],
                                     "cancelled_on": None, "done_on": None}]
    assert [e["id"] for e in json.loads(cli("event", "list", "--county", "阳谷", "--format", "json").output)] == [2, 3]
    assert [e["id"] for e in json.loads(cli("event", "list", "--kind", "alert", "--format", "json").output)] == [1, 2]
    assert [e["id"] for e in json.loads(cli("event", "list", "--enterprise", ents[1], "-f", "json").output)] == [1]
    res = cli("event", "remove", "3")
    assert res.exit_code == 0
    assert res.output.strip() == "已删除事件 #3:阳谷尾矿库有限公司 停产停建 2025-03-20,同时删除派生期限 1 项"
    assert [e["id"] for e in json.loads(cli("event", "list", "-f", "json").output)] == [1, 2]


def test_cli_errors_are_one_chinese_line(cli, ents):
    res = cli("event", "add", "finish", "--enterprise", ents[0], "--date", "2025-01-01")
    assert res.exit_code == 2
    assert res.output.startswith("错误:未知的事件类型“finish”;可用:trial-start(试生产开始)")
    res = cli("event", "add", "alert", "--enterprise", "不存在的公司", "--date", "2025-01-01")
    assert res.exit_code == 2 and "未知的企业“不存在的公司”" in res.output
    res = cli("event", "add", "alert", "--enterprise", ents[1], "--date", "2099-01-01")
    assert res.exit_code == 2 and "晚于今天" in res.output
    res = cli("event", "add", "acceptance", "--enterprise", ents[0], "--date", "2025-02-30")
    assert res.exit_code == 2 and "事件日期“2025-02-30”不存在" in res.output
    res = cli("event", "remove", "42")
    assert res.exit_code == 2 and "没有编号为 42 的事件" in res.output
    assert "Traceback" not in res.output


def test_upcoming_marks_earliest_dates(session, mine):
    add(session, mine, "apprentice", "2025-01-15")
    add(session, mine, "alert", "2025-05-10")
    f = reports.Filters(enterprise_id=mine.id)
    got = [(r.milestone_id, r.status) for r in reports.upcoming(session, f, dt.date(2025, 5, 1), 20)
           if r.period.startswith(("apprentice", "alert"))]
    assert got == [("mine-09-4-a", "open"), ("mine-02-2-a", "earliest")]
