"""zhiben status import FILE: read a filled-in county template back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common, words
from zhiben.reports.labels import period_label
from zhiben.tracking import status_import

if TYPE_CHECKING:
    from zhiben.tracking.status_import import Action

app = typer.Typer(help="填报状态回收:导入县区填好的模板。", no_args_is_help=True)


def _line(a: Action) -> str:

    period = "" if a.period == "once" else f" 周期 {period_label(a.period)}"
    who = f"{terms.SUBJECT_NAMES[a.owner.kind]}“{a.owner.name}”"
    if a.owner != a.subject:
        who += f"(检查企业“{a.subject.name}”)"
    if a.kind == "done":
        return f"第 {a.row} 行:{a.milestone_id} {who}{period} → 已完成({a.done_on})"
    return f"第 {a.row} 行:{a.milestone_id} {who}{period} → 撤销完成(原完成日期 {a.current_done_on})"


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="填好的模板(.xlsx 或 .csv;CSV 可为 UTF-8 或 GB18030)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并列出将要发生的变化,不写入数据库"),
    by: str = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
    evidence_dir: Path = typer.Option(None, "--evidence-dir", metavar="<目录或ZIP>", help="“佐证文件”列所列文件所在的文件夹或 ZIP"),
    sheet: str = typer.Option(None, "--sheet", metavar="工作表名", help="读取的工作表名(默认为当前工作表;有多个像模板的工作表时必须指定)"),
) -> None:
    """导入填好的状态模板:逐行校验,有任何问题则整份不导入;每项变化写入变更日志(来源为文件名)。"""
    with common.session(ctx) as s:
        result = status_import.apply_import(s, file, by=by or words.current_user(), dry_run=dry_run, evidence_dir=evidence_dir,
                                            sheet=sheet)
    if result.sheet is not None:
        typer.echo(f"读取工作表“{result.sheet}”")
    changes = result.changes
    for a in changes:
        typer.echo(_line(a))
    for a in result.kept_done:
        typer.echo(f"第 {a.row} 行:{a.milestone_id} 填写“未完成”,但已记录于 {a.current_done_on} 完成,保持已完成;"
                   "如确需撤销请在状态列填写“撤销”")
    if result.attached:
        for attached in result.attached:
            for line in words.attach_lines(attached):
                typer.echo(line)
    elif dry_run and any(a.files for a in result.actions):
        typer.echo(f"佐证文件 {sum(len(a.files) for a in result.actions)} 个已检查,可以导入")
    summary = (f"完成 {sum(a.kind == 'done' for a in changes)} 项,撤销 {sum(a.kind == 'reopen' for a in changes)} 项,"
               f"无变化 {result.unchanged} 项,未填写 {result.skipped} 行")
    if dry_run:
        typer.echo(f"预演(未写入数据库):{result.file} 将{summary}")
    else:
        typer.echo(f"已导入 {result.file}:{summary}")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="status")
