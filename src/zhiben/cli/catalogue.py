"""zhiben catalogue check|list|show."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben import terms
from zhiben.catalogue import model as catalogue
from zhiben.catalogue.wording import show_text
from zhiben.cli import common
from zhiben.errors import CatalogueError
from zhiben.inputs import limits
from zhiben.inputs.files import read_bytes
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.outputs.lines import wrap
from zhiben.reports import catalogue as catalogue_report

app = typer.Typer(help="事项目录:校验、列出、查看。", no_args_is_help=True)

@app.command("check")
def check(
    file: str = typer.Argument(None, help="要校验的目录文件(默认为随程序发布的目录)"),
    source: Path = typer.Option(None, "--source", help="方案原文(UTF-8),给出时逐条核对引文是否原文照录"),
) -> None:
    """校验事项目录,逐条报告问题(条目编号和字段)。"""
    cat = catalogue.read(file)
    if source is not None:
        try:
            text = read_bytes(source, what="方案原文", error=CatalogueError,
                              budget=limits.MAX_TEXT_FILE_BYTES).decode("utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(f"{source}: 方案原文不是 UTF-8 编码的文本文件") from None
        problems = catalogue.quote_problems(cat, text)
        if problems:
            raise CatalogueError(f"{len(problems)} 条引文与方案原文不符", problems=problems)
    typer.echo(f"目录有效:{len(cat.milestones)} 个事项,{len(cat.tags)} 个标签")


@app.command("list")
def list_(
    ctx: typer.Context,
    plan: str | None = typer.Option(None, "--plan", help=f"只列出某方案:{terms.PLAN_CHOICES}"),
    who: str | None = typer.Option(None, "--who", help=f"责任主体:{terms.SUBJECT_CHOICES}"),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """列出目录中的事项。"""
    render.check_format(fmt)
    plan = common.choice(plan, tuple(terms.Plan), "方案") if plan else None
    who = common.choice(who, tuple(terms.SubjectKind), "责任主体") if who else None
    with common.session(ctx) as s:
        records = catalogue_report.listing(s, plan=plan, who=who)
    render.emit(records, tables.CATALOGUE, fmt, title="事项目录")


@app.command("show")
def show(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="事项编号", help="事项编号,如 chem-02-a"),
    fmt: str = typer.Option("table", "--format", "-f", help="table|json"),
) -> None:
    """查看一个事项:原文引文、责任主体、适用企业和全部期限。"""
    common.choice(fmt, ("table", "json"), "输出格式")
    with common.session(ctx) as s:
        record = catalogue_report.entry(s, milestone_id)
    if fmt == "json":
        typer.echo(render.to_json(record))
        return

    # The quote and the note are long: broken after punctuation by display width, never inside an id or date.
    width = render.screen()
    render.write_lines(piece for text in show_text(record).splitlines() for piece in wrap(text, width))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="catalogue")
