"""A listing's grouped view (reports.summary), counted by the database, says what its detail rows say."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from test_tally import city  # noqa: F401  (the module's register with completions)
from zhiben import terms
from zhiben.reports import rows as reports
from zhiben.reports import summary


def _oracle(rows: list[reports.Row], kind: str) -> dict:
    """The groups and totals counted in Python from the detail rows, in the listing's order."""
    def tally(rs: list[reports.Row]) -> dict:
        days = [r.days_overdue if kind == "overdue" else r.days_left for r in rs]
        return {"items": len(rs), "counties": len({r.county for r in rs if r.subject_kind != "city" and r.county}),
                "enterprises": len({r.credit_code for r in rs if r.credit_code}),
                "city": any(r.subject_kind == "city" for r in rs), "first_due": min(r.due for r in rs),
                "last_due": max(r.due for r in rs), "milestones": len({r.milestone_id for r in rs}),
                ("max_days_overdue" if kind == "overdue" else "min_days_left"):
                    max(days) if kind == "overdue" else min(days)}

    by_milestone: dict[str, list] = defaultdict(list)
    by_plan: dict[str, list] = defaultdict(list)
    for r in rows:
        by_milestone[r.milestone_id].append(r)
        by_plan[r.plan].append(r)
    groups = {mid: {**tally(rs), "bound": rs[0].extra["bound"], "status": rs[0].status, "title": rs[0].title}
              for mid, rs in by_milestone.items()}
    return {"groups": groups, "plans": {p: tally(rs) for p, rs in by_plan.items()},
            "total": tally(rows) if rows else None}


def _seen(s: summary.Summary) -> dict:
    def tally(t: summary.Tally) -> dict:
        return {**t.counts(), "milestones": t.milestones}

    return {"groups": {g.milestone_id: {**tally(g), "bound": g.bound, "status": g.status, "title": g.title}
                       for g in s.groups},
            "plans": {p: tally(t) for p, t in s.plans.items()}, "total": tally(s.total) if s else None}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(("overdue", "upcoming")), day=st.dates(dt.date(2024, 3, 1), dt.date(2027, 1, 31)),
       days=st.sampled_from((7, 30, 90)), plan=st.sampled_from((None, *terms.PLAN_NAMES)),
       county=st.sampled_from((None, 1, 3)), who=st.sampled_from((None, "county", "enterprise")),
       since=st.sampled_from((None, 30, 365)))
def test_the_grouped_view_counts_what_the_rows_list(city, kind, day, days, plan, county, who, since):  # noqa: F811
    f = reports.Filters(plan=plan, county_id=county, who=who)
    first = day - dt.timedelta(days=since) if since else None
    with Session(city) as s:
        rows = list(reports.iter_overdue(s, f, day) if kind == "overdue" else reports.iter_upcoming(s, f, day, days))
        if first is not None:
            rows = [r for r in rows if r.due >= first]
        got = summary.summarise(s, f, kind, day, days, since=first)
    assert _seen(got) == _oracle(rows, kind)
    order = [g.milestone_id for g in got.groups]
    assert order == sorted(order, key=lambda m: (summary.PLAN_ORDER[got.groups[order.index(m)].plan],
                                                 got.groups[order.index(m)].first_due, m))
