"""The one workbook writer: title rows with the 截至日期, A4 print setup, wrapped columns, streaming.

Every workbook zhiben writes (exports and mail attachments; outputs/workbooks.py assembles them)
goes through `write`. A sheet opens with its title rows (what, whose, as of when, what the colour
means), merged across the table and wrapped so print never clips them; the header row repeats on
every printed page; numbers of a thousand and more carry separators as on the terminal. Rows are
streamed (write-only mode), so memory stays flat whatever the row count. Hostile strings become
plain text cells, never formulas.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import itertools
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from zhiben import terms
from zhiben.errors import InputError, os_reason
from zhiben.inputs.files import replacing
from zhiben.inputs.limits import printable
from zhiben.outputs import progress
from zhiben.outputs import terminal as render
from zhiben.reports import labels

if TYPE_CHECKING:
    # openpyxl takes 0.2 s to load: CSV exports and trend import this module without writing a workbook
    from openpyxl import Workbook

    from zhiben.errors import InputError
    from zhiben.outputs.progress import Bar

# openpyxl's write-only worksheet: its page set-up parts are always there, though typed optional.
WriteOnly = Any
MAX_WIDTH = 60
HEADER_FILL = "D9E1F2"
# What a highlight level looks like; the title row says what it means (reports.briefing.Highlight).
FILLS = {"oldest": "F4B6B6", "new": "FFE699", "severe": "F4B6B6"}
LINE_HEIGHT = 15  # points per wrapped line (11 pt text)
# Rows looked at to size the columns before streaming the rest (a streamed sheet cannot go back).
_SAMPLE = 500


def text_width(text: str) -> int:
    """Display width: CJK and other wide characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


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
    # The title rows above the header (Book.heading); zhiben finds the header below them on reading back.
    heading: list[str] | None = None
    # Rows in bold (totals): this key is True or "total".
    bold_key: str | None = None
    # Columns of long text: key → width; the text wraps and the row grows to show all of it.
    wrap: dict[str, int] = field(default_factory=dict)
    # The cells a highlight colours (None: the whole row).
    highlight_keys: tuple[str, ...] | None = None


@dataclass
class Book:
    """What a workbook is, written into it so it survives being forwarded without its file name."""

    report: str  # e.g. 逾期事项清单
    scope: str  # e.g. 全市 / 茌平区 / 全市 · 工贸
    as_of: dt.date
    remark: str | None = None  # e.g. what the colour means
    effective: dt.date | None = None  # the plans' effective date (periods are counted from it)
    effective_chosen: bool = True  # False: the catalogue's default, marked as such
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(second=0, microsecond=0))

    @property
    def title(self) -> str:
        return f"{self.report}({self.scope},截至 {self.as_of.isoformat()})"

    def heading(self, sheet_title: str | None = None, *, legend: bool = True) -> list[str]:
        """The title rows: what and whose; as of when; what the colour means (`legend`: this sheet is coloured)."""
        what = self.report + (f" · {sheet_title}" if sheet_title and sheet_title != self.report else "")
        when = [f"截至日期 {self.as_of.isoformat()}", f"生成时间 {self.generated:%Y-%m-%d %H:%M}"]
        if self.effective:
            when.append(labels.effective_note(self.effective, self.effective_chosen))
        lines = [f"{what}({self.scope})", "    ".join(when)]
        if legend and self.remark:
            lines.append(self.remark)
        return lines


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in printable(title))[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        suffix = f"({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _value(key: str, value: Any) -> Any:
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


def _width(value: object) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return 7
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((text_width(line) for line in str(value).splitlines()), default=0)


def _lines(value: object, width: int) -> int:
    """How many lines `value` takes wrapped in a column `width` wide."""
    if value is None or value == "":
        return 1
    room = max(width, 4)
    return sum(max(1, math.ceil(text_width(line) / room)) for line in str(value).splitlines() or [""])


class _Styles:
    def __init__(self) -> None:
        # openpyxl takes 0.2 s to load: CSV exports and trend import this module without writing a workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.sub_font = Font(size=10, color="333333")
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.fills = {k: PatternFill("solid", fgColor=v) for k, v in FILLS.items()}
        thin = Side(style="thin", color="B7C3D0")
        self.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        self.center = Alignment(vertical="center", wrap_text=True)
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self.top = Alignment(vertical="top", wrap_text=True, horizontal="left")
        self.top_only = Alignment(vertical="top")  # beside wrapped cells, so a row reads from its top line
        self.note_font = Font(italic=True, color="666666")


def _cell(ws: WriteOnly, value: Any, styles: _Styles, *, fill: Any = None, bold: bool = False, date: bool = False,
          align: Any = None) -> Any:
    """A cell for the streaming writer; plain values go in as they are (much cheaper)."""
    # openpyxl takes 0.2 s to load: CSV exports and trend import this module without writing a workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    plain = fill is None and not bold and align is None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in terms.FORMULA_CHARS:
            # openpyxl would store "=..." as a formula; force a text cell, quote-prefixed so editing
            # it in Excel keeps it text.
            c = WriteOnlyCell(ws)
            c.value = value
            c.data_type = "s"
            c.quotePrefix = True
        elif plain:
            return value
        else:
            c = WriteOnlyCell(ws, value=value)
    elif isinstance(value, float) and 0 <= value <= 1:
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "0.0%"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "#,##0"
    elif plain and not date:
        return value
    else:
        c = WriteOnlyCell(ws, value=value)
        if date or isinstance(value, dt.date):
            c.number_format = "yyyy-mm-dd"
    if fill is not None:
        c.fill = fill
    if bold:
        c.font = styles.bold
    if align is not None:
        c.alignment = align
    return c


def _print_setup(ws: WriteOnly, header_row: int, heading: list[str]) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.HeaderFooter.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.HeaderFooter.evenFooter.center.text = "第 &P 页,共 &N 页"
    if heading:
        # Every printed page says what it is and as of when, not only the first ("&" starts a code there).
        for hf in (ws.HeaderFooter.oddHeader, ws.HeaderFooter.evenHeader):
            hf.left.text = printable(heading[0]).replace("&", "&&")
            hf.right.text = printable(heading[1].split("    ")[0]).replace("&", "&&") if len(heading) > 1 else ""


def _write_sheet(wb: Workbook, sheet: Sheet, used: set[str], styles: _Styles, bar: Bar) -> int:
    # openpyxl takes 0.2 s to load: CSV exports and trend import this module without writing a workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(_sheet_title(sheet.title, used))
    keys = [k for k, _ in sheet.columns]
    ncols = len(keys)
    last_letter = get_column_letter(max(ncols, 1))
    it = iter(sheet.records)
    sample = list(itertools.islice(it, _SAMPLE))
    widths = [text_width(label) for _, label in sheet.columns]
    for rec in sample:
        for j, k in enumerate(keys):
            if k not in sheet.wrap:
                widths[j] = max(widths[j], _width(_value(k, rec.get(k))))
    for j, k in enumerate(keys):
        # Latin capitals are wider than the digit Excel measures in: codes get a little more room.
        room = 4 if k in ("credit_code", "milestone_id", "id") else 2
        w = sheet.wrap.get(k) or min(max(widths[j], 10 if k in sheet.date_keys else 4) + room, MAX_WIDTH)
        widths[j] = w
        ws.column_dimensions[get_column_letter(j + 1)].width = w
    table_width = sum(widths)
    heading = sheet.heading or []
    header_row = len(heading) + 1
    # The sheet's head (views, columns, row heights) is written with the first row: set it first.
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws, header_row, heading)
    for i, line in enumerate(heading, 1):
        c = WriteOnlyCell(ws, value=printable(line))  # names the user typed: openpyxl refuses controls
        c.font = styles.title_font if i == 1 else styles.sub_font
        c.alignment = styles.top
        ws.merged_cells.add(f"A{i}:{last_letter}{i}")
        ws.row_dimensions[i].height = (18 if i == 1 else LINE_HEIGHT) * _lines(line, table_width)
        ws.append([c])
    header = []
    header_lines = 1
    for j, (_, label) in enumerate(sheet.columns):
        c = WriteOnlyCell(ws, value=label)
        c.font, c.fill, c.border, c.alignment = styles.bold, styles.header_fill, styles.border, styles.center
        header.append(c)
        header_lines = max(header_lines, _lines(label, widths[j]))
    if header_lines > 1:
        ws.row_dimensions[header_row].height = LINE_HEIGHT * header_lines + 2
    ws.append(header)
    wrapped = [(j, k) for j, k in enumerate(keys) if k in sheet.wrap]
    n = 0
    for rec in itertools.chain(sample, it):
        level = sheet.highlight(rec) if sheet.highlight else None
        fill = styles.fills.get(level) if level else None
        bold = bool(sheet.bold_key) and rec.get(sheet.bold_key or "") in (True, "total")
        values = [_value(k, rec.get(k)) for k in keys]
        if wrapped:
            lines = max(_lines(values[j], widths[j]) for j, _ in wrapped)
            if lines > 1:
                ws.row_dimensions[header_row + n + 1].height = LINE_HEIGHT * lines + 3
        # Only the long-text columns wrap: a code or an ID never breaks across lines.
        ws.append([_cell(ws, v, styles, fill=fill if sheet.highlight_keys is None or k in sheet.highlight_keys else None,
                         bold=bold, date=k in sheet.date_keys,
                         align=(styles.wrap if k in sheet.wrap else styles.top_only) if wrapped else None)
                   for k, v in zip(keys, values, strict=True)])
        n += 1
        bar.advance()
    last = n + header_row
    if ncols:
        ws.auto_filter.ref = f"A{header_row}:{last_letter}{max(last, header_row)}"
    for j, k in enumerate(keys, start=1):
        if k in sheet.choices:
            letter = get_column_letter(j)
            dv = DataValidation(type="list", formula1='"' + ",".join(sheet.choices[k]) + '"', allow_blank=True)
            dv.error = "请从下拉列表中选择"
            ws.data_validations.append(dv)
            dv.add(f"{letter}{header_row + 1}:{letter}{max(last, 1000)}")
    if sheet.note:
        ws.append([])
        c = WriteOnlyCell(ws, value=sheet.note)
        c.font = styles.note_font
        c.alignment = styles.top
        ws.merged_cells.add(f"A{last + 2}:{last_letter}{last + 2}")
        ws.row_dimensions[last + 2].height = LINE_HEIGHT * _lines(sheet.note, table_width) + 2
        ws.append([c])
    return n


def write(target: Path | BinaryIO, sheets: Sequence[Sheet], book: Book | None = None, *,
          progress_label: str = "写入工作簿") -> int:
    """Stream `sheets` into an XLSX at `target` (a path or a binary file); the number of data rows.

    With a `book`, the document properties carry the title, scope and creator.
    """
    try:
        return _write(target, sheets, book, progress_label)
    except Exception as exc:
        # openpyxl streams each sheet through lxml into a temporary file: a full disk there is
        # lxml's SerialisationError (IO_ENOSPC, IO_EFBIG), not an OSError.
        if type(exc).__name__ != "SerialisationError":
            raise

        code = next((getattr(errno, n) for n in ("ENOSPC", "EFBIG", "EDQUOT") if n in str(exc)), errno.EIO)
        raise _full(code) from None


def _full(code: int | None) -> InputError:
    return InputError(f"无法写入工作簿:{os_reason(OSError(code, ''))}(包括系统临时目录中的暂存文件)")


def _write(target: Path | BinaryIO, sheets: Sequence[Sheet], book: Book | None, progress_label: str) -> int:
    # openpyxl takes 0.2 s to load: CSV exports and trend import this module without writing a workbook
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    if book is not None:
        wb.properties.title = printable(book.title)
        wb.properties.subject = printable(book.scope)
        wb.properties.description = printable(" ".join(book.heading()))
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


def to_bytes(sheets: Sequence[Sheet], book: Book | None = None) -> bytes:
    buf = io.BytesIO()
    write(buf, sheets, book)
    return buf.getvalue()


def to_file(path: Path, sheets: Sequence[Sheet], book: Book | None = None, *, progress_label: str = "写入工作簿") -> int:
    """Write to a temporary file beside `path` and move it into place: no half-written workbook."""
    with replacing(path) as tmp:
        return write(tmp, sheets, book, progress_label=progress_label)
