"""Planned events: an announced future date derives its deadlines as planned; the actual event replaces it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlmodel import select

import factories
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.tracking import completions, events, subjects


@pytest.fixture
def chem(session):
    ent = factories.make_enterprise(session, "鲁西新材料有限公司", tags=["建设项目"], seq=1)
    session.commit()
    return ent


def test_a_planned_trial_start_shows_the_ten_day_window_in_upcoming(cli, chem):
    day = dt.date.today() + dt.timedelta(days=20)
    r = cli("event", "add", "trial-start", "--enterprise", chem.credit_code, "--date", day.isoformat(), "--planned")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == f"已登记计划事件 #1:鲁西新材料有限公司({chem.credit_code})试生产开始 {day}"
    opens = day - dt.timedelta(days=10)
    closes = day - dt.timedelta(days=1)
    assert re.fullmatch(rf"chem-09-f  试生产前10日内书面报告应急部门 +窗口 {opens} 至 {closes}\(按计划日期\)",
                        next(line for line in lines if line.startswith("chem-09-f")))
    rows = json.loads(cli("upcoming", "--enterprise", chem.credit_code, "-f", "json").output)
    window = [x for x in rows if x["milestone_id"] == "chem-09-f"]
    assert [(x["due"], x["period_label"]) for x in window] == [(closes.isoformat(), f"试生产(预计 {day})前10日内")]
    listed = json.loads(cli("event", "list", "-f", "json").output)
    assert (listed[0]["planned"], listed[0]["kind_name"]) == (True, "计划试生产开始")


def test_the_actual_event_replaces_the_plan_and_keeps_what_was_recorded(session, chem):
    plan = events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 10),
                      planned=True, today=dt.date(2026, 11, 20))
    session.commit()
    assert plan.event.planned and {d.milestone_id: d.planned for d in plan.dues}["chem-09-f"]
    # the report went in inside the window before the announced start
    subject = subjects.enterprise_subject(session, chem.credit_code)
    completions.mark_done(session, "chem-09-f", subject, on=dt.date(2026, 12, 2), by="张三", today=dt.date(2026, 12, 2))
    session.commit()

    actual = events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 12),
                        today=dt.date(2026, 12, 12))
    session.commit()
    assert [e.id for e in actual.replaced] == [plan.event.id]
    assert session.get(models.Event, plan.event.id) is None
    dues = {d.milestone_id: d for d in actual.dues}
    f = dues["chem-09-f"]
    assert (f.due, f.opens, f.planned, f.done_on) == (dt.date(2026, 12, 11), dt.date(2026, 12, 2), False,
                                                       dt.date(2026, 12, 2))
    comp = session.exec(select(models.Completion).where(models.Completion.milestone_id == "chem-09-f")).one()
    assert comp.period == events.period_of(actual.event)
    assert session.exec(select(models.EventDue).where(models.EventDue.event_id == plan.event.id)).all() == []


def test_dates_on_the_wrong_side_of_today_are_refused(session, chem):
    with pytest.raises(InputError, match="计划日期 2026-11-01 早于今天 2026-11-20;已经发生的事件请去掉 --planned 登记"):
        events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 11, 1), planned=True,
                   today=dt.date(2026, 11, 20))
    with pytest.raises(InputError, match="企业公布的计划日期请加 --planned"):
        events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 1),
                   today=dt.date(2026, 11, 20))


def test_a_plan_does_not_replace_another_plan(session, chem):
    first = events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 10),
                       planned=True, today=dt.date(2026, 11, 20))
    second = events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 20),
                        planned=True, today=dt.date(2026, 11, 20))
    assert second.replaced == [] and session.get(models.Event, first.event.id) is not None
    with pytest.raises(InputError, match="已登记过 2026-12-20 的计划试生产开始事件"):
        events.add(session, enterprise_id=chem.id, kind="trial-start", date=dt.date(2026, 12, 20), planned=True,
                   today=dt.date(2026, 11, 20))
