"""Rows → text: every terminal table, plain and markdown through the one engine (lines.py), one CSV
writer (csv_lines), JSON.

Every report is a list of records (plain dicts with stable English keys, see docs/json.md) and a
list of columns: declared `Col`s (which say what may be abbreviated or dropped to fit a terminal),
or plain (key, Chinese label) pairs. JSON keys may be added, never removed or renamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from zhiben import terms
from zhiben.errors import InputError
from zhiben.outputs.lines import Col, markdown, render, wrap

FORMATS = ("table", "markdown", "plain", "csv", "json")

Column = tuple[str, str]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"未知的输出格式“{fmt}”;可用:{'、'.join(FORMATS)}")
    return fmt


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:g}"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # a stored time shown in local time: say which zone
            offset = value.strftime("%z")
            return value.strftime("%Y-%m-%d %H:%M") + f" {offset[:3]}:{offset[3:]}"
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def display_value(key: str, value: Any) -> Any:
    """Human-facing form of a record value (codes → Chinese)."""
    names = _DISPLAY_NAMES.get(key)
    return names.get(value, value) if names else value


_DISPLAY_NAMES = {"plan": terms.PLAN_NAMES, "subject_kind": terms.SUBJECT_NAMES, "responsible": terms.SUBJECT_NAMES,
                  "status": terms.STATUS_NAMES}


def guard_csv(text: str) -> str:
    """OWASP CSV-injection guard: a leading = + - @ tab or CR makes spreadsheets run a formula."""
    if text and text[0] in terms.FORMULA_CHARS:
        return "'" + text
    return text


def _json_default(o: object) -> str:
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(type(o))


def to_json(records: Sequence[dict] | dict) -> str:
    return "".join(json_pieces(records))


def json_pieces(records: Iterable[dict] | dict, *, chunk: int = 2000) -> Iterator[str]:
    """to_json's text in pieces, consuming `records` a chunk at a time: a report of a million rows
    never sits in memory as one list or one string."""
    if isinstance(records, dict):
        yield json.dumps(records, ensure_ascii=False, indent=2, default=_json_default)
        return
    it = iter(records)
    first = True
    while batch := list(itertools.islice(it, chunk)):
        yield ("[\n  " if first else ",\n  ") + _json_items(batch)
        first = False
    yield "[]" if first else "\n]"


def _json_items(batch: list) -> str:
    """Items laid out exactly as json.dumps(indent=2) lays out a list's items, joined by ",\n  "."""
    if not _flat_records(batch):
        return ",\n  ".join(json.dumps(x, ensure_ascii=False, indent=2, default=_json_default).replace("\n", "\n  ")
                             for x in batch)
    # json uses its C encoder only without `indent`. Encode compactly with NUL as the item
    # separator (never present in encoded strings, which escape control characters), then lay
    # it out exactly as indent=2 would: same bytes, several times faster on big reports.
    text = json.dumps(batch, ensure_ascii=False, separators=("\x00", ": "), default=_json_default)
    body = text[2:-2].replace("}\x00{", "\n  },\n  {\n    ").replace("\x00", ",\n    ")
    return "{\n    " + body + "\n  }"


_SCALARS = {str, int, float, bool, type(None), dt.date, dt.datetime}


def _flat_records(data: list) -> bool:
    """Every item a non-empty dict of scalars (one C-level pass over the value types)."""
    if not all(type(r) is dict and r for r in data):
        return False
    types: set = set()
    for r in data:
        types.update(map(type, r.values()))
    return types <= _SCALARS


def to_csv(records: Iterable[dict], columns: Sequence, *, bom: bool = False) -> str:
    """The whole CSV text (csv_lines, the one CSV writer, joined)."""
    return "".join(csv_lines(records, columns, bom=bom))


def screen() -> int | None:
    """The terminal's width in display columns, or None when stdout is a file or a pipe.

    The one place a command asks: on a terminal every table is fitted to this width, one line per
    row; piped, lines are full width and nothing is cut (tests set it to render at 80 or 120)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def col(key: str, label: str, **how: Any) -> Col:
    """A column showing record[key] as people read it (codes → Chinese, ISO dates, rates as %): what
    _cell(display_value(…)) gives, with text taken as it is (a 5,000-row list is not slower than JSON).
    `how`: Col's fitting fields (right, drop, short, short_label, flex, min_width, style)."""
    names = _DISPLAY_NAMES.get(key)

    def text(r: dict) -> str:
        v = r.get(key)
        if type(v) is str:
            return names.get(v, v) if names else v
        return "" if v is None else _cell(display_value(key, v))
    return Col(key, label, text, **how)


def as_cols(columns: Sequence) -> list[Col]:
    """(key, label) pairs as plain columns; declared Cols as they are."""
    return [c if isinstance(c, Col) else col(c[0], c[1]) for c in columns]


def table(records: Sequence[dict], columns: Sequence, fmt: str = "table", *, title: str | None = None,
          width: int | None = None) -> Iterator[str]:
    """The lines of one table in `fmt` (table | plain | markdown), through the one engine (lines.py).

    table: fitted to `width` (the terminal; None when piped: full width, nothing cut), with its title;
    plain: full width without a title; markdown: a GitHub table, numbers right-aligned."""
    cols = as_cols(columns)
    if fmt == "markdown":
        yield from markdown(records, cols, lookahead=max(1, len(records)))
        return
    total = width if fmt == "table" else None
    if title and fmt == "table":
        for text in title.splitlines():  # a title may carry a second line (方案自 … 起施行)
            yield from wrap(text, total)
    yield from render(records, cols, total=total, tty=total is not None, lookahead=max(1, len(records)))


def emit(records: Sequence[dict], columns: Sequence, fmt: str, *, title: str | None = None,
         empty: str = "没有符合条件的记录") -> None:
    """Print records to stdout in `fmt`: one table engine for the terminal, plain and markdown,
    one CSV writer, JSON as docs/json.md says."""
    check_format(fmt)
    if fmt == "json":
        for piece in json_pieces(records):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif fmt == "csv":
        write_bytes_text(csv_lines(records, as_cols(columns)))
    elif not records:
        sys.stdout.write(empty + "\n")
    else:
        write_lines(table(records, columns, fmt, title=title, width=screen() if fmt == "table" else None))


def write_lines(lines: Iterable[str], *, batch: int = 500) -> None:
    """Write lines to stdout as they come, a batch per write call (a million rows never wait in memory)."""
    out = sys.stdout
    buf: list[str] = []
    for text in lines:
        buf.append(text)
        if len(buf) >= batch:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")


CSV_BOM = "\ufeff"


def csv_lines(records: Iterable[dict], columns: Sequence, *, bom: bool = True) -> Iterable[str]:
    """CSV rows as text, streamed: Chinese headers, labels (never internal keys), guarded cells.

    The BOM is on by default, also on stdout: `zhiben overdue -f csv > 逾期.csv` must open in Excel
    on Chinese Windows, which reads a BOM-less file as GBK. Lines end in CRLF like Excel's own CSV.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")

    def take() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    w.writerow([c.label if hasattr(c, "label") else c[1] for c in columns])
    yield (CSV_BOM if bom else "") + take()
    cells = [c.text if hasattr(c, "text") else (lambda r, k=c[0]: _cell(display_value(k, r.get(k))))
             for c in columns]
    for n, r in enumerate(records, 1):
        w.writerow([guard_csv(f(r)) for f in cells])
        if n % 500 == 0:
            yield take()
    yield take()


def write_bytes_text(pieces: Iterable[str]) -> None:
    """UTF-8 straight to stdout's bytes: no newline translation (CRLF stays CRLF on Windows) and no
    console code page (a GBK console cannot encode the BOM)."""
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    for piece in pieces:
        if raw is None:
            sys.stdout.write(piece)
        else:
            raw.write(piece.encode("utf-8"))
    if raw is not None:
        raw.flush()
