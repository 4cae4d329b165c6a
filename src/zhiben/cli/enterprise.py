"""zhiben enterprise import / list / show / add / remove / tags."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.db import records
from zhiben.inputs.limits import printable
from zhiben.outputs import progress, tables
from zhiben.outputs import terminal as render
from zhiben.outputs.lines import wrap
from zhiben.register import entries, queries
from zhiben.register import queries as enterprises
from zhiben.register.entries import LABELS
from zhiben.reports import enterprise as obligations
from zhiben.reports.labels import period_label
from zhiben.tracking import lookup, subjects

if TYPE_CHECKING:
    from zhiben.register.entries import RegisterImport

app = typer.Typer(help="企业名册:导入、查询、增加、注销企业,查看企业的事项和完成情况。", no_args_is_help=True)

# enterprise show's "key:value" lines, in the register's order
DETAIL_FIELDS = [("county", "所属县区"), ("sector", "行业"), ("tags", "标签"), ("risk", "风险等级"), ("park", "所属园区"),
                 ("contact", "联系人"), ("email", "邮箱")]


def _display(rec: dict) -> dict:
    """A register record as people read it (Chinese sector, joined tags)."""
    out = dict(rec)
    out["sector"] = terms.SECTOR_NAMES.get(rec["sector"], rec["sector"])
    out["tags"] = "、".join(rec["tags"])
    out["active"] = "在册" if rec["active"] else "已注销"
    return out


def _describe_value(f: str, v: Any) -> str:
    if v is None or v == () or v == "":
        return "(空)"
    if f == "tags":
        return "、".join(v)
    if f == "sector":
        return terms.SECTOR_NAMES.get(v, v)
    if f == "active":
        return "在册" if v else "已注销"
    return str(v)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="文件", help="企业名册 .csv(UTF-8 或 GB18030/GBK)或 .xlsx"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只显示将要发生的变化,不写入数据库"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                      help="跳过有问题的行并导入其余行;问题行写入同目录的 名称.rejects.csv"),
    strict_tags: bool = typer.Option(False, "--strict-tags",
                                     help="不是方案用语、也不是别名的标签视为错误(默认作为自由标签保留)"),
    force: bool = typer.Option(False, "--force", help="--skip-invalid 的问题行文件已存在时覆盖"),
) -> None:
    """导入企业名册:按统一社会信用代码新增或更新,有任何问题则整份不导入。"""
    if skip_invalid and not dry_run:  # the rule every written file follows, checked before any work
        common.output_file(entries.rejects_path(Path(file)), force)
    with common.session(ctx) as s:
        result = entries.import_file(s, file, dry_run=dry_run, skip_invalid=skip_invalid, track=progress.track,
                                      strict_tags=strict_tags)
        if dry_run:
            s.rollback()
    counts = f"新增 {len(result.added)} 家、更新 {len(result.updated)} 家、无变化 {len(result.unchanged)} 家"
    if dry_run:
        render.write_lines(wrap(f"试运行(未写入数据库):{result.source} 将{counts}", render.screen()))
        records = []
        for c in sorted(result.added + result.updated, key=lambda c: c.row or 0):
            detail = ";".join(f"{LABELS[f]}:{_describe_value(f, old)} → {_describe_value(f, new)}"
                              for f, (old, new) in c.diffs.items())
            records.append({"row": c.row, "credit_code": c.credit_code, "name": c.name,
                            "change": "新增" if c.kind == "added" else "更新", "detail": detail})
        if records:
            render.emit(records, tables.IMPORT_CHANGES, "table")
        if result.parks_created:
            typer.echo(f"将新建园区:{'、'.join(result.parks_created)}")
        if result.free_tag_line:
            typer.echo(result.free_tag_line)
        if result.rejected:
            typer.echo(f"有 {len(result.rejected)} 行有问题,将跳过并写入 {result.rejects_path}", err=True)
        return
    typer.echo(f"已导入 {result.source}:{counts}")
    _follow_lines(result)
    if result.parks_created:
        typer.echo(f"新建园区:{'、'.join(result.parks_created)}")
    if result.free_tag_line:
        typer.echo(result.free_tag_line)
    if result.uncarried_line:
        render.write_lines(wrap(result.uncarried_line, render.screen()))
    if result.rejected:
        typer.echo(f"有 {len(result.rejected)} 行有问题未导入,已写入 {result.rejects_path}(含错误原因)", err=True)


SHOWN = 50


def _follow_lines(result: RegisterImport) -> None:
    """Enterprises that moved (with their records), and records whose duty no longer applies."""
    def capped(lines: list[str]) -> None:
        for line in lines[:SHOWN]:
            typer.echo(f"  {line}")
        if len(lines) > SHOWN:
            typer.echo(f"  ……另有 {len(lines) - SHOWN} 条")

    if result.moved:
        typer.echo(f"迁移 {len(result.moved)} 家企业,其完成记录随企业迁移:")
        capped([f"{m.change.name}({m.change.credit_code}):"
                + ";".join(f"{LABELS[f]} {_describe_value(f, m.change.diffs[f][0])} → "
                           f"{_describe_value(f, m.change.diffs[f][1])}" for f in ("county", "park") if f in m.change.diffs)
                + f",完成记录 {m.records} 条" for m in result.moved])
    if result.kept:
        # e.g. the risk level was lowered; `enterprise show` lists them too
        typer.echo(f"注意:{len(result.kept)} 条完成记录的事项已不再适用,记录保留,不计入统计:")
        capped([f"{c.name}({c.credit_code}):{r.milestone_id} {period_label(r.period)},完成于 {r.done_on}"
                for c, r in result.kept])


@app.command("list")
def list_(
    ctx: typer.Context,
    name: str = typer.Option(None, "--name", help="企业名称中的一段,或统一社会信用代码的开头"),
    county: str = typer.Option(None, "--county", help="县(市、区),可用简称"),
    sector: str = typer.Option(None, "--sector", help=f"行业:{terms.PLAN_CHOICES} 或中文"),
    tag: str = typer.Option(None, "--tag", help="标签,如 粉尘涉爆"),
    risk: str = typer.Option(None, "--risk", help=f"风险等级:{terms.RISK_CHOICES}"),
    all_: bool = typer.Option(False, "--all", help="包括已注销的企业"),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """列出名册中的企业。"""
    render.check_format(fmt)
    with common.session(ctx) as s:
        records = enterprises.listing(
            s, name=lookup.enterprise_filter(name),
            county_id=lookup.county(s, county).id if county is not None else None,
            sector=terms.resolve_sector(sector) if sector is not None else None,
            tag=lookup.tag(s, tag) if tag is not None else None,
            risk=terms.resolve_risk(risk) if risk is not None else None, include_inactive=all_)
    columns = tables.ENTERPRISES + ([tables.ENTERPRISE_STATE] if all_ else [])
    if fmt != "json":
        records = [_display(r) for r in records]
    render.emit(records, columns, fmt, title=f"企业名册({len(records)} 家)", empty="没有符合条件的企业")


@app.command("show")
def show(
    ctx: typer.Context,
    who: str = typer.Argument(..., metavar="企业", help="统一社会信用代码(或其开头)、企业全称或名称中唯一的一段"),
    as_of: str = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP),
    upcoming: int = typer.Option(1, "--next", min=0, max=100, help="每个事项显示接下来几个未到期周期"),
    fmt: str = typer.Option("table", "--format", "-f", help="输出格式:table|json"),
) -> None:
    """企业详情,以及适用于它的事项:已到期的(已完成/逾期)和接下来要到期的。"""
    common.choice(fmt, ("table", "json"), "输出格式")
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        ent = subjects.find_enterprise(s, who)
        info = enterprises.details(s, ent)
        items = [o.as_dict() for o in obligations.obligations(s, ent.id, day, upcoming=upcoming)] if ent.active else []
        history = [dict(h, period_label=period_label(h["period"])) for h in enterprises.history(s, ent)]
        kept = [{"milestone_id": r.milestone_id, "title": r.title, "period": r.period,
                 "period_label": period_label(r.period), "done_on": r.done_on, "evidence": r.evidence}
                for r in records.stranded(s, {ent.id: ent.credit_code})] if ent.active else []
    due = [o for o in items if o["due"] < day and o["status"] in ("done", "overdue")]
    summary = {"due_so_far": len(due), "done": sum(o["status"] == "done" for o in due),
               "overdue": sum(o["status"] == "overdue" for o in due)}
    if fmt == "json":
        data = {"enterprise": info, "as_of": day, "summary": summary, "obligations": items, "history": history,
                "kept": kept}
        sys.stdout.write(render.to_json(data) + "\n")
        return

    d = _display(info)
    head = [f"{d['name']}(统一社会信用代码 {d['credit_code']},{d['active']})"]
    head += [f"  {label}:{d[key] or '—'}" for key, label in DETAIL_FIELDS]
    if info.get("free_tags"):
        head.append(f"  自由标签(不是方案用语,不影响适用事项):{'、'.join(info['free_tags'])}")
    if not info["active"]:
        head.append("该企业已从名册注销,不再计入报表;以下是已记录的完成情况:")
        rows, columns, title, empty = history, tables.HISTORY, "完成记录", "(无完成记录)"
    else:
        head.append(f"截至 {day}:已到期 {summary['due_so_far']} 项,已完成 {summary['done']} 项,逾期 {summary['overdue']} 项")
        # Per-enterprise supervision periods carry the credit code ("2024-H1:CODE"); this page is that enterprise.
        rows = [dict(o, who="企业" if o["subject_kind"] == "enterprise" else "县级监管",
                     period=period_label(o["period"], o.get("due")),
                     status=terms.STATUS_NAMES[o["status"]]) for o in items]
        columns, title, empty = tables.OBLIGATIONS, "适用事项", "没有适用于该企业的事项"
    width = render.screen()
    render.write_lines(line for text in head for line in wrap(printable(text), width))
    if rows:
        render.write_lines(render.table(rows, columns, title=title, width=width))
    else:
        typer.echo(empty)
    if kept:
        # Never silently lost: a record whose duty stopped applying (risk level lowered, tag removed).
        typer.echo(f"另有 {len(kept)} 条完成记录的事项已不再适用(记录保留,不计入统计):")
        render.write_lines(render.table(kept, tables.HISTORY, title="不再适用的完成记录", width=width))


@app.command("add")
def add(
    ctx: typer.Context,
    code: str = typer.Option(..., "--code", help="统一社会信用代码(18 位)"),
    name: str = typer.Option(..., "--name", help="企业名称"),
    county: str = typer.Option(..., "--county", help="所属县(市、区),可用简称"),
    sector: str = typer.Option(..., "--sector", help=f"行业:{'、'.join(terms.SECTOR_NAMES.values())}(或 {'/'.join(terms.Plan)})"),
    tags: str = typer.Option(None, "--tags", help="标签,多个用顿号、逗号或分号分隔"),
    risk: str = typer.Option(None, "--risk", help=f"风险等级:{terms.RISK_CHOICES}"),
    park: str = typer.Option(None, "--park", help="所属园区(没有登记的园区会新建)"),
    contact: str = typer.Option(None, "--contact", help="联系人"),
    email: str = typer.Option(None, "--email", help="邮箱"),
) -> None:
    """登记一家企业(已注销的企业再次登记即恢复)。"""
    with common.session(ctx) as s:
        ent, status = entries.add(s, credit_code=code, name=name, county=county, sector=sector, tags=tags,
                                   risk=risk, park=park, contact=contact, email=email)
        text = f"{'已恢复' if status == 'restored' else '已登记'}企业“{ent.name}”({ent.credit_code})"
    typer.echo(text)


@app.command("remove")
def remove(
    ctx: typer.Context,
    who: str = typer.Argument(..., metavar="企业", help="统一社会信用代码(或其开头)、企业全称或名称中唯一的一段"),
) -> None:
    """从名册注销企业:保留其完成记录和事件,报表不再计入。"""
    with common.session(ctx) as s:
        ent = subjects.find_enterprise(s, who)
        changed = enterprises.remove(s, ent)
        name, code = ent.name, ent.credit_code
    if changed:
        typer.echo(f"已注销企业“{name}”({code}),历史记录保留;用 zhiben enterprise add 可恢复")
    else:
        typer.echo(f"企业“{name}”({code})此前已注销,未作改动")


@app.command("tags")
def tags(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)) -> None:
    """列出企业标签词表(来自方案原文)。"""
    render.check_format(fmt)
    with common.session(ctx) as s:
        records = queries.tag_vocabulary(s)
    if fmt != "json":
        records = [dict(r, sector=terms.SECTOR_NAMES[r["sector"]]) for r in records]
    render.emit(records, tables.TAGS, fmt, title="企业标签词表")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="enterprise")
