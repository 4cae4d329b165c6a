"""An overdue or upcoming listing (reports/listing.py) written to stdout in the format asked for:
JSON and CSV streamed row by row, the summary by item (default) or the detail lines fitted to the
terminal, full width when piped."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator

from zhiben.outputs import report_view as view
from zhiben.outputs import terminal as render
from zhiben.reports import summary as summ
from zhiben.reports.listing import Listing

# A city-wide --detail is some 100,000 rows: on a terminal it stops after a screenful and says how
# many there are; into a file or a pipe it is written in full.
TERMINAL_DETAIL_ROWS = 50


def capped(records: Iterable[dict], limit: int) -> tuple[Iterator[dict], Callable[[], int]]:
    """(the first `limit` records, a function counting the rest once those have been consumed)."""
    it = iter(records)
    return itertools.islice(it, limit), lambda: sum(1 for _ in it)


def _note(text: str) -> None:
    sys.stdout.flush()
    print(text, file=sys.stderr, flush=True)


def _records(x: Listing, fmt: str, group: bool, limit: int | None) -> None:
    records: Iterable[dict]
    if group:
        records = summ.group_records(x.summary())
        cols = view.group_columns(x.kind, plain=True)
    else:
        records = x.records
        cols = view.detail_columns(x.kind)
    rest = None
    if limit is not None:
        records, rest = capped(records, limit)
    if fmt == "json":
        for piece in render.json_pieces(records):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    else:
        render.write_bytes_text(render.csv_lines(records, cols))
    if rest is not None and (n := rest()):
        _note(f"另有 {n:,} 项未显示")


def _detail(x: Listing, v: view.View, everything: bool) -> None:
    it = iter(x.records)
    first = list(itertools.islice(it, 1))
    if not first:
        print(x.empty, flush=True)
        return
    if v.tty and v.limit is None and not everything:
        v.limit = TERMINAL_DETAIL_ROWS
    counted = itertools.count()
    records = (r for r in itertools.chain(first, it) if next(counted) >= 0)
    render.write_lines(view.table_lines(records, view.detail_columns(x.kind), v))
    if v.tty:  # a terminal listing always ends with its total
        total = next(counted)
        more = "" if v.limit is None or total <= v.limit else ";全部列出:--limit 0,或输出到文件、管道(如 | less)"
        print(f"共 {total:,} 项{more}", flush=True)


def emit(x: Listing, fmt: str, *, detail: bool, group: bool, limit: int | None, width: int | None) -> None:
    """`limit` 0 lists everything (also on a terminal), None the default; `width` None when piped."""
    everything, limit = limit == 0, limit or None
    if fmt in ("json", "csv"):
        _records(x, fmt, group, limit)
        return
    tty = width is not None
    v = view.View(x.kind, "plain" if fmt == "table" and not tty else fmt, width=width, tty=tty, limit=limit,
                  hide=x.hidden)
    if detail:
        _detail(x, v, everything)
        return
    summary = x.summary()
    if not summary:
        print(x.empty, flush=True)
        return
    hint = [f"逐个责任主体、逐个周期列出:zhiben {x.kind} --detail",
            "缩小范围:--id 编号、--county 县区简称、--limit 行数", "按县区通报:zhiben progress --by county"]
    render.write_lines(view.summary_lines(summary, x.title, hint, v, note=x.since))
