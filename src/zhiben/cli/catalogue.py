"""zhiben catalogue check|list|show."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben import terms
from zhiben.cli import common

app = typer.Typer(help="事项目录:校验、列出、查看。", no_args_is_help=True)

LIST_COLUMNS = [("id", "编号"), ("plan", "方案"), ("task", "任务"), ("title", "事项"),
                ("responsible", "责任主体"), ("schedule", "期限")]


@app.command("check")
def check(
    file: str = typer.Argument(None, help="要校验的目录文件(默认为随程序发布的目录)"),
    source: Path = typer.Option(None, "--source", help="方案原文(UTF-8),给出时逐条核对引文是否原文照录"),
):
    """校验事项目录,逐条报告问题(条目编号和字段)。"""
    from zhiben.catalogue import model as catalogue
    from zhiben.errors import CatalogueError

    cat = catalogue.read(file)
    if source is not None:
        from zhiben.inputs.files import read_bytes

        try:
            text = read_bytes(source, what="方案原文", error=CatalogueError).decode("utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(f"{source}: 方案原文不是 UTF-8 编码的文本文件") from None
        problems = catalogue.quote_problems(cat, text)
        if problems:
            raise CatalogueError(f"{len(problems)} 条引文与方案原文不符", problems=problems)
    typer.echo(f"目录有效:{len(cat.milestones)} 个事项,{len(cat.tags)} 个标签")


def describe_rule(rule: dict) -> str:
    from zhiben.catalogue.wording import rule_text

    return rule_text(rule)


def _record(m) -> dict:
    return {
        "id": m.id, "plan": m.plan, "task": m.task, "section": m.section, "title": m.title,
        "quote": m.quote, "responsible": m.responsible, "unit": m.unit, "counties": m.counties,
        "applies_to": {"sector": m.sector, "tags": m.tags, "exclude_tags": m.exclude_tags} if m.sector else None,
        "per_risk": m.per_risk, "rule": m.rule, "schedule": describe_rule(m.rule), "note": m.note,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    plan: str = typer.Option(None, "--plan", help=f"只列出某方案:{terms.PLAN_CHOICES}"),
    who: str = typer.Option(None, "--who", help=f"责任主体:{terms.SUBJECT_CHOICES}"),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
):
    """列出目录中的事项。"""
    from sqlmodel import select

    from zhiben.db import models
    from zhiben.outputs import terminal as render

    render.check_format(fmt)
    with common.session(ctx) as s:
        q = select(models.Milestone).where(models.Milestone.active).order_by(models.Milestone.position)
        if plan:
            q = q.where(models.Milestone.plan == common.choice(plan, tuple(terms.Plan), "方案"))
        if who:
            q = q.where(models.Milestone.responsible == common.choice(who, tuple(terms.SubjectKind), "责任主体"))
        records = [_record(m) for m in s.exec(q).all()]
    render.emit(records, LIST_COLUMNS, fmt, title="事项目录")


@app.command("show")
def show(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="ID", help="事项编号,如 chem-02-a"),
    fmt: str = typer.Option("table", "--format", "-f", help="table|json"),
):
    """查看一个事项:原文引文、责任主体、适用企业和全部期限。"""
    from sqlmodel import select

    from zhiben.db import models
    from zhiben.outputs import terminal as render
    from zhiben.reports.labels import period_label
    from zhiben.tracking import subjects

    common.choice(fmt, ("table", "json"), "输出格式")
    with common.session(ctx) as s:
        m = subjects.get_milestone(s, milestone_id)
        record = _record(m)
        dues = s.exec(select(models.DueDate).where(models.DueDate.milestone_id == m.id).order_by(models.DueDate.due)).all()
        record["due_dates"] = [{"period": d.period, "period_label": period_label(d.period), "due": d.due.isoformat()}
                               for d in dues]
    if fmt == "json":
        typer.echo(render.to_json(record))
        return
    from zhiben.catalogue.wording import show_text

    typer.echo(show_text(record))
