"""zhiben calendar add / import / show / remove: the bureau's holiday calendar."""

from __future__ import annotations

import typer

from zhiben.cli import common

app = typer.Typer(help="节假日日历:补充法定节假日和调休(优先于程序自带数据,用于按工作日计算的期限)。",
                  no_args_is_help=True, rich_markup_mode=None)


@app.command("add")
def add(
    ctx: typer.Context,
    day: str = typer.Argument(..., metavar="日期", help="日期,如 2027-01-01"),
    kind: str = typer.Argument(..., metavar="类型", help="holiday(放假)或 workday(调休上班)"),
    note: str = typer.Option(None, "--note", help="备注,如 元旦"),
):
    """登记一天放假或调休上班;按工作日计算的期限随即重新计算。"""
    from zhiben.tracking import events, holidays

    date = common.parse_date(day, "日期")
    workday = holidays.kind_of(kind)
    with common.session(ctx) as s:
        holidays.add(s, date, workday, note)
        events.rederive_everything(s)
    typer.echo(f"已登记:{date} {'调休上班' if workday else '放假'}" + (f"({note})" if note else ""))


@app.command("remove")
def remove(ctx: typer.Context, day: str = typer.Argument(..., metavar="日期", help="日期")):
    """删除一天的登记(恢复程序自带数据或按周末计算)。"""
    from zhiben.tracking import events, holidays

    date = common.parse_date(day, "日期")
    with common.session(ctx) as s:
        found = holidays.remove(s, date)
        if found:
            events.rederive_everything(s)
    typer.echo(f"已删除 {date} 的登记" if found else f"{date} 没有登记")


@app.command("import")
def import_(ctx: typer.Context, file: str = typer.Argument(..., metavar="文件",
                                                          help="文本或 CSV 文件,每行“日期,类型[,备注]”")):
    """从文件导入节假日安排(每行:日期,holiday|workday[,备注]);全部有效才导入。"""
    from zhiben.inputs import files
    from zhiben.tracking import events, holidays

    data = files.read_bytes(file, what="节假日文件")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    with common.session(ctx) as s:
        n = holidays.import_lines(s, text.splitlines(), file)
        events.rederive_everything(s)
    typer.echo(f"已导入 {n} 天")


@app.command("show")
def show(ctx: typer.Context, year: int = typer.Argument(..., metavar="年份", min=2000, max=2100, help="年份,如 2027")):
    """显示某年的节假日数据来源和登记的日期。"""
    from zhiben.outputs import tables
    from zhiben.outputs import terminal as render
    from zhiben.outputs.lines import wrap
    from zhiben.tracking import holidays

    with common.session(ctx) as s:
        days = [{"day": h.day, "kind": "调休上班" if h.workday else "放假", "note": h.note}
                for h in holidays.year_days(s, year)]
        packaged = holidays.package_covers(year)
    width = render.screen()
    if days:
        head = f"{year} 年:按本数据库登记的 {len(days)} 天计算(未登记的日子周一至周五上班)"
        render.write_lines([*wrap(head, width), *render.table(days, tables.HOLIDAYS, width=width)])
    elif packaged:
        typer.echo(f"{year} 年:使用程序自带的节假日数据(chinesecalendar)")
    else:
        render.write_lines(wrap(f"{year} 年:没有节假日数据,按周一至周五上班估算(期限标注“按周末估算”);"
                                f"可用 zhiben calendar add 或 zhiben calendar import 补充", width))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="calendar")
