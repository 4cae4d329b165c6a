"""Bounds on what users type and the files they give us, and the characters text may hold.

Real values are far below these (the longest enterprise name in Liaocheng's registers is under 40
characters, a register of every enterprise in the city is a few thousand rows and under 2 MB). A
value or file beyond them is a mistake (a pasted document, the wrong file, a damaged export) that
would otherwise pad every report row or exhaust memory, so it is refused with a clear line.

Control characters (C0, C1) and bidirectional overrides are refused in every text field: stored,
they would later drive the terminal (colours, window titles) or reorder what a reader sees.
"""

from __future__ import annotations

import re

from zhiben.errors import InputError

# Characters per kind of field: one bound per kind, whichever command or file the value comes from.
FIELDS = {
    "name": ("企业名称", 100),
    "park": ("园区名称", 100),
    "contact": ("联系人", 100),
    "email": ("邮箱", 254),
    "tags": ("标签", 500),
    "credit_code": ("统一社会信用代码", 100),
    "county": ("县区", 100),
    "sector": ("行业", 100),
    "risk": ("风险等级", 100),
    "evidence": ("佐证材料", 2000),
    "reason": ("原因", 2000),
    "note": ("备注", 2000),
    "by": ("记录人", 100),
}
# Multi-line fields: a cell typed with Alt+Enter in Excel keeps its line breaks and tabs.
MULTILINE = {"evidence", "reason", "note"}
# Error messages quote at most this many characters of a bad value.
QUOTED = 40

# Files read as a whole, by kind. Registers and status sheets (CSV/XLSX):
MAX_FILE_BYTES = 50 * 1024 * 1024
# Text lists (holiday calendars, enterprise code lists) and TOML (catalogue, config): the packaged
# catalogue is under 200 KB; a calendar is a few hundred lines.
MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024
MAX_TOML_BYTES = 5 * 1024 * 1024
# TOML nesting: the catalogue is 3 levels deep; Python's TOML reader recurses per level.
MAX_TOML_DEPTH = 20
# An .xlsx is a zip: its unpacked size is what memory must hold (a tiny file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# A member that unpacks to more than this many times its packed size is a zip bomb, not a sheet or
# evidence file (real sheets compress 5–20×, a sheet of one repeated value about 100×; photos and
# PDFs barely compress).
MAX_DEFLATE_RATIO = 300
MAX_ROWS = 200_000
# Cells in one spreadsheet row (Excel's own limit is 16,384 columns; registers use about 15).
MAX_COLUMNS = 16_384
# Error lists print this many problems and a count of the rest.
SHOWN_PROBLEMS = 50

# C0 and C1 controls, DEL, bidirectional embeddings/overrides/isolates and marks, line/paragraph
# separators. Tab, line feed and carriage return are matched separately (allowed in MULTILINE).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n\r]")


def control_in(text: str, *, multiline: bool = False) -> str | None:
    """The first forbidden character in `text` (as U+XXXX), or None."""
    m = _CONTROLS.search(text) or (None if multiline else _BREAKS.search(text))
    return None if m is None else f"U+{ord(m.group()):04X}"


def quote(value: object, limit: int = QUOTED) -> str:
    """A user's value for an error message: at most `limit` characters, controls made visible."""
    text = printable(str(value))
    return text if len(text) <= limit else f"{text[:limit]}…(共 {len(text)} 个字符)"


def printable(text: str) -> str:
    """`text` with controls and bidi overrides shown as \\x1b / \\u202e: safe to print or save anyway
    (values stored before the door checked them, or read from a file we only report on)."""
    if text.isprintable() or not (_CONTROLS.search(text) or _BREAKS.search(text)):  # the first test is C-fast
        return text
    return _BREAKS.sub(" ", _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text))


_QUOTED = re.compile("“([^”]{%d,})”" % (QUOTED + 1))


def for_terminal(line: str) -> str:
    """A message line as printed: controls made visible, every quoted value cut to QUOTED characters
    (a pasted document in an option must not come back as a 60 KB error)."""
    return printable(_QUOTED.sub(_requote, line))


def _requote(m: re.Match) -> str:
    text = m.group(1)
    if len(text) <= QUOTED + 1 and text.endswith("…") or _CUT.search(text):
        return m.group(0)  # already cut by whoever raised it
    return f"“{quote(text)}”"


_CUT = re.compile(r"…\(共 \d+ 个字符\)$")


def problem(field: str, value: str | None) -> str | None:
    """The problem with `value` for `field` (too long, or a control character), or None."""
    label, limit = FIELDS[field]
    if value is None:
        return None
    if len(value) > limit:
        return f"{label}过长({len(value)} 个字符,最多 {limit} 个)"
    if (bad := control_in(value, multiline=field in MULTILINE)) is not None:
        return f"{label}含有控制字符 {bad}(如颜色、换行或从右到左等不可见字符):“{quote(value)}”;请删除后重试"
    return None


def check(**values: str | None) -> None:
    """Raise InputError for the first value beyond its field's bound (keyword = field name)."""
    check_at("", **values)


def check_at(where: str, **values: str | None) -> None:
    """Like check, the message prefixed with where the value came from (file:row)."""
    for field, value in values.items():
        if (why := problem(field, value)) is not None:
            raise InputError(f"{where}: {why}" if where else why)


def check_argument(option: str, value: str) -> None:
    """The door for every command-line value: no control characters or bidi overrides. (Lengths
    are each field's own bound; a long value is quoted short by for_terminal.)"""
    if (bad := control_in(value)) is not None:
        where = f"{option} 的值" if option.startswith("-") else f"{option}"
        raise InputError(f"{where}含有控制字符 {bad}(如颜色、换行或从右到左等不可见字符):“{value}”;"
                         "请删除后重试")


def is_bomb(unpacked: int, packed: int) -> bool:
    """A ZIP member (a sheet, a photo, a document) that unpacks far beyond what its kind compresses to."""
    return unpacked > 1024 * 1024 and unpacked > MAX_DEFLATE_RATIO * max(packed, 1)


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
