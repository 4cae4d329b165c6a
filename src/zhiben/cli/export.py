"""zhiben export overdue|upcoming|progress|catalogue|template --to FILE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.cli import reports as cr
from zhiben.errors import InputError
from zhiben.outputs import calendar, exports, workbooks, xlsx
from zhiben.outputs import status_sheet as statussheet
from zhiben.reports import catalogue, filters
from zhiben.reports import progress as progress_report
from zhiben.reports import records as rc
from zhiben.reports import rows as reports
from zhiben.reports.labels import event_directions
from zhiben.tracking import published, subjects

if TYPE_CHECKING:
    from zhiben.db.engine import Session
    from zhiben.errors import InputError
    from zhiben.reports.rows import Filters, Row

KINDS = ("overdue", "upcoming", "progress", "catalogue", "template")


def _scope(s: Session, f: Filters) -> str:
    """Whose rows these are, in words, for the workbook's title row."""
    parts = [filters.county_name(s, f.county_id) if f.county_id is not None else "全市"]
    if f.plan:
        parts.append(terms.PLAN_NAMES[f.plan])
    if f.enterprise_id is not None and (name := filters.enterprise_name(s, f.enterprise_id)):
        parts.append(name)
    if f.milestone_id:
        parts.append(f.milestone_id)
    return " · ".join(parts)


def _only(what: str, kinds: str) -> InputError:
    return InputError(f"{what}格式只适用于 export {kinds}")


def _occurrences(kind: str, s: Session, f: Filters, day: dt.date, days: int, fmt: str, to: Path, detail: bool = False,
                 alarms: list[int] | None = None, over_days: int | None = None) -> int:
    def rows() -> Iterator[Row]:
        return reports.iter_overdue(s, f, day) if kind == "overdue" else reports.iter_upcoming(s, f, day, days)

    columns = rc.OVERDUE_COLUMNS if kind == "overdue" else rc.UPCOMING_COLUMNS
    if fmt == "csv":
        return exports.write_csv(to, workbooks.occurrence_records(rows(), event_directions(s)), columns)
    if fmt == "json":
        return exports.write_json(to, workbooks.occurrence_records(rows(), event_directions(s)))
    if fmt == "ics":
        if kind != "upcoming":
            raise _only("ICS 日历", "upcoming")

        memory = published.FeedMemory(s, calendar.feed_key(f, detail))
        data, n, recorded = calendar.export(s, f, day, days, memory, detail=detail, alarms=alarms,
                                            name=f"治本攻坚期限({_scope(s, f)})")
        exports.write_bytes(to, data)
        if not recorded:
            typer.echo("注意:数据库只读,本次发布的日程未记录;以后事项完成或撤销时,订阅的日历不会收到取消通知", err=True)
        return n
    sheets, book = workbooks.occurrences(s, kind, f, _scope(s, f), day, days, over_days=over_days)
    label = "导出逾期事项清单" if kind == "overdue" else "导出即将到期事项清单"
    return xlsx.to_file(to, sheets, book, progress_label=label) - len(list(sheets[0].records))


def _progress(s: Session, f: Filters, day: dt.date, by: str, fmt: str, to: Path) -> int:
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    if fmt in ("csv", "json"):
        summary = workbooks.progress_records(s, f, day, by)
        data = (exports.csv_bytes(summary, workbooks.progress_columns(by)) if fmt == "csv"
                else exports.json_bytes(summary))
        exports.write_bytes(to, data)
        return len(summary)
    sheets, book, n = workbooks.progress(s, f, _scope(s, f), day, by)
    xlsx.to_file(to, sheets, book, progress_label="导出完成进度")
    return n


def _catalogue(s: Session, plan: str | None, who: str | None, milestone_id: str | None, fmt: str, day: dt.date,
               to: Path) -> int:
    records = catalogue.listing(s, plan=plan, who=who, milestone_id=milestone_id)
    if fmt == "csv":
        exports.write_bytes(to, exports.csv_bytes(records, workbooks.CATALOGUE_COLUMNS))
        return len(records)
    if fmt == "json":
        exports.write_bytes(to, exports.json_bytes(records))
        return len(records)
    if fmt == "ics":
        raise _only("ICS 日历", "upcoming")
    scope = " · ".join([terms.PLAN_NAMES[plan] if plan else "三个方案"] + ([terms.SUBJECT_NAMES[who]] if who else []))
    sheets, book = workbooks.catalogue(s, records, [plan] if plan else list(terms.Plan), scope, day)
    xlsx.to_file(to, sheets, book)
    return len(records)


def _template(s: Session, county: str | None, day: dt.date, days: int, fmt: str, to: Path) -> int:
    if not county:
        raise InputError("导出填报模板须用 --county 指定县(市、区)")
    if fmt not in ("xlsx", "csv"):
        raise InputError("填报模板只能导出为 xlsx 或 csv")
    subject = subjects.county_subject(s, county)
    if fmt == "csv":
        records = statussheet.template_records(s, subject.id, day, days)
        exports.write_bytes(to, exports.csv_bytes(records, statussheet.TEMPLATE_COLUMNS))
        return len(records)
    sheets, book, n = statussheet.workbook(s, subject, subject.id, day, days)
    xlsx.to_file(to, sheets, book)
    return n


def export(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="内容", help="导出内容:overdue|upcoming|progress|catalogue|template"),
    to: Path = typer.Option(..., "--to", help="输出文件,如 逾期.xlsx、逾期.csv、期限.ics"),
    fmt: str = typer.Option(None, "--format", "-f", help="文件格式:csv|xlsx|ics|json(默认按扩展名)"),
    days: int = typer.Option(30, "--days", help="upcoming/template:未来天数", min=0, max=common.MAX_DAYS),
    detail: bool = typer.Option(False, "--detail", help="ICS:每个责任主体每个周期一个日程(默认每个县区每天一个日程,列出当天的全部事项)"),
    remind: str = typer.Option("7,1", "--remind", metavar="<天数>", help="ICS:提前几天提醒,逗号分隔(默认 7,1;0 表示不提醒)"),
    severe_days: int = typer.Option(None, "--highlight-days", help="XLSX:逾期超过多少天的行以红底标出(默认标出逾期最久的一成和近 7 天新增逾期)",
                                    min=0, max=common.MAX_DAYS),
    by: str = typer.Option("county", "--by", help="progress 分组:county|plan|milestone|enterprise"),
    plan: str = cr.Plan, county: str = cr.County, who: str = cr.Who, enterprise: str = cr.Ent,
    sector: str = cr.Sector, tag: str = cr.Tag, risk: str = cr.Risk, milestone_id: str = cr.Mid,
    as_of: str = cr.AsOf, force: bool = common.Force,
) -> None:
    """把报表导出为文件(CSV 可直接用 Excel 打开,XLSX 带格式,ICS 可导入日历),或导出县区填报模板。"""
    common.choice(kind, KINDS, "导出内容")
    common.choice(by, progress_report.BY, "分组方式")
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
                                 over_days=severe_days)
    unit = "个日程" if out_fmt == "ics" else "行"
    typer.echo(f"已导出 {n} {unit}到 {to}({out_fmt.upper()})")


def register(parent: typer.Typer) -> None:
    parent.command("export")(export)
