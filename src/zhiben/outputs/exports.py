"""Records → files people open: CSV (Excel-safe), print-ready XLSX, JSON (the calendar is in calendar.py).

CSV reuses render.to_csv (BOM + OWASP guard). XLSX writes hostile strings as plain text cells,
never formulas. ICS UIDs are derived from the occurrence key so a re-imported file updates the
same calendar events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zhiben import terms
from zhiben.errors import InputError
from zhiben.inputs.files import replacing, write_target
from zhiben.outputs import terminal as render

FORMATS = ("csv", "xlsx", "ics", "json")
MAX_WIDTH = 60
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
    write_target(path, data)


def _atomic(path: Path, write) -> int:
    """Run `write(file)` on a temporary file beside `path`, then move it into place."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        return write(fh)


def write_csv(path: Path, records: Iterable[dict], columns: Sequence[render.Column],
              progress_label: str = "导出 CSV") -> int:
    """Stream records to a CSV file (BOM, formula guard as csv_bytes); the row count."""
    import csv

    from zhiben.outputs import progress

    def write(fh) -> int:
        fh.write("\ufeff")
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([label for _, label in columns])
        n = 0
        for r in progress.track(records, progress_label):
            w.writerow([render.guard_csv(render._cell(render.display_value(k, r.get(k)))) for k, _ in columns])
            n += 1
        return n

    return _atomic(path, write)


def write_json(path: Path, records: Iterable[dict]) -> int:
    def write(fh) -> int:
        data = list(records)
        for piece in render.json_pieces(data):
            fh.write(piece)
        fh.write("\n")
        return len(data)

    return _atomic(path, write)


def parse_alarms(text: str | None) -> list[int]:
    """"7,1" → [7, 1] (days before the due date); "0" or "" → no reminders."""
    if text is None or not text.strip() or text.strip() == "0":
        return []
    out = []
    for part in text.replace(",", ",").split(","):
        part = part.strip()
        if not part.isdigit() or not 0 < int(part) <= 365:
            raise InputError(f"提醒天数“{text}”无效:应为 1—365 的整数,用逗号分隔,如 7,1(0 表示不提醒)")
        out.append(int(part))
    return sorted(set(out), reverse=True)


def csv_bytes(records: Sequence[dict], columns: Sequence[render.Column]) -> bytes:
    # The BOM is what makes Excel read the file as UTF-8 instead of the system code page.
    return render.to_csv(records, columns, bom=True).encode("utf-8")


def json_bytes(records) -> bytes:
    return (render.to_json(records) + "\n").encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------

def text_width(text: str) -> int:
    """Display width: CJK and other wide characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


SEVERE_DAYS = 90


def overdue_level(rec: dict, days: int = SEVERE_DAYS) -> str | None:
    """"severe" for a row overdue more than `days` days, else None.

    Only the rows that need attention are coloured: when every overdue row is filled the colour
    says nothing (the list is all overdue by definition).
    """
    d = rec.get("days_overdue")
    return "severe" if isinstance(d, int) and d > days else None


def severe_after(days: int) -> Callable[[dict], str | None]:
    return lambda rec: overdue_level(rec, days)


@dataclass
class Sheet:
    title: str
    records: Iterable[dict]
    columns: Sequence[render.Column]
    highlight: Callable[[dict], str | None] | None = None
    # Columns whose (possibly empty) cells are dates the user fills in.
    date_keys: tuple[str, ...] = ()
    # Drop-down choices for a column (a fill-in template's status column).
    choices: dict[str, list[str]] = field(default_factory=dict)
    note: str | None = None
    # Known row count (for the progress bar); None when the records are a plain iterator.
    total: int | None = None
    # The title row above the header; None for sheets read back by zhiben (fill-in templates).
    heading: str | None = None
    # Rows whose label cell is in bold (totals).
    bold_key: str | None = None


@dataclass
class Book:
    """What a workbook is, written into it so it survives being forwarded without its file name."""

    report: str  # e.g. 逾期事项清单
    scope: str  # e.g. 全市 / 茌平区 / 全市 · 工贸
    as_of: dt.date
    remark: str | None = None  # e.g. what the colour means
    effective: dt.date | None = None  # the plans' effective date (periods are counted from it)
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(second=0, microsecond=0))

    @property
    def title(self) -> str:
        return f"{self.report}({self.scope},截至 {self.as_of.isoformat()})"

    def heading(self, sheet_title: str | None = None) -> str:
        parts = [self.report + (f" · {sheet_title}" if sheet_title else ""), self.scope,
                 f"截至日期 {self.as_of.isoformat()}", f"生成时间 {self.generated:%Y-%m-%d %H:%M}"]
        if self.effective:
            parts.append(f"方案自 {self.effective.isoformat()} 起施行")
        if self.remark:
            parts.append(self.remark)
        return "  |  ".join(parts)


def summary_sheet(matrix, book: Book, kind: str = "overdue") -> Sheet:
    """The 汇总 sheet every export opens with: the county × plan matrix (reports.county_plan), ranked
    by 逾期率 as in the mail and the HTML report; an upcoming list's counts what falls due."""
    from zhiben.reports import county_plan

    return Sheet("汇总", county_plan.records(matrix), county_plan.columns(matrix, kind), heading=book.heading("汇总"),
                 bold_key="total", note=f"{county_plan.RATE_NOTE};{county_plan.ON_TIME_NOTE};"
                                        "市应急管理局自身的事项单列,不参加排名。")


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
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _width(value) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return 7
    if isinstance(value, int):
        return len(str(value))
    return max((text_width(line) for line in str(value).splitlines()), default=0)


# Rows looked at to size the columns before streaming the rest (a streamed sheet cannot go back).
_SAMPLE = 500


class _Styles:
    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.severe = PatternFill("solid", fgColor=SEVERE_FILL)
        thin = Side(style="thin", color="B7C3D0")
        self.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        self.center = Alignment(vertical="center", wrap_text=True)
        self.note_font = Font(italic=True, color="666666")


def _cell(ws, value, styles: _Styles, *, fill=None, bold=False, date=False):
    """A cell for the streaming writer; plain values go in as they are (much cheaper)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in terms.FORMULA_CHARS:
            # openpyxl would store "=..." as a formula; force a text cell, quote-prefixed so editing
            # it in Excel keeps it text.
            c = WriteOnlyCell(ws)
            c.value = value
            c.data_type = "s"
            c.quotePrefix = True
        elif fill is None and not bold:
            return value
        else:
            c = WriteOnlyCell(ws, value=value)
    elif isinstance(value, float) and 0 <= value <= 1:
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "0.0%"
    elif fill is None and not bold and not date:
        return value
    else:
        c = WriteOnlyCell(ws, value=value)
        if date or isinstance(value, dt.date):
            c.number_format = "yyyy-mm-dd"
    if fill is not None:
        c.fill = fill
    if bold:
        c.font = styles.bold
    return c


def _print_setup(ws, title_rows: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    ws.HeaderFooter.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.HeaderFooter.evenFooter.center.text = "第 &P 页,共 &N 页"


def _write_sheet(wb, sheet: Sheet, used: set[str], styles: _Styles, bar) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(_sheet_title(sheet.title, used))
    keys = [k for k, _ in sheet.columns]
    ncols = len(keys)
    it = iter(sheet.records)
    sample = list(itertools.islice(it, _SAMPLE))
    widths = [text_width(label) for _, label in sheet.columns]
    for rec in sample:
        for j, k in enumerate(keys):
            widths[j] = max(widths[j], _width(_xlsx_value(k, rec.get(k))))
    for j, k in enumerate(keys):
        w = max(widths[j], 10 if k in sheet.date_keys else 4)
        ws.column_dimensions[get_column_letter(j + 1)].width = min(w + 2, MAX_WIDTH)
    title_rows = 2 if sheet.heading else 1
    # The sheet's head (views, columns) is written with the first row: set it before appending.
    ws.freeze_panes = f"A{title_rows + 1}"
    _print_setup(ws, title_rows)
    if sheet.heading:
        c = WriteOnlyCell(ws, value=sheet.heading)
        c.font = styles.title_font
        ws.append([c])
    header = []
    for _, label in sheet.columns:
        c = WriteOnlyCell(ws, value=label)
        c.font, c.fill, c.border, c.alignment = styles.bold, styles.header_fill, styles.border, styles.center
        header.append(c)
    ws.append(header)
    n = 0
    for rec in itertools.chain(sample, it):
        level = sheet.highlight(rec) if sheet.highlight else None
        fill = styles.severe if level else None
        bold = bool(sheet.bold_key and rec.get(sheet.bold_key))
        ws.append([_cell(ws, _xlsx_value(k, rec.get(k)), styles, fill=fill, bold=bold, date=k in sheet.date_keys)
                   for k in keys])
        n += 1
        bar.advance()
    last = n + title_rows
    if ncols:
        ws.auto_filter.ref = f"A{title_rows}:{get_column_letter(ncols)}{max(last, title_rows)}"
    for j, k in enumerate(keys, start=1):
        if k in sheet.choices:
            letter = get_column_letter(j)
            dv = DataValidation(type="list", formula1='"' + ",".join(sheet.choices[k]) + '"', allow_blank=True)
            dv.error = "请从下拉列表中选择"
            ws.data_validations.append(dv)
            dv.add(f"{letter}{title_rows + 1}:{letter}{max(last, 1000)}")
    if sheet.note:
        ws.append([])
        c = WriteOnlyCell(ws, value=sheet.note)
        c.font = styles.note_font
        ws.append([c])
    return n


def write_xlsx(target, sheets: Sequence[Sheet], book: Book | None = None, *, progress_label: str = "写入工作簿") -> int:
    """Stream `sheets` into an XLSX at `target` (a path or a binary file); the number of data rows.

    Write-only mode: each row goes to a temporary file as it is produced, so memory stays flat
    whatever the row count. With a `book`, every sheet without its own heading gets the book's
    title row, and the document properties carry the title, scope and creator.
    """
    from openpyxl import Workbook

    from zhiben.outputs import progress

    wb = Workbook(write_only=True)
    if book is not None:
        wb.properties.title = book.title
        wb.properties.subject = book.scope
        wb.properties.description = book.heading()
        wb.properties.keywords = f"截至 {book.as_of.isoformat()}"
    wb.properties.creator = "zhiben"
    wb.properties.lastModifiedBy = "zhiben"
    styles = _Styles()
    used: set[str] = set()
    total = sum(s.total or 0 for s in sheets) or None
    n = 0
    with progress.Bar(progress_label, total) as bar:
        for sheet in sheets:
            n += _write_sheet(wb, sheet, used, styles, bar)
    if not sheets:
        wb.create_sheet("空")
    wb.save(target)
    return n


def xlsx_bytes(sheets: Sequence[Sheet], book: Book | None = None) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, sheets, book)
    return buf.getvalue()


def xlsx_file(path: Path, sheets: Sequence[Sheet], book: Book | None = None, *, progress_label: str = "写入工作簿") -> int:
    """Write to a temporary file beside `path` and move it into place: no half-written workbook."""
    with replacing(path) as tmp:
        return write_xlsx(tmp, sheets, book, progress_label=progress_label)
