"""Spreadsheet files (.csv, .xlsx) → numbered rows of cells, with Chinese errors.

CSV files from Excel on Chinese Windows are GB18030/GBK, newer ones UTF-8 (often with a BOM);
the encoding is detected, never asked for. Row numbers are the ones Excel shows (first row = 1),
so problems can be reported as file:row:column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zhiben.errors import ImportFileError
from zhiben.inputs import limits, xlsx
from zhiben.inputs.files import read_bytes
from zhiben.inputs.xlsx import Track

SAVE_AS_HINT = "请在 Excel 中“另存为”“CSV UTF-8(逗号分隔)”或 .xlsx 后重试"


@dataclass
class Table:
    where: str  # the path as the user gave it, for messages
    rows: list[tuple[int, list]]  # (spreadsheet row number, raw cell values); blank rows left out
    encoding: str | None = None  # CSV only
    sheet: str | None = None  # XLSX only: the worksheet read


SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


def read(path: str | Path, track: Track | None = None, pick: Callable[[list], bool] | None = None, *,
         wanted: Callable[[str], bool] | None = None, sheet: str | None = None) -> Table:
    """`track(iterable, description, total)` may wrap the row loop (the CLI passes a progress bar).

    In a workbook, the sheet named `sheet`, else the active one; `pick(first_row)` says which sheets
    look like the expected table (several visible ones are refused: which is current is a guess).
    `wanted(header text)` says which columns matter: cells right of the last wanted header (within
    the first xlsx.HEADER_ROWS rows) are never read, so a sheet claiming 16,384 columns costs nothing.
    """
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if os.path.isdir(path):  # never raises (a name too long for the file system is read_bytes' to report)
        raise ImportFileError(f"{where} 是目录,不是文件")
    if suffix == ".xls":
        raise ImportFileError(f"{where}: 不支持旧版 Excel(.xls)格式,请在 Excel 中另存为 .xlsx 或 CSV 后重试")
    if suffix not in SUFFIXES:
        raise ImportFileError(f"{where}: 不支持的文件类型“{path.suffix or '无扩展名'}”,请使用 .csv 或 .xlsx")
    data = read_bytes(path, kind="名册或填报表")
    if data.startswith(b"PK\x03\x04"):
        name, rows = xlsx.rows(data, where, track=track, pick=pick, wanted=wanted, sheet=sheet)
        return Table(where, rows, sheet=name)
    if suffix in (".xlsx", ".xlsm"):
        raise ImportFileError(f"{where}: 不是有效的 Excel(.xlsx)文件,可能已损坏或只是改了扩展名")
    if sheet is not None:
        raise ImportFileError(f"{where}: 是 CSV 文件,没有工作表;请去掉 --sheet")
    # Refused before decoding and parsing: counting line ends is cheap, parsing is not.
    check_rows(data.count(b"\n") - 1, where)
    text, encoding = decode(data, where)
    rows = _csv_rows(text, where)
    check_rows(len(rows), where)
    return Table(where, rows, encoding)


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Text and encoding name of a CSV file: UTF-8 (with or without BOM) or GB18030."""
    unknown = f"{where}: 无法识别文件编码(既不是 UTF-8 也不是 GB18030/GBK),{SAVE_AS_HINT}"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(f"{where}: 文件是 UTF-16 编码(Excel 的“Unicode 文本”),{SAVE_AS_HINT}")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError(unknown) from None
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"{where}: 不是文本文件,{SAVE_AS_HINT}")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(unknown) from None
    if not _plausible_chinese(text):
        raise ImportFileError(unknown)
    return text, "gb18030"


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any bytes; Latin-1 or binary data turns into rare characters.

    Real registers are mostly GB2312 characters (county names, common words); bytes from other
    encodings land in GBK's extension rows or the private use area instead.
    """
    wide = Counter({c: n for c, n in Counter(text).items() if ord(c) > 0x7F})
    if not wide:
        return True
    common = 0
    for c, n in wide.items():
        if unicodedata.category(c) in ("Co", "Cn", "Cc"):
            return False
        try:
            c.encode("gb2312")
            common += n
        except UnicodeEncodeError:
            pass
    return common * 2 >= wide.total()


def _csv_rows(text: str, where: str) -> list[tuple[int, list]]:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        if "\t" in first:
            delimiter = "\t"
        elif ";" in first:
            delimiter = ";"
    return list(enumerate(csv_table(text, where, delimiter), start=1))


def csv_table(text: str, where: str, delimiter: str = ",") -> list[list[str]]:
    """CSV rows, with a Chinese line for what the csv module reports in English."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise ImportFileError(f"{where}:{line}: 有单元格超过 {csv.field_size_limit()} 个字符,"
                                  "不是正常的表格内容(可能不是名册文件,或引号未配对)") from None
        raise ImportFileError(f"{where}:{line}: CSV 格式错误(引号未配对或含有无法识别的字符),{SAVE_AS_HINT}") from None


def check_rows(n: int, where: str) -> None:
    if n > limits.MAX_ROWS:
        raise ImportFileError(f"{where}: 行数超过 {limits.MAX_ROWS:,} 行,远超任何名册;请确认选对了文件(未导入任何数据)")


def cell_text(value: object) -> str:
    """A raw cell value as the text a user sees in it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
