"""Report rows → records: the stable JSON objects (docs/json.md) and their Chinese column labels.

Shared by the terminal reports, exports and the weekly email so every output says the same thing.
Records carry both the internal keys (`period`, `plan`, `subject_kind`, `status`: for JSON and
round trips) and their labels (`period_label`, `plan_name`, …); the column lists below, which every
human-facing output uses, name only labels and names, never an internal key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from zhiben import terms
from zhiben.reports.labels import period_label

if TYPE_CHECKING:
    from zhiben.reports.rows import ProgressRow, Row

OVERDUE_COLUMNS = [("milestone_id", "编号"), ("plan", "方案"), ("title", "事项"), ("subject_kind", "主体类别"),
                   ("subject", "责任主体"), ("county", "所属县区"), ("credit_code", "统一社会信用代码"),
                   ("period_label", "周期"), ("due", "期限"), ("days_overdue", "逾期天数")]
UPCOMING_COLUMNS = OVERDUE_COLUMNS[:-1] + [("days_left", "剩余天数")]
PROGRESS_COLUMNS = [("label", "名称"), ("due_so_far", "已到期"), ("done", "已完成"), ("overdue", "逾期"),
                    ("rate", "完成率"), ("done_late", "逾期完成"), ("open_later", "未到期")]
# progress --by milestone / enterprise: what a reader filters and acts on (编号; 统一社会信用代码 and 县区).
_PROGRESS_KEYS = {"milestone": [("milestone_id", "编号"), ("label", "事项")],
                  "enterprise": [("credit_code", "统一社会信用代码"), ("label", "企业名称"), ("county", "所属县区")]}


def progress_columns(by: str) -> list[tuple[str, str]]:
    """The columns of a progress table grouped `by`: terminal, CSV and XLSX alike."""
    return _PROGRESS_KEYS.get(by, PROGRESS_COLUMNS[:1]) + PROGRESS_COLUMNS[1:]


def record_of(milestone_id: str, plan: str, title: str, subject_kind: str, subject: str, county: str | None,
              credit_code: str | None, period: str, due: dt.date, status: str, bound: str | None,
              days_overdue: int | None, days_left: int | None, directions: dict[str, str] | None = None) -> dict:
    """One occurrence → its record, from a Row's fields or straight from a rows.Decoded tuple.
    `directions` (labels.event_directions) words event periods exactly."""
    rec: dict[str, object] = {
        "milestone_id": milestone_id, "plan": plan, "plan_name": terms.PLAN_NAMES[plan], "title": title,
        "subject_kind": subject_kind, "subject": subject, "county": county, "credit_code": credit_code,
        "period": period,
        "period_label": period_label(period, due, directions.get(milestone_id) if directions else None),
        "due": due, "status": status}
    if bound:
        rec["bound"] = bound
    if days_overdue is not None:
        rec["days_overdue"] = days_overdue
    if days_left is not None:
        rec["days_left"] = days_left
    return rec


def row_record(r: Row, directions: dict[str, str] | None = None) -> dict:
    return record_of(r.milestone_id, r.plan, r.title, r.subject_kind, r.subject, r.county, r.credit_code, r.period,
                     r.due, r.status, getattr(r, "extra", {}).get("bound"), r.days_overdue, r.days_left, directions)


def progress_records(rows: Iterable[ProgressRow], by: str | None = None) -> list[dict]:
    """Progress rows → records; grouped by milestone or enterprise they also carry the key columns
    (`milestone_id`; `credit_code` and `county`) under their own names."""
    out = []
    for p in rows:
        rec = {"key": p.key, "label": p.label, "due_so_far": p.due_so_far, "done": p.done, "overdue": p.overdue,
               "rate": p.rate, "done_late": p.done_late, "open_later": p.open_later}
        if by == "milestone":
            rec["milestone_id"] = p.key
        elif by == "enterprise":
            rec["credit_code"], rec["county"] = p.key, p.county
        out.append(rec)
    return out
