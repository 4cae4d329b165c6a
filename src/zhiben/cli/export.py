"""zhiben export overdue|upcoming|progress|catalogue|template --to FILE."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.reports import records as rc
from zhiben.cli import reports as cr

KINDS = ("overdue", "upcoming", "progress", "catalogue", "template")
CATALOGUE_COLUMNS = [("id", "编号"), ("plan", "方案"), ("task", "任务"), ("section", "条目"), ("title", "事项"),
                     ("responsible_name", "责任主体"), ("unit", "责任单位"), ("counties", "适用县区"),
                     ("schedule", "期限"), ("quote", "原文"), ("note", "备注")]
PLANS = tuple(terms.Plan)


def _occurrence_records(rows, dirs=None) -> list[dict]:
    return [{**rc.row_record(r, dirs), "subject_id": r.subject_id} for r in rows]


def _by_plan_sheets(records, columns, plan):
    from zhiben.outputs import exports

    plans = [plan] if plan else list(PLANS)
    return [exports.Sheet(terms.PLAN_NAMES[p], [r for r in records if r["plan"] == p], columns) for p in plans]


def _occurrences(kind, s, f, day, days, fmt):
    from zhiben.outputs import exports
    from zhiben.reports import rows as reports

    rows = reports.overdue(s, f, day) if kind == "overdue" else reports.upcoming(s, f, day, days)
    from zhiben.reports.labels import event_directions

    records = _occurrence_records(rows, event_directions(s))
    columns = rc.OVERDUE_COLUMNS if kind == "overdue" else rc.UPCOMING_COLUMNS
    if fmt == "csv":
        return exports.csv_bytes(records, columns), len(records)
    if fmt == "json":
        return exports.json_bytes(records), len(records)
    if fmt == "ics":
        if kind != "upcoming":
            raise _only("ICS 日历", "upcoming")
        return exports.ics_bytes(records), len(records)
    return exports.xlsx_bytes(_by_plan_sheets(records, columns, f.plan)), len(records)


def _only(what, kinds):
    from zhiben.errors import InputError

    return InputError(f"{what}格式只适用于 export {kinds}")


def _progress(s, f, day, by, fmt):
    import dataclasses

    from zhiben.outputs import exports
    from zhiben.reports import rows as reports

    def records_for(flt):
        recs = rc.progress_records(reports.progress(s, flt, day, by))
        if by == "plan":
            for r in recs:
                r["label"] = terms.PLAN_NAMES.get(r["label"], r["label"])
        return recs

    summary = records_for(f)
    if fmt == "csv":
        return exports.csv_bytes(summary, rc.PROGRESS_COLUMNS), len(summary)
    if fmt == "json":
        return exports.json_bytes(summary), len(summary)
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    sheets = [exports.Sheet("汇总", summary, rc.PROGRESS_COLUMNS, note=f"截至 {day},按{_BY_NAMES[by]}统计")]
    for p in [f.plan] if f.plan else PLANS:
        sheets.append(exports.Sheet(terms.PLAN_NAMES[p], records_for(dataclasses.replace(f, plan=p)),
                                    rc.PROGRESS_COLUMNS))
    return exports.xlsx_bytes(sheets), len(summary)


_BY_NAMES = {"county": "县区", "plan": "方案", "milestone": "事项", "enterprise": "企业"}


def _catalogue(s, plan, who, milestone_id, fmt):
    from sqlmodel import select

    from zhiben.outputs import exports
    from zhiben.db import models
    from zhiben.cli.catalogue import _record

    q = select(models.Milestone).where(models.Milestone.active).order_by(models.Milestone.position)
    if plan:
        q = q.where(models.Milestone.plan == plan)
    if who:
        q = q.where(models.Milestone.responsible == who)
    if milestone_id:
        q = q.where(models.Milestone.id == milestone_id)
    records = []
    for m in s.exec(q).all():
        rec = _record(m)
        rec["responsible_name"] = terms.SUBJECT_NAMES.get(m.responsible, m.responsible)
        records.append(rec)
    if fmt == "csv":
        return exports.csv_bytes(records, CATALOGUE_COLUMNS), len(records)
    if fmt == "json":
        return exports.json_bytes(records), len(records)
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    sheets = [exports.Sheet(terms.PLAN_NAMES[p], [r for r in records if r["plan"] == p], CATALOGUE_COLUMNS,
                            highlight=None) for p in ([plan] if plan else PLANS)]
    return exports.xlsx_bytes(sheets), len(records)


def _template(s, county, day, days, fmt):
    from zhiben.outputs import exports
    from zhiben.outputs import status_sheet as statussheet
    from zhiben.tracking import subjects
    from zhiben.errors import InputError

    if not county:
        raise InputError("导出填报模板须用 --county 指定县(市、区)")
    if fmt not in ("xlsx", "csv"):
        raise InputError("填报模板只能导出为 xlsx 或 csv")
    subject = subjects.county_subject(s, county)
    records = statussheet.template_records(s, subject.id, day, days)
    if fmt == "csv":
        return exports.csv_bytes(records, statussheet.TEMPLATE_COLUMNS), len(records)
    sheet = exports.Sheet(f"{subject.name}填报", records, statussheet.TEMPLATE_COLUMNS,
                          date_keys=("fill_done_on",), choices={"fill_status": statussheet.STATUS_CHOICES})
    # The instructions get their own sheet so the data sheet holds nothing but rows to fill in.
    help_sheet = exports.Sheet("填写说明", [{"text": line} for line in statussheet.NOTE_LINES],
                               [("text", "填写说明")], highlight=None)
    return exports.xlsx_bytes([sheet, help_sheet]), len(records)


def export(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="KIND", help="导出内容:overdue|upcoming|progress|catalogue|template"),
    to: Path = typer.Option(..., "--to", help="输出文件,如 逾期.xlsx、逾期.csv、期限.ics"),
    fmt: str = typer.Option(None, "--format", "-f", help="文件格式:csv|xlsx|ics|json(默认按扩展名)"),
    days: int = typer.Option(30, "--days", help="upcoming/template:未来天数", min=0),
    by: str = typer.Option("county", "--by", help="progress 分组:county|plan|milestone|enterprise"),
    plan: str = cr.Plan, county: str = cr.County, who: str = cr.Who, enterprise: str = cr.Ent,
    sector: str = cr.Sector, tag: str = cr.Tag, risk: str = cr.Risk, milestone_id: str = cr.Mid,
    as_of: str = cr.AsOf, force: bool = common.Force,
):
    """把报表导出为文件(CSV 可直接用 Excel 打开,XLSX 带格式,ICS 可导入日历),或导出县区填报模板。"""
    from zhiben.outputs import exports
    from zhiben.errors import InputError

    common.choice(kind, KINDS, "导出内容")
    common.choice(by, cr.BY, "分组方式")
    out_fmt = exports.format_for(to, fmt)
    day = common.as_of(as_of)
    common.output_file(to, force)
    with common.session(ctx) as s:
        if kind == "catalogue":
            if any((county, enterprise, sector, tag, risk)):
                raise InputError("导出事项目录只支持 --plan、--who、--id 筛选")
            f = cr.filters_for(s, plan=plan, who=who, milestone_id=milestone_id)
            data, n = _catalogue(s, f.plan, f.who, f.milestone_id, out_fmt)
        elif kind == "template":
            if any((plan, who, enterprise, sector, tag, risk, milestone_id)):
                raise InputError("导出填报模板只支持 --county、--days、--as-of")
            data, n = _template(s, county, day, days, out_fmt)
        else:
            f = cr.filters_for(s, plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                               risk=risk, milestone_id=milestone_id)
            if kind == "progress":
                data, n = _progress(s, f, day, by, out_fmt)
            else:
                data, n = _occurrences(kind, s, f, day, days, out_fmt)
    exports.write_bytes(to, data)
    typer.echo(f"已导出 {n} 行到 {to}({out_fmt.upper()})")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
