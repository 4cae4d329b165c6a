"""`progress --by county` as a 通报: per county, its own obligations apart from its enterprises'.

The records are the lines of the county × plan matrix (reports.county_plan), summed over the plans,
so the terminal, the mail, the HTML report and the XLSX 汇总 show the same numbers.
"""

from __future__ import annotations

import datetime as dt

from zhiben.db import read
from zhiben.errors import InputError
from zhiben.reports import county_plan
from zhiben.reports import rows as reports

# --sort values: (record key, best first when descending). Ranks are "best first": the highest
# completion rate, the lowest overdue rate is 第1名.
SORTS = {"完成率": ("rate", True), "按期完成率": ("on_time_rate", True), "逾期率": ("overdue_rate", False),
         "逾期": ("overdue", False), "rate": ("rate", True), "on_time_rate": ("on_time_rate", True),
         "overdue_rate": ("overdue_rate", False), "overdue": ("overdue", False)}
SORT_HINT = "完成率、按期完成率、逾期率、逾期"


def sort_key(text: str | None) -> tuple[str, bool] | None:
    if text is None:
        return None
    found = SORTS.get(text.strip())
    if found is None:
        raise InputError(f"未知的排序方式“{text}”;可用:{SORT_HINT}")
    return found


def record(line: county_plan.Line) -> dict:
    """A line of the matrix as a bulletin record (docs/json.md: progress --by county)."""
    t, own, ent = line.total, line.own, line.enterprise
    scope = {"county": "county", "city": "city", "total": "total"}[line.kind]
    return {
        "key": "全市" if line.kind == "total" else line.label, "label": line.label, "scope": scope,
        "due_so_far": t.due_so_far, "done": t.done, "overdue": t.overdue, "rate": t.done_rate,
        "done_late": t.done_late, "open_later": t.open_later,
        "own_due": own.due_so_far, "own_done": own.done, "own_overdue": own.overdue,
        "enterprise_due": ent.due_so_far, "enterprise_done": ent.done, "enterprise_overdue": ent.overdue,
        "on_time": t.on_time, "on_time_rate": t.on_time_rate, "overdue_rate": t.rate, "rank": None,
    }


def rank(records: list[dict], sort: tuple[str, bool]) -> None:
    """Sort `records` best first by `sort` (record key, descending?) and number them; ties share a
    rank (1, 2, 2, 4); a record without the figure goes last, unranked."""
    key, desc = sort

    def value(r: dict) -> tuple[bool, float]:
        v = r[key]
        return (v is None, -(v or 0) if desc else (v or 0))

    records.sort(key=value)
    previous, place = None, 0
    for n, r in enumerate(records, 1):
        if r[key] is None:
            continue
        if r[key] != previous:
            place, previous = n, r[key]
        r["rank"] = place


def county_bulletin(src: read.Readable, f: reports.Filters, as_of: dt.date, sort: tuple[str, bool] | None = None,
                    matrix: county_plan.Matrix | None = None) -> list[dict]:
    """Counties (in the customary order, or ranked by `sort`), then the city bureau's own row, then
    全市合计: the county × plan matrix summed over the plans."""
    m = matrix or county_plan.county_by_plan(src, f, as_of)
    counties = [record(ln) for ln in m.counties if ln.total.occurrences]
    city = [record(m.city)] if m.city else []
    if sort is not None:
        rank(counties, sort)
    whole = record(m.whole)
    whole["label"] = county_plan.TOTAL_LABEL
    return counties + city + [whole]
