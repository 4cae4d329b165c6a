"""Period labels and the grouped summary: the words every human-facing output uses."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from zhiben.reports.labels import due_label, event_directions, period_label
from zhiben.reports.records import row_record

D = dt.date


@pytest.mark.parametrize("key, label", [
    ("once", "一次性"), ("2025-03", "2025年3月"), ("2025-12", "2025年12月"), ("2025-Q2", "2025年第二季度"),
    ("2024-Q4", "2024年第四季度"), ("2025-H1", "2025年上半年"), ("2025-H2", "2025年下半年"), ("2025", "2025年度"),
    ("2024-H1:91371503EF0G6CEC4T", "2024年上半年"), ("2025:91371503EF0G6CEC4T", "2025年度"),
])
def test_calendar_period_labels(key, label):
    assert period_label(key) == label


def test_event_period_labels_follow_the_rule_direction():
    assert period_label("acceptance@2025-09-26#1", D(2025, 10, 14), "after") == "验收(2025-09-26)后"
    assert period_label("trial-start@2026-12-10#3", D(2026, 11, 30), "before") == "计划试生产(2026-12-10)前"
    # Due on the event day: only the rule can tell before from after.
    assert period_label("trial-start@2026-12-10#3", D(2026, 12, 10), "before") == "计划试生产(2026-12-10)前"
    assert period_label("trial-start@2026-12-10#3", D(2026, 12, 10), "after") == "试生产(2026-12-10)后"
    # Without the rule the due date decides.
    assert period_label("shutdown@2025-01-05#2", D(2025, 4, 5)) == "停产停建(2025-01-05)后"
    assert period_label("trial-start@2026-12-10#3", D(2026, 11, 30)) == "计划试生产(2026-12-10)前"


def test_event_directions_come_from_the_loaded_catalogue(session):
    dirs = event_directions(session)
    assert dirs["chem-09-i"] == "after"  # 验收通过之日起10个工作日内
    assert "before" in dirs.values()
    assert "chem-10-a" not in dirs  # calendar rules have no direction


def test_due_label_marks_earliest_dates():
    assert due_label(D(2026, 12, 1), "open") == "2026-12-01"
    assert due_label(D(2026, 12, 1), "earliest") == "最早 2026-12-01"


def _row(mid, plan, kind, county, code, due, days, status="overdue", period="once"):
    return SimpleNamespace(milestone_id=mid, plan=plan, title=f"{mid} 标题", subject_kind=kind, subject=county or "市",
                           county=county, credit_code=code, period=period, due=due, status=status,
                           days_overdue=days, days_left=None)


def test_record_carries_key_and_label():
    rec = row_record(_row("chem-21-c", "chem", "county", "茌平区", "91371503EF0G6CEC4T", D(2024, 6, 30), 500,
                          period="2024-H1:91371503EF0G6CEC4T"))
    assert rec["period"] == "2024-H1:91371503EF0G6CEC4T" and rec["period_label"] == "2024年上半年"
    assert rec["credit_code"] == "91371503EF0G6CEC4T" and rec["plan_name"] == "化工和危险化学品"


