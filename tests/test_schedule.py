"""Rules → due dates: anchors, month ends, periods typed by people, Chinese working days."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiben.catalogue import schedule
from zhiben.catalogue.model import OnceRule, RecurringRule, RelativeRule, TargetRule
from zhiben.errors import InputError

START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
D = dt.date


def rec(every, **kw) -> RecurringRule:
    return RecurringRule(kind="recurring", every=every, **kw)


def dues(rule, start=START, end=END):
    return [(d.period, d.due) for d in schedule.occurrences(rule, start, end)]


# --- anchors -----------------------------------------------------------------------------------

def test_monthly_month_ends_including_leap_february():
    got = dict(dues(rec("month")))
    assert len(got) == 36
    assert got["2024-01"] == D(2024, 1, 31)
    assert got["2024-02"] == D(2024, 2, 29)
    assert got["2025-02"] == D(2025, 2, 28)
    assert got["2026-02"] == D(2026, 2, 28)
    assert got["2024-04"] == D(2024, 4, 30)
    assert got["2026-12"] == D(2026, 12, 31)


def test_monthly_third_day():
    got = dues(rec("month", day=3))
    assert all(due.day == 3 for _, due in got)
    assert got[:3] == [("2024-01", D(2024, 1, 3)), ("2024-02", D(2024, 2, 3)), ("2024-03", D(2024, 3, 3))]


def test_no_drift_from_a_31st_anchor():
    got = dict(dues(rec("month", day=31)))
    assert got["2024-01"] == D(2024, 1, 31)
    assert got["2024-02"] == D(2024, 2, 29)
    assert got["2024-03"] == D(2024, 3, 31)  # not Mar 29: each period from its own anchor
    assert got["2024-04"] == D(2024, 4, 30)
    assert got["2025-02"] == D(2025, 2, 28)
    assert got["2025-03"] == D(2025, 3, 31)


def test_quarter_ends():
    assert dues(rec("quarter"))[:5] == [
        ("2024-Q1", D(2024, 3, 31)), ("2024-Q2", D(2024, 6, 30)), ("2024-Q3", D(2024, 9, 30)),
        ("2024-Q4", D(2024, 12, 31)), ("2025-Q1", D(2025, 3, 31)),
    ]
    assert len(dues(rec("quarter"))) == 12


def test_half_years():
    assert dues(rec("half")) == [
        ("2024-H1", D(2024, 6, 30)), ("2024-H2", D(2024, 12, 31)), ("2025-H1", D(2025, 6, 30)),
        ("2025-H2", D(2025, 12, 31)), ("2026-H1", D(2026, 6, 30)), ("2026-H2", D(2026, 12, 31)),
    ]


def test_yearly_default_is_year_end_and_month_anchor_is_month_end():
    assert dues(rec("year")) == [("2024", D(2024, 12, 31)), ("2025", D(2025, 12, 31)), ("2026", D(2026, 12, 31))]
    # 每年4月底前
    assert dues(rec("year", month=4)) == [("2024", D(2024, 4, 30)), ("2025", D(2025, 4, 30)), ("2026", D(2026, 4, 30))]
    # 每年1月底前 / a February month-end in a leap year
    assert dues(rec("year", month=2))[0] == ("2024", D(2024, 2, 29))
    assert dues(rec("year", month=1, day=15))[1] == ("2025", D(2025, 1, 15))


def test_start_and_end_periods_are_respected():
    assert dues(rec("year", start="2025")) == [("2025", D(2025, 12, 31)), ("2026", D(2026, 12, 31))]
    monthly = dues(rec("month", start="2025-01"))
    assert monthly[0] == ("2025-01", D(2025, 1, 31)) and len(monthly) == 24
    assert dues(rec("quarter", start="2024-Q3", end="2025-Q1")) == [
        ("2024-Q3", D(2024, 9, 30)), ("2024-Q4", D(2024, 12, 31)), ("2025-Q1", D(2025, 3, 31)),
    ]
    assert dues(rec("half", end="2024-H2")) == [("2024-H1", D(2024, 6, 30)), ("2024-H2", D(2024, 12, 31))]


def test_plan_period_clips_occurrences():
    assert dues(rec("month"), D(2024, 3, 15), D(2024, 5, 30)) == [("2024-03", D(2024, 3, 31)),
                                                                   ("2024-04", D(2024, 4, 30))]


def test_once_relative_and_target_rules():
    assert dues(OnceRule(kind="once", due=D(2024, 5, 31))) == [("once", D(2024, 5, 31))]
    rel = RelativeRule(kind="relative", event="trial-start", offset=10, unit="day", direction="before")
    assert dues(rel) == []
    tgt = TargetRule(kind="target", metric="risk_share", threshold=0.8, due=D(2026, 12, 31), levels=["蓝", "黄"])
    assert dues(tgt) == []


# --- property tests ----------------------------------------------------------------------------

EVERY = ("month", "quarter", "half", "year")


def _keys(every: str) -> list[str]:
    """All period keys of 2024–2026 for a frequency, written out independently of schedule."""
    out = []
    for y in (2024, 2025, 2026):
        if every == "month":
            out += [f"{y}-{m:02d}" for m in range(1, 13)]
        elif every == "quarter":
            out += [f"{y}-Q{q}" for q in range(1, 5)]
        elif every == "half":
            out += [f"{y}-H1", f"{y}-H2"]
        else:
            out.append(str(y))
    return out


def _months_of(key: str) -> tuple[int, list[int]]:
    year = int(key[:4])
    if len(key) == 4:
        return year, list(range(1, 13))
    if key[5] == "Q":
        q = int(key[6])
        return year, [3 * q - 2, 3 * q - 1, 3 * q]
    if key[5] == "H":
        return year, list(range(1, 7)) if key[6] == "1" else list(range(7, 13))
    return year, [int(key[5:7])]


@st.composite
def recurring_rules(draw):
    every = draw(st.sampled_from(EVERY))
    keys = _keys(every)
    bounds = sorted(draw(st.lists(st.integers(0, len(keys) - 1), min_size=2, max_size=2)))
    start = keys[bounds[0]] if draw(st.booleans()) else None
    end = keys[bounds[1]] if draw(st.booleans()) else None
    day = draw(st.none() | st.integers(1, 31)) if every in ("month", "year") else None
    month = draw(st.none() | st.integers(1, 12)) if every == "year" else None
    return rec(every, day=day, month=month, start=start, end=end)


dates = st.dates(min_value=START, max_value=END)


@given(recurring_rules())
def test_property_one_occurrence_per_period_inside_bounds(rule):
    got = schedule.occurrences(rule, START, END)
    expected = [k for k in _keys(rule.every) if (rule.start or "") <= k <= (rule.end or "9999")]
    assert [d.period for d in got] == expected  # sorted, unique, exactly one per period
    for d in got:
        assert START <= d.due <= END
        year, months = _months_of(d.period)
        assert d.due.year == year and d.due.month in months  # each due lies in its own period
        if rule.every == "month" and rule.day:
            assert d.due.day == min(rule.day, calendar.monthrange(year, d.due.month)[1])
        if rule.every == "year" and rule.month:
            assert d.due.month == rule.month
        if rule.day is None and not (rule.every == "year" and rule.month):
            assert d.due.month == months[-1] and d.due.day == calendar.monthrange(year, months[-1])[1]


@given(recurring_rules(), dates, dates)
def test_property_sorted_unique_inside_any_plan_period(rule, a, b):
    start, end = min(a, b), max(a, b)
    got = schedule.occurrences(rule, start, end)
    assert got == sorted(got)
    assert [d.due for d in got] == sorted(d.due for d in got)
    assert len({d.period for d in got}) == len(got)
    assert all(start <= d.due <= end for d in got)
    full = {d.period: d.due for d in schedule.occurrences(rule, START, END)}
    # a narrower plan period only drops occurrences, never moves one
    assert all(full[d.period] == d.due for d in got)
    assert {p for p, due in full.items() if start <= due <= end} == {d.period for d in got}


@given(recurring_rules())
def test_property_regenerating_is_identical(rule):
    assert schedule.occurrences(rule, START, END) == schedule.occurrences(rule, START, END)


# --- periods typed by users --------------------------------------------------------------------

@pytest.mark.parametrize("text, every, key", [
    ("2025-3", "month", "2025-03"),
    ("2025-03", "month", "2025-03"),
    ("2025年3月", "month", "2025-03"),
    ("2025/12", "month", "2025-12"),
    ("2025q2", "quarter", "2025-Q2"),
    ("2025-Q4", "quarter", "2025-Q4"),
    ("2025年第2季度", "quarter", "2025-Q2"),
    ("2025-H1", "half", "2025-H1"),
    ("2025h2", "half", "2025-H2"),
    ("2025上半年", "half", "2025-H1"),
    ("2025", "year", "2025"),
    ("2025年", "year", "2025"),
])
def test_normalise_period_accepts(text, every, key):
    assert schedule.normalise_period(text, every) == key


@pytest.mark.parametrize("text, every, message", [
    ("2025-Q2", "month", "周期“2025-Q2”与该事项的频次不符(如 2025-03)"),
    ("2025", "month", "周期“2025”与该事项的频次不符(如 2025-03)"),
    ("2025-03", "quarter", "周期“2025-03”与该事项的频次不符(如 2025-Q2)"),
    ("2025-Q1", "half", "周期“2025-Q1”与该事项的频次不符(如 2025-H1)"),
    ("2025-H1", "year", "周期“2025-H1”与该事项的频次不符(如 2025)"),
    ("2025-13", "month", "周期“2025-13”中的月份不存在(如 2025-03)"),
    ("三月", "month", "无法识别的周期“三月”(如 2025-03)"),
    ("2025-Q5", "quarter", "无法识别的周期“2025-Q5”(如 2025-Q2)"),
])
def test_normalise_period_rejects(text, every, message):
    with pytest.raises(InputError) as info:
        schedule.normalise_period(text, every)
    assert info.value.message == message


@given(st.integers(2024, 2026), st.integers(1, 12))
def test_property_month_spellings_agree(year, month):
    key = f"{year}-{month:02d}"
    for text in (key, f"{year}-{month}", f"{year}年{month}月", f"{year}/{month}", f"{year}.{month}"):
        assert schedule.normalise_period(text, "month") == key


@given(st.integers(2024, 2026), st.integers(1, 4))
def test_property_quarter_spellings_agree(year, q):
    for text in (f"{year}-Q{q}", f"{year}q{q}", f"{year}年第{q}季度"):
        assert schedule.normalise_period(text, "quarter") == f"{year}-Q{q}"


# --- working days ------------------------------------------------------------------------------

def test_national_day_2025_holidays_and_makeup_days():
    for day in range(1, 9):
        assert not schedule.is_workday(D(2025, 10, day)), day
    assert schedule.is_workday(D(2025, 9, 28))  # Sunday, 调休上班
    assert schedule.is_workday(D(2025, 10, 11))  # Saturday, 调休上班
    assert not schedule.is_workday(D(2025, 10, 12))
    assert schedule.is_workday(D(2025, 10, 9))


def test_add_workdays_across_national_day_2025():
    # From Friday 2025-09-26, not counting the day itself:
    # 9/28(Sun, 调休) 1, 9/29 2, 9/30 3, [10/1–10/8 holiday], 10/9 4, 10/10 5, 10/11(Sat, 调休) 6,
    # [10/12 Sun], 10/13 7, 10/14 8, 10/15 9, 10/16 10.
    assert schedule.add_workdays(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert schedule.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert schedule.add_workdays(D(2025, 9, 26), 0) == D(2025, 9, 26)
    assert schedule.add_workdays(D(2025, 10, 9), 1, before=True) == D(2025, 9, 30)


def test_event_day_itself_is_not_counted():
    # Monday 2025-06-09 is a working day; one working day after it is Tuesday.
    assert schedule.add_workdays(D(2025, 6, 9), 1) == D(2025, 6, 10)
    rule = RelativeRule(kind="relative", event="acceptance", offset=10, unit="workday", direction="after")
    assert schedule.relative_due(rule, D(2025, 9, 26)) == D(2025, 10, 16)


def test_relative_days_and_months():
    before = RelativeRule(kind="relative", event="trial-start", offset=10, unit="day", direction="before")
    assert schedule.relative_due(before, D(2025, 3, 5)) == D(2025, 2, 23)
    months = RelativeRule(kind="relative", event="apprentice", offset=4, unit="month", direction="after")
    assert schedule.relative_due(months, D(2024, 10, 31)) == D(2025, 2, 28)
    year = RelativeRule(kind="relative", event="trial-start", offset=1, unit="year", direction="after")
    assert schedule.relative_due(year, D(2024, 2, 29)) == D(2025, 2, 28)


def test_workdays_beyond_calendar_data_count_monday_to_friday_and_say_so():
    cal = schedule.WorkCalendar()
    assert cal.is_workday(D(2027, 1, 4)) and not cal.is_workday(D(2027, 1, 2))
    assert cal.estimated == {2027}
    cal = schedule.WorkCalendar()
    assert schedule.add_workdays(D(2026, 12, 28), 10, calendar=cal) == D(2027, 1, 11)
    assert cal.estimated == {2027}
    # the bureau's own days take precedence; a year it entered counts as known
    cal = schedule.WorkCalendar({D(2027, 1, 1): False})
    assert not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 4)) and cal.estimated == set()


@given(st.integers(2000, 2100), st.sampled_from(["month", "quarter", "half", "year", "once"]), st.integers(1, 12))
def test_every_calendar_period_label_reads_back_as_its_key(year, every, n):
    from zhiben.catalogue.schedule import period_from_label
    from zhiben.reports.labels import period_label

    key = {"month": f"{year}-{n:02d}", "quarter": f"{year}-Q{(n - 1) // 3 + 1}",
           "half": f"{year}-H{(n - 1) // 6 + 1}", "year": str(year), "once": "once"}[every]
    assert period_from_label(period_label(key)) == key


# --- 顺延: a fixed-day deadline on a non-working day moves to the next working day ----------------

def test_fixed_day_deadlines_on_holidays_move_to_the_next_working_day():
    rule = rec("month", day=3, covers="previous")
    got = {d.period: (d.due, d.bound) for d in schedule.occurrences(rule, START, END, D(2024, 3, 1),
                                                                      schedule.WorkCalendar())}
    # the eight statutory holidays of the issue, and a plain weekend
    assert got["2024-04"] == (D(2024, 5, 6), "postponed")  # 劳动节 2024-05-01~05
    assert got["2024-09"] == (D(2024, 10, 8), "postponed")  # 国庆节
    assert got["2025-01"] == (D(2025, 2, 5), "postponed")  # 春节 2025-01-28~02-04
    assert got["2025-09"] == (D(2025, 10, 9), "postponed")  # 国庆节、中秋节 2025-10-01~08
    assert got["2025-12"] == (D(2026, 1, 4), "postponed")  # 元旦 2026-01-01~03, 1月4日(周日)调休上班
    assert got["2024-07"] == (D(2024, 8, 5), "postponed")  # Saturday 3 August
    assert got["2024-05"] == (D(2024, 6, 3), "deadline")
    # month-end deadlines are not fixed days: never moved
    assert {d.bound for d in schedule.occurrences(rec("month"), START, END, None, schedule.WorkCalendar())} == {"deadline"}
    # without a calendar (pure schedule) nothing moves
    assert {d.bound for d in schedule.occurrences(rule, START, END, D(2024, 3, 1))} == {"deadline"}


def test_the_bureau_calendar_decides_2027():
    rule = rec("month", day=3, covers="previous")
    weekdays = schedule.occurrences(rule, START, END, D(2024, 3, 1), schedule.WorkCalendar())
    assert weekdays[-1] == schedule.Due(D(2027, 1, 4), "2026-12", "postponed")  # Sunday 3 January: Monday
    bureau = schedule.WorkCalendar({D(2027, 1, 4): False})  # the bureau's 2027: 4 January a holiday
    assert schedule.occurrences(rule, START, END, D(2024, 3, 1), bureau)[-1].due == D(2027, 1, 5)
