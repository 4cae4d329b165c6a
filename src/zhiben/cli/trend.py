"""zhiben trend: better or worse than last time, per county (plan, milestone), at a series of dates."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common
from zhiben.cli.reports import County, Fmt, Mid, Plan, effective_note, filters_for
from zhiben.errors import InputError
from zhiben.outputs import exports, workbooks, xlsx
from zhiben.outputs import terminal as render
from zhiben.outputs import trend_view as view
from zhiben.reports import trend as trends


def trend(ctx: typer.Context,
          by: str = typer.Option("county", "--by", metavar="<分组>", help="分组:county(县区)|plan(方案)|milestone(事项)"),
          every: str = typer.Option("month", "--every", metavar="<间隔>", help="日期间隔:week(每周)|month(每月)"),
          start: str = typer.Option(None, "--from", metavar="<日期>", help="最早的日期(默认 --to 之前 6 个月)"),
          end: str = typer.Option(None, "--to", metavar="<日期>", help="最近的日期(默认今天)"),
          measure: str = typer.Option("逾期率", "--measure", metavar="<指标>",
                                      help="终端上显示的指标:逾期率|按期完成率|已到期|逾期(csv/json/xlsx 含全部指标)"),
          plan: str = Plan, county: str = County, milestone_id: str = Mid, fmt: str = Fmt,
          out: Path = typer.Option(None, "--out", "-o", metavar="<文件>", help="写入 .xlsx/.csv/.json 文件"),
          force: bool = common.Force) -> None:
    """趋势:各县区(方案、事项)在一串日期上的逾期率、按期完成率、已到期和逾期,每个数字与该日期的 progress --as-of 相同。"""
    render.check_format(fmt)
    key = view.measure_of(measure)
    step = trends.every_of(every)
    common.choice(by, trends.BY, "分组方式")
    last = common.as_of(end)
    first = common.parse_date(start, "--from") if start else None
    days = trends.dates(first, last, step)
    kind = None
    if out is not None:
        if out.suffix.lower() not in (".xlsx", ".csv", ".json"):
            raise InputError(f"趋势只能写入 .xlsx、.csv 或 .json 文件,不能写“{out.name[:40]}”")
        common.output_file(out, force)
        kind = exports.format_for(out, None)
    with common.reader(ctx) as s:
        f = filters_for(s, plan=plan, county=county, milestone_id=milestone_id)
        t = trends.trend(s, f, days, by, step)
        since = effective_note(s)
        book = workbooks.book(s, f"{view.GROUP_LABEL[by]}趋势", county or "全市", last) if kind == "xlsx" else None
    if out is not None:
        if book is not None:
            xlsx.to_file(out, view.workbook(t, book), book)
        elif kind == "csv":
            exports.write_csv(out, view.long_records(t), view.LONG_COLUMNS)
        else:
            exports.write_json(out, t.records())
        typer.echo(f"已写入 {out}({len(t.series)} 组 × {len(days)} 个日期)")
        return
    if fmt == "json":
        render.write_lines(render.json_pieces(t.records()), batch=1)
        return
    if fmt == "csv":
        render.write_bytes_text(render.csv_lines(view.long_records(t), view.LONG_COLUMNS))
        return
    if not t.series:
        typer.echo("没有符合条件的记录")
        return
    width = render.screen() if fmt == "table" else None
    tty = width is not None
    render.write_lines(view.terminal(t, key, since, width=width, tty=tty, fmt=fmt))


def register(parent: typer.Typer) -> None:
    parent.command("trend")(trend)
