"""Rows → text: rich table, markdown/plain (tabulate, wide-char aware), CSV, JSON.

Every report is a list of records (plain dicts with stable English keys, see docs/json.md) and a
list of columns (key, Chinese label). JSON keys may be added, never removed or renamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterable, Sequence

from zhiben import terms
from zhiben.errors import InputError

FORMATS = ("table", "markdown", "plain", "csv", "json")

Column = tuple[str, str]
NO_WRAP = {"period", "period_label", "due", "done_on", "days_overdue", "days_left", "credit_code"}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"未知的输出格式“{fmt}”;可用:{'、'.join(FORMATS)}")
    return fmt


def _cell(value) -> str:
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


def display_value(key: str, value):
    """Human-facing form of a record value (codes → Chinese)."""
    if key == "plan":
        return terms.PLAN_NAMES.get(value, value)
    if key in ("subject_kind", "responsible"):
        return terms.SUBJECT_NAMES.get(value, value)
    if key == "status":
        return terms.STATUS_NAMES.get(value, value)
    return value


def guard_csv(text: str) -> str:
    """OWASP CSV-injection guard: a leading = + - @ tab or CR makes spreadsheets run a formula."""
    if text and text[0] in terms.FORMULA_CHARS:
        return "'" + text
    return text


def _json_default(o):
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(type(o))


def to_json(records: Sequence[dict] | dict) -> str:
    return "".join(json_pieces(records))


def json_pieces(records: Iterable[dict] | dict, *, chunk: int = 2000):
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


def to_csv(records: Iterable[dict], columns: Sequence[Column], *, bom: bool = False) -> str:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([label for _, label in columns])
    for r in records:
        w.writerow([guard_csv(_cell(display_value(k, r.get(k)))) for k, _ in columns])
    return buf.getvalue()


def to_markdown(records: Sequence[dict], columns: Sequence[Column], *, fmt: str = "github") -> str:
    from tabulate import tabulate

    rows = [[_cell(display_value(k, r.get(k))) for k, _ in columns] for r in records]
    return tabulate(rows, headers=[label for _, label in columns], tablefmt=fmt, disable_numparse=True)


def rich_table(records: Sequence[dict], columns: Sequence[Column], *, title: str | None = None):
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    # A column empty on every row (no enterprise in the list: no credit codes) only costs width.
    columns = [(k, label) for k, label in columns if any(r.get(k) not in (None, "") for r in records)]
    for key, label in columns:
        # Codes, dates and counts read wrong when folded ("2025-0/3"); only free text may wrap.
        table.add_column(label, overflow="fold", no_wrap=key in NO_WRAP, min_width=None if key in NO_WRAP else 4)
    for r in records:
        cells = []
        for k, _ in columns:
            text = _cell(display_value(k, r.get(k)))
            if k == "days_overdue" and r.get(k) is not None:
                days = r[k]
                style = "bold red" if days > 90 else "red" if days > 30 else "yellow"
                text = f"[{style}]{text}[/]"
            elif k == "days_left" and r.get(k) is not None and r[k] <= 7:
                text = f"[yellow]{text}[/]"
            cells.append(text)
        table.add_row(*cells)
    return table


def emit(records: Sequence[dict], columns: Sequence[Column], fmt: str, *, title: str | None = None,
         empty: str = "没有符合条件的记录") -> None:
    """Print records to stdout in `fmt`."""
    import sys

    check_format(fmt)
    if fmt == "json":
        for piece in json_pieces(records):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif fmt == "csv":
        write_bytes_text([to_csv(records, columns, bom=True)])
    elif fmt in ("markdown", "plain"):
        if not records:
            sys.stdout.write(empty + "\n")
            return
        sys.stdout.write(to_markdown(records, columns, fmt="github" if fmt == "markdown" else "plain") + "\n")
    else:
        from rich.console import Console

        console = Console()
        if not records:
            console.print(empty)
            return
        console.print(rich_table(records, columns, title=title))


def write_lines(lines: Iterable[str], *, batch: int = 500) -> None:
    """Write lines to stdout as they come, a batch per write call (a million rows never wait in memory)."""
    import sys

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
    import sys

    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    for piece in pieces:
        if raw is None:
            sys.stdout.write(piece)
        else:
            raw.write(piece.encode("utf-8"))
    if raw is not None:
        raw.flush()
