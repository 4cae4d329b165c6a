"""Records → files people open: CSV (Excel-safe) and JSON; the file-format choice and reminder days.

CSV reuses render.to_csv (BOM + OWASP guard). Workbooks are written by outputs/xlsx.py and
assembled by outputs/workbooks.py; the calendar is calendar.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from zhiben.errors import InputError
from zhiben.inputs.files import replacing, write_target
from zhiben.outputs import progress
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


def _atomic(path: Path, write: Callable[[TextIO], int]) -> int:
    """Run `write(file)` on a temporary file beside `path`, then move it into place."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        return write(fh)


def write_csv(path: Path, records: Iterable[dict], columns: Sequence[render.Column],
              progress_label: str = "导出 CSV") -> int:
    """Stream records to a CSV file through the one CSV writer (render.csv_lines: BOM, labels, formula
    guard, as on stdout); the row count."""
    def write(fh: TextIO) -> int:
        n = 0

        def counted() -> Iterator[dict]:
            nonlocal n
            for r in progress.track(records, progress_label):
                n += 1
                yield r

        for piece in render.csv_lines(counted(), columns):
            fh.write(piece)
        return n

    return _atomic(path, write)


def write_json(path: Path, records: Iterable[dict]) -> int:
    def write(fh: TextIO) -> int:
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


def json_bytes(records: Sequence[dict] | dict) -> bytes:
    return (render.to_json(records) + "\n").encode("utf-8")
