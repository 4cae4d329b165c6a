"""The status round trip, outward half: a county's fill-in template.

The template lists a county's open occurrences (its own, its parks' and its enterprises') with
empty 状态/完成日期/佐证材料/备注 columns; tracking/status_import.py reads it back and holds the
words the 状态 column accepts (terms.FILL_STATUS_CHOICES for the drop-down).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from zhiben import terms
from zhiben.outputs import workbooks
from zhiben.outputs.xlsx import Book, Sheet
from zhiben.reports import briefing, labels
from zhiben.reports import rows as reports

TEMPLATE_COLUMNS = [
    ("milestone_id", "编号"), ("plan", "方案"), ("title", "事项"), ("subject_kind", "主体类别"),
    ("subject", "责任主体"), ("credit_code", "统一社会信用代码"), ("period", "周期"), ("due", "期限"),
    ("current", "当前情况"), ("fill_status", "状态"), ("fill_done_on", "完成日期"),
    ("fill_evidence", "佐证材料"), ("fill_files", "佐证文件"), ("fill_note", "备注"),
]
NOTE_LINES = [
    "在“状态”列填写:已完成(或 完成、done);撤销以前误报的完成须填:撤销(填“未完成”不会撤销已记录的完成)。",
    "已完成的须填写“完成日期”(YYYY-MM-DD,不能晚于今天),并尽量填写“佐证材料”;“备注”随记录保存。",
    "“佐证文件”填文件名(多个用顿号、分号或换行分隔),文件随表放在同一文件夹或 ZIP 中交回。",
    "没有进展的行留空即可;编号、主体类别、责任主体、统一社会信用代码、周期各列请勿改动。",
    "交回后由市局用 zhiben status import 文件名 导入;任何一行有误则整份不导入,并指出行号和列。",
]


class County(Protocol):
    """The county a template is for (a tracking.subjects.Subject): its name heads the sheet."""

    @property
    def name(self) -> str: ...


# --- template ---------------------------------------------------------------------------------

def template_records(src: reports.Source, county_id: int, as_of: dt.date, days: int = 30) -> list[dict[str, Any]]:
    """Open occurrences of one county: overdue ones, then those due within `days`."""
    f = reports.Filters(county_id=county_id)
    rows = reports.overdue(src, f, as_of) + reports.upcoming(src, f, as_of, days)
    directions = labels.event_directions(src)
    out = []
    for r in rows:
        if r.days_overdue is not None:
            current = f"逾期 {r.days_overdue} 天"
        elif r.days_left is not None:
            current = f"{r.days_left} 天后到期"
        else:
            current = "未完成"
        out.append({"milestone_id": r.milestone_id, "plan": r.plan, "title": r.title,
                    "subject_kind": r.subject_kind, "subject": r.subject, "credit_code": r.credit_code,
                    "period": labels.period_label(r.period, r.due, directions.get(r.milestone_id)), "due": r.due, "status": r.status, "days_overdue": r.days_overdue,
                    "current": current, "fill_status": "", "fill_done_on": None, "fill_evidence": "",
                    "fill_files": "", "fill_note": ""})
    return out


def workbook(src: reports.Source, subject: County, county_id: int, as_of: dt.date,
             days: int = 30) -> tuple[list[Sheet], Book, int]:
    """The template as a workbook: title rows (county, 截至日期, what the colour means), the rows to
    fill in, the instructions on their own sheet. Only the oldest tenth of the county's overdue rows
    and those newly overdue are coloured, so the colour still points somewhere."""
    records = template_records(src, county_id, as_of, days)
    hl = briefing.highlight(src, reports.Filters(county_id=county_id), as_of)
    b = workbooks.book(src, f"{subject.name}完成情况填报模板", subject.name, as_of,
                       f"“期限”“当前情况”两列着色——{hl.legend(as_of)}")
    sheet = Sheet(f"{subject.name}填报", records, TEMPLATE_COLUMNS, heading=b.heading(), highlight=hl.level,
                  date_keys=("fill_done_on",), choices={"fill_status": terms.FILL_STATUS_CHOICES},
                  wrap={"title": 30, "subject": 24, "fill_evidence": 20, "fill_note": 16},
                  highlight_keys=("due", "current"))  # a cue beside the date, not a page painted red
    # The instructions get their own sheet so the data sheet holds nothing but rows to fill in.
    help_sheet = Sheet("填写说明", [{"text": line} for line in NOTE_LINES], [("text", "填写说明")], wrap={"text": 100})
    return [sheet, help_sheet], b, len(records)
