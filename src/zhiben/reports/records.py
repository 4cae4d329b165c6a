"""Report rows → records: the stable JSON objects (docs/json.md) and their Chinese column labels.

Shared by the terminal reports, exports and the weekly email so every output says the same thing.
Records carry both the internal keys (`period`, `plan`, `subject_kind`, `status`: for JSON and
round trips) and their labels (`period_label`, `plan_name`, …); the column lists below, which every
human-facing output uses, name only labels and names, never an internal key.
"""

from __future__ import annotations

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


def row_record(r: Row, directions: dict[str, str] | None = None) -> dict:
    """One occurrence row → its record. `directions` (labels.event_directions) words event periods exactly."""
    rec: dict[str, object] = {"milestone_id": r.milestone_id, "plan": r.plan, "plan_name": terms.PLAN_NAMES[r.plan], "title": r.title,
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
