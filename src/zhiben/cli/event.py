"""zhiben event add / list / remove: the events event-relative deadlines count from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common, words
from zhiben.dates import local
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.outputs.lines import wrap
from zhiben.tracking import events, subjects

if TYPE_CHECKING:
    from zhiben.tracking.events import DueInfo

app = typer.Typer(help="企业事件(试生产、竣工验收、停产停建、复工复产、师带徒、监测报警)及其派生期限。",
                  no_args_is_help=True, rich_markup_mode=None)

KIND_HELP = f"事件类型:{terms.EVENT_HINT}"


def _due_text(d: DueInfo) -> str:
    if d.bound == "earliest":
        when = f"最早 {d.due}"
    elif d.bound == "window":
        when = f"窗口 {d.opens} 至 {d.due}"
    else:
        when = f"期限 {d.due}"
    when += "(按计划日期)" if d.planned else ""
    return when + ("(按周末估算)" if d.estimated else "")


def _dues(heading: str, dues: Sequence[DueInfo]) -> list[str]:
    """Derived deadlines as a table on the one engine, then what 按周末估算 means, once."""
    width = render.screen()
    rows = [{"milestone_id": d.milestone_id, "title": d.title, "when": _due_text(d), "state": d.state or ""}
            for d in dues]
    columns = tables.DUES if any(r["state"] for r in rows) else [c for c in tables.DUES if c.key != "state"]
    out = [heading, *render.table(rows, columns, width=width)]
    years = sorted({y for d in dues for y in d.estimated})
    if years:
        out += wrap(f"按周末估算:{'、'.join(f'{y} 年' for y in years)}没有节假日数据,"
                    "可用 zhiben calendar import 补充", width)
    return out


def _due_record(d: DueInfo) -> dict:
    return {"milestone_id": d.milestone_id, "title": d.title, "period": d.period, "due": d.due, "bound": d.bound,
            "opens": d.opens, "planned": d.planned, "estimated": list(d.estimated), "cancelled_on": d.cancelled_on, "done_on": d.done_on}


@app.command("add")
def add(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="事件类型", help=KIND_HELP),
    enterprise: str = typer.Option(..., "--enterprise", help="企业:统一社会信用代码(或其开头)、全称或名称中唯一的一段"),
    date: str = typer.Option(None, "--date", metavar="<日期>", help="事件发生日期(YYYY-MM-DD,默认今天)"),
    note: str = typer.Option(None, "--note", help="备注"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
    planned: bool = typer.Option(False, "--planned", help="企业公布的计划日期(今天或以后);登记实际事件时自动取代"),
) -> None:
    """登记一个企业事件(或 --planned 计划日期),并列出由它派生的期限。"""
    kind = events.check_kind(kind)
    by = by or words.current_user()
    day = common.parse_date(date, "事件日期")
    with common.session(ctx) as s:
        ent = subjects.find_enterprise(s, enterprise)
        out = events.add(s, enterprise_id=ent.id, kind=kind, date=day or _today(), note=note, by=by, planned=planned)
        word = "计划" if planned else ""
        head = (f"已登记{word}事件 #{out.event.id}:{ent.name}({ent.credit_code}){terms.EVENT_NAMES[kind]} "
                f"{out.event.date}")
        replaced = [f"#{e.id}({e.date})" for e in out.replaced]
    lines = [head]
    if replaced:
        lines.append(f"已取代计划事件 {'、'.join(replaced)},按计划日期派生的期限改按实际日期计算")
    lines += _dues("派生期限:", out.dues) if out.dues else ["该事件没有派生期限(企业的行业或标签不适用相关事项)"]
    if out.affected:
        lines += _dues("受影响的其他期限:", out.affected)
    _say(lines)


def _say(lines: list[str]) -> None:
    """Messages wrapped by display width on a terminal (table lines already fit)."""
    width = render.screen()
    render.write_lines(piece for text in lines for piece in wrap(text, width))


def _today() -> dt.date:
    return dt.date.today()


@app.command("list")
def list_(
    ctx: typer.Context,
    enterprise: str = typer.Option(None, "--enterprise", help="企业:统一社会信用代码(或其开头)、全称或名称中唯一的一段"),
    county: str = typer.Option(None, "--county", help="县级单位,可用简称"),
    kind: str = typer.Option(None, "--kind", help=KIND_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """列出已登记的企业事件及其派生期限。"""
    render.check_format(fmt)
    if kind is not None:
        kind = events.check_kind(kind)
    with common.session(ctx) as s:
        ent = subjects.find_enterprise(s, enterprise) if enterprise is not None else None
        ent_id, ent_name = (ent.id, f"{ent.name}({ent.credit_code})") if ent else (None, None)
        place = subjects.county_subject(s, county) if county is not None else None
        county_id, county_name = (place.id, place.name) if place else (None, None)
        rows = events.list_events(s, enterprise_id=ent_id, county_id=county_id, kind=kind)
        records = [{
            "id": r.event.id, "kind": r.event.kind, "planned": r.event.planned,
            "kind_name": ("计划" if r.event.planned else "") + terms.EVENT_NAMES[r.event.kind], "date": r.event.date,
            "enterprise": r.enterprise.name, "credit_code": r.enterprise.credit_code, "county": r.county,
            "note": r.event.note, "recorded_by": r.event.recorded_by, "recorded_at": local(r.event.recorded_at),
            "deadlines": [_due_record(d) for d in r.dues],
            "deadlines_text": ";".join(f"{d.milestone_id} {d.due}" + ("(按周末估算)" if d.estimated else "")
                                       + (f"({d.state})" if d.state else "")
                                       for d in r.dues),
        } for r in rows]
    if fmt == "json":
        for r in records:
            del r["deadlines_text"]
    # One enterprise or one county: the title names it, its columns would repeat it on every row.
    title = f"企业事件({len(records)} 条)"
    columns = tables.EVENTS
    if ent_name is not None:
        title = f"{ent_name}的事件({len(records)} 条)"
        columns = [c for c in columns if c.key not in ("enterprise", "credit_code", "county")]
    elif county_name is not None:
        title = f"{county_name}的企业事件({len(records)} 条)"
        columns = [c for c in columns if c.key != "county"]
    render.emit(records, columns, fmt, title=title, empty="没有登记的事件")


@app.command("remove")
def remove(
    ctx: typer.Context,
    event_id: int = typer.Argument(..., metavar="事件编号", min=1, max=2**63 - 1, help="事件编号(见 zhiben event list)"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
) -> None:
    """删除一条登记错误的事件及其派生期限。"""
    by = by or words.current_user()
    with common.session(ctx) as s:
        out = events.remove(s, event_id, by=by)
        name = subjects.enterprise_by_id(s, out.event.enterprise_id).name
        what = f"{name} {terms.EVENT_NAMES[out.event.kind]} {out.event.date}"
    lines = [f"已删除事件 #{event_id}:{what},同时删除派生期限 {len(out.dues)} 项"]
    if out.affected:
        lines += _dues("受影响的其他期限:", out.affected)
    _say(lines)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="event")
