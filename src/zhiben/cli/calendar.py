"""zhiben calendar add / import / show / remove: the bureau's holiday calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from zhiben.cli import common
from zhiben.inputs import files, limits
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.outputs.lines import wrap
from zhiben.tracking import events, holidays

if TYPE_CHECKING:
    from zhiben.db.engine import Session

app = typer.Typer(help="节假日日历:补充法定节假日和调休(优先于程序自带数据,用于按工作日计算的期限)。",
                  no_args_is_help=True, rich_markup_mode=None)


def _rederive(s: Session) -> str:
    """Rederive every working-day deadline; a clause saying how many moved."""
    moved = events.rederive_everything(s)
    return f";{moved} 个期限随之改变" if moved else ";没有期限因此改变"


@app.command("add")
def add(
    ctx: typer.Context,
    day: str = typer.Argument(..., metavar="日期", help="日期,如 2027-01-01"),
    kind: str = typer.Argument(..., metavar="类型", help="holiday(放假)或 workday(调休上班)"),
    note: str = typer.Option(None, "--note", help="备注,如 元旦"),
) -> None:
    """登记一天放假或调休上班(只改这一天,该年其余日子仍按法定节假日);按工作日计算的期限随即重新计算。"""
    date = common.parse_date(day, "日期")
    workday = holidays.kind_of(kind)
    holidays.check_note(note)
    with common.session(ctx) as s:
        change = holidays.add(s, date, workday, note)
        moved = _rederive(s)
    verb = "已登记" if change.added else "已修改" if change.changed else "未变(已是这样登记)"
    typer.echo(f"{verb}:{date} {holidays.kind_word(workday)}" + (f"({note})" if note else "") + moved)


@app.command("remove")
def remove(ctx: typer.Context, day: str = typer.Argument(..., metavar="日期或年份",
                                                         help="日期;或年份,删除该年全部登记并恢复程序自带数据")) -> None:
    """删除一天的登记(恢复程序自带数据或按周末计算);给出年份时删除该年全部登记。"""
    if day.strip().isdigit() and len(day.strip()) == 4:
        year = int(day)
        with common.session(ctx) as s:
            n = holidays.remove_year(s, year)
            moved = _rederive(s) if n else ""
        typer.echo(f"已删除 {year} 年的 {n} 天登记,恢复程序自带数据{moved}" if n else f"{year} 年没有登记")
        return
    date = common.parse_date(day, "日期")
    with common.session(ctx) as s:
        found = holidays.remove(s, date)
        moved = _rederive(s) if found else ""
    typer.echo(f"已删除 {date} 的登记{moved}" if found else f"{date} 没有登记")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="文件", help="文本或 CSV 文件,每行“日期,类型[,备注]”"),
    replace_year: int = typer.Option(None, "--replace-year", metavar="年份", min=2000, max=2100,
                                     help="文件是该年的完整日历:替换该年全部登记,不再使用程序自带的该年数据"),
) -> None:
    """从文件导入节假日安排(每行:日期,holiday|workday[,备注]);全部有效才导入。

    默认每一天只覆盖这一天(该年其余日子仍按法定节假日);同一天出现两次且类型不同时整份不导入。
    """
    text = files.read_text(file, what="节假日文件", budget=limits.MAX_TEXT_FILE_BYTES, suffixes=(".csv", ".txt"))
    with common.session(ctx) as s:
        change = holidays.import_lines(s, text.splitlines(), file, replace_year=replace_year)
        moved = _rederive(s)
    if replace_year is not None:
        typer.echo(f"已替换 {replace_year} 年的节假日日历:{change.line()};"
                   f"该年改为完全按本数据库登记计算(未登记的日子周一至周五上班){moved}")
    else:
        typer.echo(f"已导入 {len(change.added) + len(change.changed) + change.unchanged} 天:{change.line()}{moved}")


@app.command("show")
def show(ctx: typer.Context, year: int = typer.Argument(..., metavar="年份", min=2000, max=2100, help="年份,如 2027")) -> None:
    """显示某年的节假日数据来源和登记的日期。"""
    with common.session(ctx) as s:
        days = [{"day": h.day, "kind": "调休上班" if h.workday else "放假", "note": h.note}
                for h in holidays.year_days(s, year)]
        replaced = year in holidays.replaced_years(s)
    packaged = holidays.package_covers(year)
    width = render.screen()
    if days:
        head = (f"{year} 年:按本数据库登记的 {len(days)} 天计算(未登记的日子周一至周五上班)" if replaced or not packaged
                else f"{year} 年:使用程序自带的节假日数据(chinesecalendar),以下 {len(days)} 天按本数据库登记")
        render.write_lines([*wrap(head, width), *render.table(days, tables.HOLIDAYS, width=width)])
    elif packaged:
        typer.echo(f"{year} 年:使用程序自带的节假日数据(chinesecalendar)")
    else:
        render.write_lines(wrap(f"{year} 年:没有节假日数据,按周一至周五上班估算(期限标注“按周末估算”);"
                                f"可用 zhiben calendar add 或 zhiben calendar import 补充", width))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="calendar")
