"""`progress` figures (reports/progress.py) written to stdout: the 通报 table by county with the
bureau and the city total apart, the other groupings, a bar chart, JSON, CSV and markdown."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from zhiben.outputs import lines as out_lines
from zhiben.outputs import report_view as view
from zhiben.outputs import terminal as render
from zhiben.reports.progress import Progress

NOTES = ("本级:县级单位自身(含所辖化工园区)的事项;企业:辖区企业的事项。",
         "按期完成率:期限当天及以前完成的比例;排名第 1 为最好。")


def _say(text: str, err: bool = False) -> None:
    sys.stdout.flush()
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _body(p: Progress, shown: list[dict], cols: list[out_lines.Col], rest: int, fmt: str,
          width: int | None) -> Iterator[str]:
    yield p.title
    yield p.since
    yield ""
    if fmt == "markdown":
        yield from out_lines.markdown(shown, cols)
    else:
        # The bureau's own row and the city total stand apart from the ranked counties.
        yield from out_lines.render_sections(
            [[r for r in shown if r.get("scope", "county") == "county"],
             [r for r in shown if r.get("scope") in ("city", "total")]], cols, total=width, tty=width is not None)
    if rest:
        yield f"另有 {rest:,} 项未显示"
    if p.by == "county":
        yield ""
        for note in NOTES:
            yield from [f"- {note}"] if fmt == "markdown" else out_lines.wrap(note, width)


def emit(p: Progress, fmt: str, *, chart: bool, limit: int | None, width: int | None) -> None:
    """`width` None when piped (full width); `limit` rows at most, the rest counted."""
    if chart:
        bars = [r for r in p.records if r.get("scope") != "total"]
        if not bars:
            _say("没有符合条件的记录")
            return
        render.write_lines(render.table(bars, view.chart_columns(p.by), title=f"{p.title}\n{p.since}",
                                        width=render.screen()))
        return
    shown, rest = p.records, 0
    if limit is not None:
        shown, rest = p.records[:limit], max(0, len(p.records) - limit)
    if fmt == "json":
        if p.by == "county":
            # JSON keeps its earlier shape: the bureau's row first, no total row (a program sums itself).
            shown = [r for r in shown if r["scope"] == "city"] + [r for r in shown if r["scope"] == "county"]
        render.write_lines(render.json_pieces(shown), batch=1)
        return
    plain = fmt == "csv"
    cols = view.bulletin_columns(p.ranked, plain=plain) if p.by == "county" else view.progress_columns(p.by, plain=plain)
    if p.evidence:
        cols.append(view.evidence_share_column())
    if fmt == "csv":
        render.write_bytes_text(render.csv_lines(shown, cols))
        if rest:
            _say(f"另有 {rest:,} 项未显示", err=True)
        return
    if not shown:
        _say("没有符合条件的记录")
        return
    render.write_lines(_body(p, shown, cols, rest, fmt, width))
