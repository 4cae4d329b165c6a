"""zhiben export overdue|upcoming|progress|catalogue|template --to FILE."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.cli import reports as cr
from zhiben.reports import records as rc

if TYPE_CHECKING:
    import datetime as dt

    from zhiben.db.engine import Session
    from zhiben.outputs.exports import Book

KINDS = ("overdue", "upcoming", "progress", "catalogue", "template")
CATALOGUE_COLUMNS = [("id", "编号"), ("plan", "方案"), ("task", "任务"), ("section", "条目"), ("title", "事项"),
                     ("responsible_name", "责任主体"), ("unit", "责任单位"), ("counties", "适用县区"),
                     ("schedule", "期限"), ("quote", "原文"), ("note", "备注")]
PLANS = tuple(terms.Plan)


def _occurrence_records(rows, dirs=None):
    for r in rows:
        yield {**rc.row_record(r, dirs), "subject_id": r.subject_id}


def _scope(s: Session, f) -> str:
    """Whose rows these are, in words, for the workbook's title row."""
    from zhiben.db import models

    county = s.get(models.County, f.county_id) if f.county_id is not None else None
    parts = [county.name if county else "全市"]
    if f.plan:
        parts.append(terms.PLAN_NAMES[f.plan])
    if f.enterprise_id is not None and (ent := s.get(models.Enterprise, f.enterprise_id)):
        parts.append(ent.name)
    if f.milestone_id:
        parts.append(f.milestone_id)
    return " · ".join(parts)


def _occurrences(kind, s: Session, f, day, days, fmt, to, detail=False, alarms=None, severe_days=90):
    import dataclasses

    from zhiben.outputs import exports
    from zhiben.reports import county_plan
    from zhiben.reports import rows as reports

    def rows_for(flt):
        return reports.overdue(s, flt, day) if kind == "overdue" else reports.upcoming(s, flt, day, days)

    from zhiben.reports.labels import event_directions

    dirs = event_directions(s)
    columns = rc.OVERDUE_COLUMNS if kind == "overdue" else rc.UPCOMING_COLUMNS
    if fmt == "csv":
        return exports.write_csv(to, _occurrence_records(rows_for(f), dirs), columns)
    if fmt == "json":
        return exports.write_json(to, _occurrence_records(rows_for(f), dirs))
    if fmt == "ics":
        if kind != "upcoming":
            raise _only("ICS 日历", "upcoming")
        from zhiben.outputs import calendar

        data, n = calendar.export(s, f, day, days, detail=detail, alarms=alarms, name=f"治本攻坚期限({_scope(s, f)})")
        exports.write_bytes(to, data)
        return n
    matrix = county_plan.county_by_plan(s, f, day, upcoming_days=None if kind == "overdue" else days)
    if kind == "overdue":
        report, remark = "逾期事项清单", f"逾期超过 {severe_days} 天的行以浅红色标出"
        count = lambda p: matrix.plans[p].overdue  # noqa: E731
    else:
        report, remark = f"{days} 天内到期事项清单", None
        count = lambda p: matrix.plans[p].upcoming  # noqa: E731
    book = _book(s, report, _scope(s, f), day, remark)
    sheets = [exports.summary_sheet(matrix, book, kind)]
    for p in [f.plan] if f.plan else PLANS:
        sheets.append(exports.Sheet(terms.PLAN_NAMES[p], _occurrence_records(rows_for(dataclasses.replace(f, plan=p)), dirs),
                                    columns, heading=book.heading(terms.PLAN_NAMES[p]), total=count(p),
                                    highlight=exports.severe_after(severe_days) if kind == "overdue" else None))
    return exports.xlsx_file(to, sheets, book, progress_label=f"导出{report}") - len(list(sheets[0].records))


def _book(s: Session, report: str, scope: str, day: dt.date, remark: str | None = None) -> Book:
    from zhiben.db import meta
    from zhiben.outputs import exports

    return exports.Book(report, scope, day, remark, effective=meta.effective_date(s))


def _only(what, kinds):
    from zhiben.errors import InputError

    return InputError(f"{what}格式只适用于 export {kinds}")


def _progress(s: Session, f, day, by, fmt, to):
    import dataclasses

    from zhiben.outputs import exports
    from zhiben.reports import county_plan
    from zhiben.reports import rows as reports

    def records_for(flt):
        recs = rc.progress_records(reports.progress(s, flt, day, by), by)
        if by == "plan":
            for r in recs:
                r["label"] = terms.PLAN_NAMES.get(r["label"], r["label"])
        return recs

    summary = records_for(f)
    if fmt == "csv":
        exports.write_bytes(to, exports.csv_bytes(summary, rc.progress_columns(by)))
        return len(summary)
    if fmt == "json":
        exports.write_bytes(to, exports.json_bytes(summary))
        return len(summary)
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    book = _book(s, f"完成进度(按{_BY_NAMES[by]})", _scope(s, f), day)
    sheets = [exports.summary_sheet(county_plan.county_by_plan(s, f, day), book),
              exports.Sheet(f"按{_BY_NAMES[by]}", summary, rc.progress_columns(by), heading=book.heading(f"按{_BY_NAMES[by]}"),
                            note=f"截至 {day},按{_BY_NAMES[by]}统计;完成率 = 已完成 ÷ 已到期")]
    for p in [f.plan] if f.plan else PLANS:
        sheets.append(exports.Sheet(terms.PLAN_NAMES[p], records_for(dataclasses.replace(f, plan=p)),
                                    rc.progress_columns(by), heading=book.heading(terms.PLAN_NAMES[p])))
    exports.xlsx_file(to, sheets, book, progress_label="导出完成进度")
    return len(summary)


_BY_NAMES = {"county": "县区", "plan": "方案", "milestone": "事项", "enterprise": "企业"}


def _catalogue(s: Session, plan, who, milestone_id, fmt, day, to):
    from zhiben.outputs import exports
    from zhiben.reports import catalogue

    records = catalogue.listing(s, plan=plan, who=who, milestone_id=milestone_id)
    if fmt == "csv":
        exports.write_bytes(to, exports.csv_bytes(records, CATALOGUE_COLUMNS))
        return len(records)
    if fmt == "json":
        exports.write_bytes(to, exports.json_bytes(records))
        return len(records)
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    plans = [plan] if plan else list(PLANS)
    book = _book(s, "事项目录", " · ".join([terms.PLAN_NAMES[plan] if plan else "三个方案"]
                                             + ([terms.SUBJECT_NAMES[who]] if who else [])), day)
    kinds = list(terms.SUBJECT_NAMES)
    counts = [{"label": terms.PLAN_NAMES[p], **{k: sum(r["plan"] == p and r["responsible"] == k for r in records)
                                                  for k in kinds}, "all": sum(r["plan"] == p for r in records)}
              for p in plans]
    counts.append({"label": "合计", **{k: sum(c[k] for c in counts) for k in kinds},
                   "all": sum(c["all"] for c in counts), "total": True})
    summary = exports.Sheet("汇总", counts, [("label", "方案"), *[(k, terms.SUBJECT_NAMES[k]) for k in kinds],
                                              ("all", "合计")], heading=book.heading("汇总"), bold_key="total",
                            note="按责任主体统计的事项条目数(每条事项按其原文逐条列出,见各方案工作表)")
    sheets = [summary] + [exports.Sheet(terms.PLAN_NAMES[p], [r for r in records if r["plan"] == p],
                                        CATALOGUE_COLUMNS, heading=book.heading(terms.PLAN_NAMES[p]))
                          for p in plans]
    exports.xlsx_file(to, sheets, book)
    return len(records)


def _template(s: Session, county, day, days, fmt, to):
    from zhiben.errors import InputError
    from zhiben.outputs import exports
    from zhiben.outputs import status_sheet as statussheet
    from zhiben.tracking import status_import, subjects

    if not county:
        raise InputError("导出填报模板须用 --county 指定县(市、区)")
    if fmt not in ("xlsx", "csv"):
        raise InputError("填报模板只能导出为 xlsx 或 csv")
    subject = subjects.county_subject(s, county)
    records = statussheet.template_records(s, subject.id, day, days)
    if fmt == "csv":
        exports.write_bytes(to, exports.csv_bytes(records, statussheet.TEMPLATE_COLUMNS))
        return len(records)
    # No title row here: zhiben reads the header from the first row when the sheet comes back.
    # Here the overdue rows are the ones to attend to first (the rest fall due later).
    sheet = exports.Sheet(f"{subject.name}填报", records, statussheet.TEMPLATE_COLUMNS,
                          date_keys=("fill_done_on",), choices={"fill_status": status_import.STATUS_CHOICES},
                          highlight=lambda r: "severe" if r.get("status") == "overdue" else None)
    # The instructions get their own sheet so the data sheet holds nothing but rows to fill in.
    help_sheet = exports.Sheet("填写说明", [{"text": line} for line in statussheet.NOTE_LINES],
                               [("text", "填写说明")])
    book = _book(s, f"{subject.name}完成情况填报模板", subject.name, day)
    exports.xlsx_file(to, [sheet, help_sheet], book)
    return len(records)


def export(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="内容", help="导出内容:overdue|upcoming|progress|catalogue|template"),
    to: Path = typer.Option(..., "--to", help="输出文件,如 逾期.xlsx、逾期.csv、期限.ics"),
    fmt: str = typer.Option(None, "--format", "-f", help="文件格式:csv|xlsx|ics|json(默认按扩展名)"),
    days: int = typer.Option(30, "--days", help="upcoming/template:未来天数", min=0, max=common.MAX_DAYS),
    detail: bool = typer.Option(False, "--detail", help="ICS:每家企业一个日程(默认按事项×县区合并为一个,注明“N 家企业”)"),
    remind: str = typer.Option("7,1", "--remind", metavar="<天数>", help="ICS:提前几天提醒,逗号分隔(默认 7,1;0 表示不提醒)"),
    severe_days: int = typer.Option(90, "--highlight-days", help="XLSX:逾期超过多少天的行以浅红色标出", min=0,
                                    max=common.MAX_DAYS),
    by: str = typer.Option("county", "--by", help="progress 分组:county|plan|milestone|enterprise"),
    plan: str = cr.Plan, county: str = cr.County, who: str = cr.Who, enterprise: str = cr.Ent,
    sector: str = cr.Sector, tag: str = cr.Tag, risk: str = cr.Risk, milestone_id: str = cr.Mid,
    as_of: str = cr.AsOf, force: bool = common.Force,
):
    """把报表导出为文件(CSV 可直接用 Excel 打开,XLSX 带格式,ICS 可导入日历),或导出县区填报模板。"""
    from zhiben.errors import InputError
    from zhiben.outputs import exports

    common.choice(kind, KINDS, "导出内容")
    common.choice(by, cr.BY, "分组方式")
    common.output_file(to, force)  # a folder or a missing one is named as such, before the format guess
    out_fmt = exports.format_for(to, fmt)
    day = common.as_of(as_of)
    alarms = exports.parse_alarms(remind)
    with common.session(ctx) as s:
        if kind == "catalogue":
            if any((county, enterprise, sector, tag, risk)):
                raise InputError("导出事项目录只支持 --plan、--who、--id 筛选")
            f = cr.filters_for(s, plan=plan, who=who, milestone_id=milestone_id)
            n = _catalogue(s, f.plan, f.who, f.milestone_id, out_fmt, day, to)
        elif kind == "template":
            if any((plan, who, enterprise, sector, tag, risk, milestone_id)):
                raise InputError("导出填报模板只支持 --county、--days、--as-of")
            n = _template(s, county, day, days, out_fmt, to)
        else:
            f = cr.filters_for(s, plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                               risk=risk, milestone_id=milestone_id)
            if kind == "progress":
                n = _progress(s, f, day, by, out_fmt, to)
            else:
                n = _occurrences(kind, s, f, day, days, out_fmt, to, detail=detail, alarms=alarms,
                                 severe_days=severe_days)
    unit = "个日程" if out_fmt == "ics" else "行"
    typer.echo(f"已导出 {n} {unit}到 {to}({out_fmt.upper()})")


def register(parent: typer.Typer) -> None:
    parent.command("export")(export)
