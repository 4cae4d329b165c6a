"""zhiben target record / list, and the targets table behind `zhiben progress --targets`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common, words
from zhiben.errors import InputError
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.tracking import subjects, targets

if TYPE_CHECKING:
    from zhiben.tracking.targets import TargetRow

app = typer.Typer(help="量化目标:查看目标、填报测算值。", no_args_is_help=True, rich_markup_mode=None)



def _basis(r: TargetRow) -> str:
    if r.metric == "risk_share":
        if not r.population:
            return "无适用企业"
        unrated = f",未评级 {r.unrated} 家" if r.unrated else ""
        return f"{r.meeting}/{r.population} 家{unrated}"
    return f"{r.measured_on} 填报" if r.measured_on else ""


def table_records(rows: Iterable[TargetRow]) -> list[dict]:
    return [{"milestone_id": r.milestone_id, "plan": r.plan, "title": r.title, "metric": r.metric,
             "scope_kind": r.scope_kind, "scope": r.scope, "value": r.value, "meeting": r.meeting,
             "population": r.population, "unrated": r.unrated, "threshold": r.threshold, "due": r.due,
             "measured_on": r.measured_on, "status": r.status, "status_name": r.status_name, "basis": _basis(r)}
            for r in rows]


def show_table(ctx: typer.Context, *, plan: str | None, county: str | None, milestone_id: str | None,
               as_of: str | None, fmt: str, unsupported: dict[str, object]) -> None:
    """`zhiben progress --targets`: measured value, threshold, due date and verdict per scope."""
    given = [name for name, value in unsupported.items() if value]
    if given:
        raise InputError(f"--targets 不能与 {'、'.join(given)} 同时使用")
    render.check_format(fmt)
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        county_id = subjects.county_subject(s, county).id if county is not None else None
        mid = subjects.get_milestone(s, milestone_id).id if milestone_id is not None else None
        if plan:
            common.choice(plan, tuple(terms.Plan), "方案")
        records = table_records(targets.measure(s, day, plan=plan, county_id=county_id, milestone_id=mid))
    if fmt == "json":
        for r in records:
            del r["basis"]
    render.emit(records, tables.TARGET_VALUES, fmt, title=f"截至 {day} 量化目标({len(records)} 行)", empty="没有量化目标")


@app.command("record")
def record(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="目标编号", help="目标编号(填报类目标)"),
    county: str = typer.Option(None, "--county", help="县(市、区)名称或简称"),
    city: bool = typer.Option(False, "--city", help="全市"),
    value: str = typer.Option(..., "--value", help="测算值:0 到 1 之间的小数(如 0.8)或百分数(如 80%)"),
    on: str = typer.Option(None, "--on", metavar="<日期>", help="测算日期(默认今天)"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
) -> None:
    """填报一个量化目标的测算值(如专业监管人员配备比例)。"""
    if bool(county) == bool(city):
        raise InputError("请指定且只指定一个填报范围:--county 县名 | --city")

    by = by or words.current_user()
    number = targets.parse_value(value)
    day = common.parse_date(on, "测算日期")
    with common.session(ctx) as s:
        subject = subjects.CITY if city else subjects.county_subject(s, county)
        old, row = targets.record_value(s, milestone_id, subject, number, on=day, by=by)
        mid, when, name = row.milestone_id, row.measured_on, "全市" if city else subject.name
    before = "" if old is None else f"(原为 {old:.2%})"
    typer.echo(f"已填报:{mid} {name} {number:.2%},测算日期 {when}{before}")


@app.command("list")
def list_(
    ctx: typer.Context,
    plan: str = typer.Option(None, "--plan", help=f"方案:{terms.PLAN_CHOICES}"),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """列出目录中的量化目标及其测算方式。"""
    render.check_format(fmt)
    if plan:
        common.choice(plan, tuple(terms.Plan), "方案")
    with common.session(ctx) as s:
        records = []
        for m in targets.target_milestones(s, plan=plan):
            rule = m.rule
            scope = "、".join(m.counties) if m.counties else ("全部县区" if m.responsible == "county" else "全市")
            if rule["metric"] == "risk_share":
                who = "、".join(m.tags) if m.tags else "全部"
                scope = f"{scope};{terms.PLAN_NAMES.get(m.sector or '', '')}企业({who})中{'/'.join(rule['levels'])}级占比"
            records.append({"milestone_id": m.id, "plan": m.plan, "title": m.title, "metric": rule["metric"],
                            "metric_name": targets.METRIC_NAMES[rule["metric"]], "threshold": float(rule["threshold"]),
                            "due": rule["due"], "levels": rule.get("levels") or [], "responsible": m.responsible,
                            "responsible_name": terms.SUBJECT_WORDS[m.responsible], "counties": m.counties, "scope": scope})
    render.emit(records, tables.TARGETS, fmt, title=f"量化目标({len(records)} 项)", empty="目录中没有量化目标")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="target")
