"""zhiben bulletin: the 通报 as a Word document ready to sign, and the issues already circulated."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common, words
from zhiben.cli.reports import County, filters_for
from zhiben.errors import InputError
from zhiben.inputs import limits
from zhiben.outputs import exports, notice_doc, notice_docx, terminal
from zhiben.reports import notice

bulletin_app = typer.Typer(help="通报:按 GB/T 9704 排版的 Word 文件,保存每期印发的数字,较上期对比。",
                           invoke_without_command=True, no_args_is_help=False)

LIST_COLUMNS = [("id", "编号"), ("scope", "范围"), ("issue", "期号"), ("as_of", "截至日期"), ("issued_at", "印发时间"),
                ("issued_by", "印发人"), ("due_so_far", "应完成"), ("overdue", "逾期"), ("overdue_rate", "逾期率")]


@bulletin_app.callback()
def issue(ctx: typer.Context,
          to: Path = typer.Option(None, "--to", metavar="<文件>", help="写入的 Word 文件,如 通报.docx"),
          as_of: str = typer.Option(None, "--as-of", metavar="<日期>", help="通报的截至日期(默认今天)"),
          number: int = typer.Option(None, "--number", metavar="<期号>", help="本年第几期(默认接上一期)"),
          county: str = County,
          requirements: Path = typer.Option(None, "--requirements", metavar="<文件>",
                                            help="“四、下步要求”的原文(UTF-8 文本,至多 20,000 字)"),
          by: str = typer.Option(None, "--by", metavar="<姓名>", help="印发人(默认当前系统用户)"),
          dry_run: bool = typer.Option(False, "--dry-run", help="只显示数字,不登记期号、不保存"),
          force: bool = typer.Option(False, "--force", help="覆盖已存在的输出文件;同一截至日期再印发一期")) -> None:
    """印发通报:--to 通报.docx 写出文件并保存本期数字;--dry-run 只显示。子命令 list、show 查看已印发的通报。"""
    if ctx.invoked_subcommand is not None:
        return

    if to is None and not dry_run:
        raise InputError("请用 --to 通报.docx 指定输出文件,或用 --dry-run 只显示数字")
    if to is not None:
        if to.suffix.lower() != ".docx":
            raise InputError(f"通报写成 Word 文件(.docx),不能写“{to.name[:40]}”")
        common.output_file(to, force)
    day = common.as_of(as_of)
    text = notice.read_requirements(requirements) if requirements is not None else None
    who = by or words.current_user()
    limits.check(by=who)
    with common.session(ctx) as s:
        f = filters_for(s, county=county)
        x = notice.prepare(s, f, day, number=number, requirements=text, issued_by=who, store=not dry_run, force=force)
        if to is not None:
            exports.write_bytes(to, notice_docx.document(x))  # before the commit: no issue stored without its file
    terminal.write_lines(notice_doc.plain(x, width=terminal.screen()))
    if dry_run:
        typer.echo("(--dry-run:未登记期号,未保存" + (f";草稿已写入 {to}" if to else "") + ")", err=True)
    else:
        typer.echo(f"已印发 {x.scope} {x.year}年第{x.number}期通报(编号 {x.ident},截至 {day}),已写入 {to}", err=True)


@bulletin_app.command("list")
def list_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)) -> None:
    """已印发的通报:编号、范围、期号、截至日期、印发时间和人、当时的逾期率。"""
    with common.session(ctx) as s:
        records = notice.issued(s)
    terminal.emit(records, LIST_COLUMNS, fmt, empty="尚未印发通报(zhiben bulletin --to 通报.docx)")


@bulletin_app.command("show")
def show(ctx: typer.Context, ident: int = typer.Argument(..., metavar="编号", help="bulletin list 中的编号"),
         to: Path = typer.Option(None, "--to", metavar="<文件>", help="再次写出该期的 Word 文件"),
         force: bool = common.Force) -> None:
    """按印发时保存的数字再次显示某期通报(不按当前记录重算),可再写出 Word 文件。"""
    if to is not None:
        if to.suffix.lower() != ".docx":
            raise InputError(f"通报写成 Word 文件(.docx),不能写“{to.name[:40]}”")
        common.output_file(to, force)
    with common.session(ctx) as s:
        x = notice.stored(s, ident)
    if to is not None:
        exports.write_bytes(to, notice_docx.document(x))
        typer.echo(f"已写入 {to}", err=True)
    terminal.write_lines(notice_doc.plain(x, width=terminal.screen()))


def register(parent: typer.Typer) -> None:
    parent.add_typer(bulletin_app, name="bulletin")
