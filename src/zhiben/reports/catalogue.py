"""The loaded catalogue as records: the list, one entry with its due dates, the database's size.

Plain SQL through the db/read seam, so it reads the same on a Session and on a lean source.
"""

from __future__ import annotations

from typing import Any

from zhiben import terms
from zhiben.catalogue import schedule
from zhiben.catalogue.model import UndatedRule
from zhiben.catalogue.wording import rule_text
from zhiben.db import meta, read
from zhiben.reports.labels import period_label
from zhiben.tracking import lookup

_COLUMNS = ("id, plan, task, section, title, quote, responsible, unit, counties, sector, tags, exclude_tags, "
            "per_risk, rule, note, kind")


def _record(src: read.Source, row: Any) -> dict:
    (mid, plan, task, section, title, quote, responsible, unit, counties, sector, tags, exclude, per_risk, rule,
     note, _kind) = row
    rule = src.json(rule)
    return {
        "id": mid, "plan": plan, "task": task, "section": section, "title": title,
        "quote": quote, "responsible": responsible, "unit": unit, "counties": src.json(counties),
        "applies_to": {"sector": sector, "tags": src.json(tags), "exclude_tags": src.json(exclude)} if sector else None,
        "per_risk": per_risk, "rule": rule, "schedule": rule_text(rule), "note": note,
    }


def listing(src: read.Readable, *, plan: str | None = None, who: str | None = None,
            milestone_id: str | None = None) -> list[dict]:
    """Active entries in catalogue order, each with the Chinese name of who is responsible."""
    s = read.source(src)
    sql = f"SELECT {_COLUMNS} FROM milestone WHERE active = :yes"
    params: dict = {"yes": True}
    for column, value in (("plan", plan), ("responsible", who), ("id", milestone_id)):
        if value:
            sql += f" AND {column} = :{column}"
            params[column] = value
    out = []
    for row in s.rows(sql + " ORDER BY position", params):
        rec = _record(s, row)
        rec["responsible_name"] = terms.SUBJECT_NAMES.get(rec["responsible"], rec["responsible"])
        out.append(rec)
    return out


def entry(src: read.Readable, text: str) -> dict:
    """The entry a user named (its ID, any case) with every calendar due date of its schedule."""
    s = read.source(src)
    mid = lookup.milestone(s, text, "事项编号")
    row = next(iter(s.rows(f"SELECT {_COLUMNS} FROM milestone WHERE id = :id", {"id": mid})))
    rec = _record(s, row)
    dues = s.rows("SELECT period, due, bound FROM duedate WHERE milestone_id = :id ORDER BY due, period", {"id": mid})
    rec["due_dates"] = [{"period": period, "period_label": period_label(period), "due": s.date(due).isoformat(),  # type: ignore[union-attr]
                         "bound": bound} for period, due, bound in dues]
    if row[-1] == "undated":
        rec["completions"] = recorded(s, mid)
        start, end = meta.plan_period(s)
        rule = UndatedRule.model_validate(rec["rule"])
        rec["periods"] = [] if rule.every is None else schedule.undated_periods(rule, start, end, meta.effective_date(s))
    return rec


def recorded(src: read.Readable, milestone_id: str) -> list[dict]:
    """Who has recorded an undated duty as done (subject name, date): such duties have no rows to list."""
    s = read.source(src)
    rows = s.rows("SELECT c.subject_kind, COALESCE(co.name, p.name, e.name), c.period, c.done_on FROM completion c "
                  "LEFT JOIN county co ON c.subject_kind = 'county' AND co.id = c.subject_id "
                  "LEFT JOIN park p ON c.subject_kind = 'park' AND p.id = c.subject_id "
                  "LEFT JOIN enterprise e ON c.subject_kind = 'enterprise' AND e.id = c.subject_id "
                  "WHERE c.milestone_id = :id ORDER BY c.done_on, c.id", {"id": milestone_id})
    return [{"subject_kind": kind, "subject": name or terms.CITY_NAME, "period": period, "done_on": s.date(done_on)}
            for kind, name, period, done_on in rows]


def size(src: read.Readable) -> tuple[int, int]:
    """(catalogue entries, county-level units) in the database."""
    s = read.source(src)
    counts = next(iter(s.rows("SELECT (SELECT count(*) FROM milestone), (SELECT count(*) FROM county)")))
    return s.count(counts[0]), s.count(counts[1])
