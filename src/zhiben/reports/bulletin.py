"""`progress --by county` as a 通报: per county, its own obligations apart from its enterprises'.

A county's own column counts what falls on the county-level unit itself (its reports, its
supervision duties, its parks); the enterprise column counts what falls on the enterprises in
its area. 按期完成率 counts only completions on or before the due date. The city bureau's own row
is kept apart from the counties (a bulletin ranks counties, not the bureau issuing it).
"""

from __future__ import annotations

import dataclasses

from zhiben import terms
from zhiben.errors import InputError
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


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def county_bulletin(session, f: reports.Filters, as_of, sort: tuple[str, bool] | None = None) -> list[dict]:
    """Counties (in the customary order, or ranked by `sort`), then the city bureau's own row."""
    total = reports.progress(session, f, as_of, "county")
    if f.who is None and not f.enterprise_only:
        ent = {p.key: p for p in reports.progress(session, dataclasses.replace(f, who="enterprise"), as_of, "county")}
    elif f.who == "enterprise" or f.enterprise_only:
        ent = {p.key: p for p in total}
    else:
        ent = {}
    out = []
    for p in total:
        e = ent.get(p.key)
        e_due, e_done, e_over = (e.due_so_far, e.done, e.overdue) if e else (0, 0, 0)
        on_time = p.done - p.done_late
        out.append({
            "key": p.key, "label": p.label, "scope": "city" if p.key == terms.CITY_NAME else "county",
            "due_so_far": p.due_so_far, "done": p.done, "overdue": p.overdue, "rate": p.rate,
            "done_late": p.done_late, "open_later": p.open_later,
            "own_due": p.due_so_far - e_due, "own_done": p.done - e_done, "own_overdue": p.overdue - e_over,
            "enterprise_due": e_due, "enterprise_done": e_done, "enterprise_overdue": e_over,
            "on_time": on_time, "on_time_rate": _rate(on_time, p.due_so_far),
            "overdue_rate": _rate(p.overdue, p.due_so_far), "rank": None,
        })
    counties = [r for r in out if r["scope"] == "county"]
    city = [r for r in out if r["scope"] == "city"]
    if sort is not None:
        key, desc = sort

        def value(r):
            v = r[key]
            return (v is None, -(v or 0) if desc else (v or 0))

        counties.sort(key=value)
        previous, rank = None, 0
        for n, r in enumerate(counties, 1):
            if r[key] is None:
                continue
            if r[key] != previous:  # ties share a rank: 1, 2, 2, 4
                rank, previous = n, r[key]
            r["rank"] = rank
    return counties + city + [_total(out)]


def _total(rows: list[dict]) -> dict:
    """全市合计: the counties and the bureau together."""
    keys = ("due_so_far", "done", "overdue", "done_late", "open_later", "own_due", "own_done", "own_overdue",
            "enterprise_due", "enterprise_done", "enterprise_overdue", "on_time")
    t = {k: sum(r[k] for r in rows) for k in keys}
    return {"key": "全市", "label": "全市合计", "scope": "total", **t, "rate": _rate(t["done"], t["due_so_far"]),
            "on_time_rate": _rate(t["on_time"], t["due_so_far"]), "overdue_rate": _rate(t["overdue"], t["due_so_far"]),
            "rank": None}
