"""逾期率, 按期完成率, 已到期 and 逾期 per county (plan, milestone) at a series of dates.

Each figure is what `progress --as-of` says on that date: the same conditions (reports.rows.TERMS),
with the as-of date renamed per column, in one grouped pass over the occurrence counts (db/tally.py;
the occurrences themselves for --by milestone or an enterprise filter) instead of
one pass per date. Records done late move the past (a completion dated 2025-03-10 entered on
2025-06-01 counts at 2025-04-01): this is 按当前记录回算; what was circulated is kept by the
issued 通报 (reports.notice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from zhiben.db import read
from zhiben.errors import InputError
from zhiben.reports import county_plan
from zhiben.reports import rows as reports
from zhiben.terms import CITY_NAME, PLAN_NAMES, PLAN_SHORT, SHORT_NAMES

EVERY = {"week": "每周", "month": "每月"}
SINCE_LAST = {"week": "较上周", "month": "较上月"}  # the column beside a figure in the mail and the report
# What the mail (weekly) and the meeting report (monthly) show: eight weeks, six months.
SPAN = {"week": relativedelta(weeks=8), "month": relativedelta(months=6)}
EVERY_HINT = "week(每周)、month(每月)"
BY = ("county", "plan", "milestone")
DEFAULT_MONTHS = 6
MAX_POINTS = 60  # beyond this a chart is unreadable and the query grows wide

SPARKS = "▁▂▃▄▅▆▇█"


def every_of(text: str) -> str:
    value = {"week": "week", "weekly": "week", "周": "week", "每周": "week",
             "month": "month", "monthly": "month", "月": "month", "每月": "month"}.get(text.strip().lower())
    if value is None:
        raise InputError(f"未知的间隔“{text[:40]}”;可用:{EVERY_HINT}")
    return value


def recent(src: read.Readable, f: reports.Filters, as_of: dt.date, every: str) -> Trend:
    """Per county, the last eight weeks or six months up to `as_of` (what the mail and report show)."""
    return trend(src, f, dates(as_of - SPAN[every], as_of, every), "county", every)


def dates(start: dt.date | None, end: dt.date, every: str) -> list[dt.date]:
    """From `end` back by weeks or months to `start` (default six months earlier), oldest first.
    Anchored at `end` so the newest column is the day asked for (today by default)."""
    step = relativedelta(weeks=1) if every == "week" else relativedelta(months=1)
    start = start or end - relativedelta(months=DEFAULT_MONTHS)
    if start > end:
        raise InputError(f"--from {start} 晚于 --to {end}")
    out, day, n = [], end, 0
    while day >= start:
        out.append(day)
        n += 1
        day = end - step * n
        if len(out) > MAX_POINTS:
            raise InputError(f"日期点太多(超过 {MAX_POINTS} 个);请缩短 --from 与 --to 的间隔或改用 --every month")
    return out[::-1]


@dataclass
class Point(county_plan.Cell):
    """The matrix's cell (its counts and rates, one definition) at one date of the series."""

    as_of: dt.date = dt.date.min

    @property
    def overdue_rate(self) -> float | None:
        return self.rate

    def record(self) -> dict:
        return {"as_of": self.as_of, "due_so_far": self.due_so_far, "done": self.done, "overdue": self.overdue,
                "overdue_rate": self.overdue_rate, "on_time": self.on_time, "on_time_rate": self.on_time_rate}


@dataclass
class Series:
    key: str  # county name (or 市应急局), plan code, milestone id
    label: str
    short: str
    kind: str  # county / city / plan / milestone / total
    points: list[Point] = field(default_factory=list)
    order: tuple = ()

    def record(self) -> dict:
        return {"key": self.key, "label": self.label, "scope": self.kind,
                "series": [p.record() for p in self.points]}


@dataclass
class Trend:
    by: str
    every: str
    dates: list[dt.date]
    series: list[Series]  # groups in the customary order, then the total

    def records(self) -> list[dict]:
        return [s.record() for s in self.series]

    def change(self, label: str) -> float | None:
        """The 逾期率 change of the group `label` from the previous date to the last, in points."""
        s = next((x for x in self.series if x.label == label), None)
        if s is None or len(s.points) < 2:
            return None
        now, before = s.points[-1].overdue_rate, s.points[-2].overdue_rate
        return None if now is None or before is None else round((now - before) * 100, 1)


_KEY = {"county": "NULLIF(o.county_id, 0)", "plan": "o.plan", "milestone": "o.milestone_id"}


def trend(src: read.Readable, f: reports.Filters, days: list[dt.date], by: str = "county", every: str = "month") -> Trend:
    """One grouped pass: for each date, the counts progress makes at that date."""
    if by not in _KEY:
        raise InputError(f"未知的分组方式“{by[:40]}”;可用:{'、'.join(BY)}")
    src = read.source(src)
    params: dict = {}
    cond = reports.where(f, params) or ["1 = 1"]
    table, weight = reports.counted(f) if by != "milestone" else ("occurrence o", "1")
    sums = []
    for i, day in enumerate(days):
        name = f":as_of_{i}"
        params[name[1:]] = src.day(day)
        alive = reports.NOT_WITHDRAWN.replace(":as_of", name)
        for term in (reports.TERMS[0], reports.TERMS[1], reports.TERMS[2], reports.TERMS[4]):
            sums.append(f"SUM(CASE WHEN {alive} AND {term.replace(':as_of', name)} THEN {weight} ELSE 0 END)")
    key = _KEY[by]
    sql = f"SELECT {key}, {', '.join(sums)} FROM {table} WHERE {' AND '.join(cond)} GROUP BY {key}"
    labels = _labels(src, by)
    found: dict = {}
    total = Series("total", "合计" if f.county_id is not None and by == "county" else "全市合计", "合计", "total",
                   [Point(as_of=d) for d in days])
    for row in src.rows(sql, params):
        k, values = row[0], [src.count(v) for v in row[1:]]
        label, short, kind, order = labels(k)
        s = found.get(k)
        if s is None:
            s = found[k] = Series(label if by == "county" else str(k), label, short, kind, [Point(as_of=d) for d in days],
                                  order)
        for i, p in enumerate(s.points):
            due, done, overdue, late = values[4 * i:4 * i + 4]
            for target in (p, total.points[i]):
                target.due_so_far += due
                target.done += done
                target.overdue += overdue
                target.done_late += late
    series = sorted(found.values(), key=lambda s: s.order)
    return Trend(by, every, days, series + ([total] if len(series) != 1 else []))


# A group's (label, short label, kind, sort order).
Label = tuple[str, str, str, tuple[Any, Any]]


def _labels(src: read.Source, by: str) -> Callable[[Any], Label]:
    """group key → (label, short label, kind, order)."""
    if by == "county":
        counties = {cid: (name, pos) for cid, name, pos in src.rows("SELECT id, name, position FROM county")}

        def county(k: int | None) -> Label:
            if k is None:
                return CITY_NAME, "市局本级", "city", (1, 0)
            name, pos = counties[k]
            return name, SHORT_NAMES.get(name) or name, "county", (0, pos)

        return county
    if by == "plan":
        plans = list(PLAN_NAMES)
        return lambda k: (PLAN_NAMES.get(k, k), PLAN_SHORT.get(k, k), "plan", (plans.index(k) if k in plans else 99, ""))
    titles = {mid: (title, pos) for mid, title, pos in src.rows("SELECT id, title, position FROM milestone")}

    def milestone(k: str) -> Label:
        title, pos = titles.get(k, (k, 0))
        return title, k, "milestone", (pos, k)

    return milestone


def spark(values: list[float | None]) -> str:
    """One character per point, ▁ (the row's lowest) to █ (its highest); a flat row is ▄ throughout,
    · marks a date with nothing due yet. The shape, not the level: the level is in the columns."""
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0, 0)
    out = []
    for v in values:
        if v is None:
            out.append("·")
        elif high == low:
            out.append(SPARKS[3])
        else:
            out.append(SPARKS[int((v - low) / (high - low) * (len(SPARKS) - 1) + 0.5)])
    return "".join(out)
