"""Records → files people open: CSV (Excel-safe), XLSX, ICS calendar, JSON.

CSV reuses render.to_csv (BOM + OWASP guard). XLSX writes hostile strings as plain text cells,
never formulas. ICS UIDs are derived from the occurrence key so a re-imported file updates the
same calendar events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zhiben import terms
from zhiben.errors import InputError
from zhiben.outputs import terminal as render

FORMATS = ("csv", "xlsx", "ics", "json")
MAX_WIDTH = 60
OVERDUE_FILL = "FFE4E1"
SEVERE_FILL = "F8B4B4"
HEADER_FILL = "D9E1F2"


def format_for(path: Path, fmt: str | None) -> str:
    """The output format: --format if given, else the file's extension."""
    if fmt:
        fmt = fmt.lower().lstrip(".")
    else:
        fmt = path.suffix.lower().lstrip(".")
        if not fmt:
            raise InputError(f"无法从文件名“{path.name}”判断格式,请用 --format 指定:{'、'.join(FORMATS)}")
    if fmt not in FORMATS:
        raise InputError(f"不支持的导出格式“{fmt}”;可用:{'、'.join(FORMATS)}")
    return fmt


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file whose target was checked with inputs.files.check_target before the work."""
    from zhiben.inputs.files import write_target

    write_target(path, data)


def csv_bytes(records: Sequence[dict], columns: Sequence[render.Column]) -> bytes:
    # The BOM is what makes Excel read the file as UTF-8 instead of the system code page.
    return render.to_csv(records, columns, bom=True).encode("utf-8")


def json_bytes(records) -> bytes:
    return (render.to_json(records) + "\n").encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------

def text_width(text: str) -> int:
    """Display width: CJK and other wide characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def overdue_level(rec: dict) -> str | None:
    """None, "overdue" or "severe" (more than 90 days) for row highlighting."""
    days = rec.get("days_overdue")
    if isinstance(days, int):
        return "severe" if days > 90 else "overdue"
    if rec.get("status") == "overdue":
        return "overdue"
    if "due_so_far" in rec and (rec.get("overdue") or 0) > 0:
        return "overdue"
    return None


@dataclass
class Sheet:
    title: str
    records: Sequence[dict]
    columns: Sequence[render.Column]
    highlight: Callable[[dict], str | None] = overdue_level
    # Columns whose (possibly empty) cells are dates the user fills in.
    date_keys: tuple[str, ...] = ()
    # Drop-down choices for a column (a fill-in template's status column).
    choices: dict[str, list[str]] = field(default_factory=dict)
    note: str | None = None


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        suffix = f"({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _xlsx_value(key: str, value):
    value = render.display_value(key, value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return render.to_json(value)
    return value


def _put(cell, value) -> int:
    """Write one value; return its display width."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
        return 10
    if isinstance(value, bool):
        cell.value = "是" if value else "否"
        return 2
    if isinstance(value, float):
        cell.value = value
        if 0 <= value <= 1:
            cell.number_format = "0.0%"
        return 7
    if isinstance(value, int):
        cell.value = value
        return len(str(value))
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    # openpyxl would store "=..." as a formula; force a text cell, and mark it quote-prefixed
    # so editing it in Excel keeps it text.
    cell.data_type = "s"
    if text[:1] in terms.FORMULA_CHARS:
        cell.quotePrefix = True
    return max((text_width(line) for line in text.splitlines()), default=0)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    fills = {"overdue": PatternFill("solid", fgColor=OVERDUE_FILL), "severe": PatternFill("solid", fgColor=SEVERE_FILL)}
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        ncols = len(sheet.columns)
        widths = [text_width(label) for _, label in sheet.columns]
        for j, (_, label) in enumerate(sheet.columns, start=1):
            c = ws.cell(row=1, column=j, value=label)
            c.font, c.fill = bold, header_fill
            c.alignment = Alignment(vertical="center")
        for i, rec in enumerate(sheet.records, start=2):
            level = sheet.highlight(rec) if sheet.highlight else None
            for j, (key, _) in enumerate(sheet.columns, start=1):
                c = ws.cell(row=i, column=j)
                widths[j - 1] = max(widths[j - 1], _put(c, _xlsx_value(key, rec.get(key))))
                if key in sheet.date_keys:
                    c.number_format = "yyyy-mm-dd"
                    widths[j - 1] = max(widths[j - 1], 10)
                if level:
                    c.fill = fills[level]
        last = max(len(sheet.records) + 1, 2)
        for j, (key, _) in enumerate(sheet.columns, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = min(max(widths[j - 1], 4) + 2, MAX_WIDTH)
            if key in sheet.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(sheet.choices[key]) + '"', allow_blank=True)
                dv.error = "请从下拉列表中选择"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{max(last, 1000)}")
        ws.freeze_panes = "A2"
        if ncols:
            ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{len(sheet.records) + 1}"
        if sheet.note:
            ws.cell(row=len(sheet.records) + 3, column=1, value=sheet.note).font = Font(italic=True, color="666666")
    if not wb.sheetnames:
        wb.create_sheet("空")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- ICS --------------------------------------------------------------------------------------

def occurrence_uid(milestone_id: str, subject_kind: str, subject_key, period: str) -> str:
    """A UID that stays the same across exports for the same occurrence."""
    raw = f"{milestone_id}|{subject_kind}|{subject_key}|{period}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:32] + "@zhiben"


def subject_key(rec: dict):
    # A credit code survives rebuilding the database; an enterprise row id need not.
    if rec.get("subject_kind") == "enterprise" and rec.get("credit_code"):
        return rec["credit_code"]
    return rec.get("subject_id")


def event_summary(rec: dict) -> str:
    period = rec.get("period") or ""
    when = "" if period in ("", "once") else f"({period.split(':')[0]})"
    # An "earliest" row is the first day something may be done, not a deadline.
    lead = "最早可办:" if rec.get("status") == "earliest" else ""
    return f"{lead}{rec['title']}{when} · {rec['subject']} · {rec['milestone_id']}"


def ics_bytes(records: Sequence[dict], *, name: str = "治本攻坚期限") -> bytes:
    """One all-day VEVENT per occurrence record (keys as in cli.reports.row_record + subject_id)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//zhiben//治本攻坚期限跟踪//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    for rec in records:
        due: dt.date = rec["due"]
        ev = Event()
        ev.add("uid", occurrence_uid(rec["milestone_id"], rec["subject_kind"], subject_key(rec), rec["period"]))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", due)
        ev.add("dtend", due + dt.timedelta(days=1))
        ev.add("summary", event_summary(rec))
        lines = [f"方案:{terms.PLAN_NAMES.get(rec['plan'], rec['plan'])}", f"事项:{rec['title']}",
                 f"责任主体:{terms.SUBJECT_NAMES.get(rec['subject_kind'], rec['subject_kind'])} {rec['subject']}"]
        if rec.get("county"):
            lines.append(f"所属县区:{rec['county']}")
        if rec.get("credit_code"):
            lines.append(f"统一社会信用代码:{rec['credit_code']}")
        lines += [f"周期:{rec['period']}", f"期限:{due.isoformat()}", f"编号:{rec['milestone_id']}"]
        ev.add("description", "\n".join(lines))
        ev.add("categories", [terms.PLAN_NAMES.get(rec["plan"], rec["plan"])])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
