"""Report rows → records: the stable JSON objects (docs/json.md) and their Chinese column labels.

Shared by the terminal reports, exports and the weekly email so every output says the same thing.
Records carry both the internal keys (`period`, `plan`, `subject_kind`, `status`: for JSON and
round trips) and their labels (`period_label`, `plan_name`, …); the column lists below, which every
human-facing output uses, name only labels and names, never an internal key.
"""

from __future__ import annotations

from zhiben import terms
from zhiben.reports.labels import period_label

OVERDUE_COLUMNS = [("milestone_id", "编号"), ("plan", "方案"), ("title", "事项"), ("subject_kind", "主体类别"),
                   ("subject", "责任主体"), ("county", "所属县区"), ("credit_code", "统一社会信用代码"),
                   ("period_label", "周期"), ("due", "期限"), ("days_overdue", "逾期天数")]
UPCOMING_COLUMNS = OVERDUE_COLUMNS[:-1] + [("days_left", "剩余天数")]
PROGRESS_COLUMNS = [("label", "名称"), ("due_so_far", "已到期"), ("done", "已完成"), ("overdue", "逾期"),
                    ("rate", "完成率"), ("done_late", "逾期完成"), ("open_later", "未到期")]


def row_record(r, directions: dict[str, str] | None = None) -> dict:
    """One occurrence row → its record. `directions` (labels.event_directions) words event periods exactly."""
    rec = {"milestone_id": r.milestone_id, "plan": r.plan, "plan_name": terms.PLAN_NAMES[r.plan], "title": r.title,
           "subject_kind": r.subject_kind, "subject": r.subject, "county": r.county, "credit_code": r.credit_code,
           "period": r.period,
           "period_label": period_label(r.period, r.due, directions.get(r.milestone_id) if directions else None),
           "due": r.due, "status": r.status}
    bound = getattr(r, "extra", {}).get("bound")
    if bound:
        rec["bound"] = bound
    if r.days_overdue is not None:
        rec["days_overdue"] = r.days_overdue
    if r.days_left is not None:
        rec["days_left"] = r.days_left
    return rec


def progress_records(rows) -> list[dict]:
    return [{"key": p.key, "label": p.label, "due_so_far": p.due_so_far, "done": p.done, "overdue": p.overdue,
             "rate": p.rate, "done_late": p.done_late, "open_later": p.open_later} for p in rows]
