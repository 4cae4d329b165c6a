"""Reading one worksheet of an .xlsx safely: a tiny hostile file must not exhaust memory or time.

An .xlsx is a zip of XML. Three things can make a small file huge, and each is refused before
openpyxl builds anything: members that unpack far beyond their packed size (zip bombs, by deflate
ratio and total), sheets with too many rows or too many cells in a row (counted in the raw XML, not
trusted from the optional <dimension>), and row numbers far past any register (openpyxl fills the
gap up to them). Then only the wanted columns are read, and blank rows are never kept.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from zhiben.errors import ImportFileError
from zhiben.inputs import limits

# `track(iterable, description, total)`: the caller's progress bar around a row loop.
# openpyxl's read-only workbook and sheets are typed Any: their stubs do not cover read-only mode.
Track = Callable[..., Iterable[Any]]

# Tags with an optional namespace prefix (some generators write <x:row>, <x:c>).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c[\s>/]")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row\s[^>]*?\br\s*=\s*[\"'](\d+)")
# Every padded cell kept in memory costs a pointer: rows × read columns stays below this.
MAX_CELLS = 5_000_000
# A header is looked for in this many first non-blank rows; its last wanted column bounds every row.
HEADER_ROWS = 10
DAMAGED = "无法读取 Excel 文件({}),请确认文件未损坏"


def _refuse(where: str, why: str, bound: str = "") -> ImportFileError:
    return ImportFileError(f"{where}: {why},远超任何名册{bound};请确认选对了文件(未导入任何数据)")


def check(z: zipfile.ZipFile, where: str) -> int:
    """Refuse a bomb before opening the workbook; the largest sheet's row count (for progress)."""
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNPACKED_BYTES:
        raise _refuse(where, f"Excel 文件解压后有 {limits.megabytes(total)}",
                      f"(上限 {limits.megabytes(limits.MAX_UNPACKED_BYTES)})")
    for info in infos:
        if limits.is_bomb(info.file_size, info.compress_size):
            raise _refuse(where, f"Excel 文件中的 {info.filename[:60]} 压缩比异常"
                                 f"({limits.megabytes(info.compress_size)} 解压为 {limits.megabytes(info.file_size)})")
    rows = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            rows = max(rows, _scan(z, info, where))
    return rows


def _scan(z: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> int:
    """Rows in a sheet's XML; refuses too many rows, a row number past the bound, or a row with
    more cells than Excel allows (openpyxl holds one whole row of cells at a time)."""
    rows = cells = widest = highest = 0
    carry = b""
    with z.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            block = carry + chunk
            # A tag never straddles the cut: it is made before the last "<" unless that one is
            # followed by enough bytes to hold any tag name counted here.
            cut = len(block) if not chunk else block.rfind(b"<")
            if cut < 0 or cut < len(block) - 64:
                cut = len(block)
            part, carry = block[:cut], block[cut:]
            segments = _ROW.split(part)
            cells += len(_CELL.findall(segments[0]))
            for seg in segments[1:]:
                widest, cells = max(widest, cells), len(_CELL.findall(seg))
            rows += len(segments) - 1
            numbers = _ROW_NUMBER.findall(part)
            if numbers:
                highest = max(highest, max(int(n) for n in numbers))
            if rows > limits.MAX_ROWS or highest > limits.MAX_ROWS:
                raise _refuse(where, f"行数超过 {limits.MAX_ROWS:,} 行")
            if max(widest, cells) > limits.MAX_COLUMNS:
                raise _refuse(where, f"工作表一行超过 {limits.MAX_COLUMNS:,} 个单元格")
            if not chunk:
                return rows


def rows(data: bytes, where: str, *, track: Track | None = None, pick: Callable[[list], bool] | None = None,
         wanted: Callable[[str], bool] | None = None, sheet: str | None = None) -> tuple[str, list[tuple[int, list]]]:
    """(the sheet's name, its non-blank rows as (row number, values)), only the wanted columns."""
    from openpyxl import load_workbook  # 0.2 s to load: a CSV register does without it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = check(z, where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"{where}: {DAMAGED.format(type(exc).__name__)}") from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile's, openpyxl's own InvalidFileException and friends, XML errors
        raise ImportFileError(f"{where}: {DAMAGED.format(type(exc).__name__)}") from None
    try:
        ws = choose(wb, where, pick, sheet)
        ws.reset_dimensions()  # the declared <dimension> is neither trusted nor used to pad rows
        try:
            width = _width(ws, wanted)
            if width * max(total, 1) > MAX_CELLS:
                raise _refuse(where, f"工作表有 {total:,} 行、{width:,} 列")
            return ws.title, _read(ws, width, where, track, total)
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged cell reference or value inside the sheet XML
            raise ImportFileError(f"{where}: {DAMAGED.format(type(exc).__name__)}") from None
    finally:
        wb.close()


def choose(wb: Any, where: str, pick: Callable[[list], bool] | None, name: str | None) -> Any:
    """The sheet named `name`; else among visible sheets the one `pick` accepts (refusing several),
    else the active one. A hidden sheet is read only when named."""
    if name is not None:
        for ws in wb.worksheets:
            if ws.title == name:
                return ws
        names = "、".join(f"“{ws.title}”" for ws in wb.worksheets)
        raise ImportFileError(f"{where}: 没有名为“{limits.quote(name)}”的工作表;有:{names}")
    visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    active = wb.active if wb.active in visible else (visible[0] if visible else wb.worksheets[0])
    if pick is None:
        return active
    fitting = [ws for ws in visible if pick(list(next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())))]
    if len(fitting) > 1:
        names = "、".join(f"“{ws.title}”" for ws in fitting)
        raise ImportFileError(f"{where}: 有 {len(fitting)} 个工作表都像填报模板({names}),不知道该读哪一个;"
                              f"请用 --sheet 指定,如 --sheet {fitting[0].title}")
    return fitting[0] if fitting else active


def _width(ws: Any, wanted: Callable[[str], bool] | None) -> int:
    """Columns to read: up to the last wanted header cell in the first rows (all of them without
    `wanted`, still bounded by the per-row cell count checked above)."""
    width = any_width = seen = 0
    for row in ws.iter_rows(values_only=True):
        cells = ["" if c is None else str(c).strip() for c in row]
        filled = [i + 1 for i, c in enumerate(cells) if c]
        if not filled:
            continue
        any_width = max(any_width, filled[-1])
        marks = [i for i in filled if wanted is None or wanted(cells[i - 1].lstrip("\ufeff"))]
        width = max([width, *marks])
        seen += 1
        if seen >= HEADER_ROWS:
            break
    return width or any_width  # no wanted header: read it all, so the caller can name what is missing


def _read(ws: Any, width: int, where: str, track: Track | None, total: int) -> list[tuple[int, list]]:
    if width == 0:
        return []
    # min_row=1 keeps Excel's numbering; openpyxl yields one shared blank tuple per gap, never kept.
    rows_in = ws.iter_rows(min_row=1, max_col=width, values_only=True)
    if track is not None:
        rows_in = track(rows_in, f"读取 {Path(where).name}", total=total)
    kept = []
    for n, row in enumerate(rows_in, start=1):
        if n > limits.MAX_ROWS:
            raise _refuse(where, f"行数超过 {limits.MAX_ROWS:,} 行")
        if any(v is not None and v != "" for v in row):
            kept.append((n, list(row)))
    return kept
