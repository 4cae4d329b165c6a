"""zhiben overdue / upcoming / progress."""

from __future__ import annotations

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.reports.labels import event_directions
from zhiben.reports.records import OVERDUE_COLUMNS, PROGRESS_COLUMNS, UPCOMING_COLUMNS, progress_records, row_record

BY = ("county", "plan", "milestone", "enterprise")


def filters_for(session, *, plan=None, county=None, who=None, enterprise=None, sector=None, tag=None, risk=None,
                milestone_id=None):
    """Turn CLI filter options into reports.Filters, resolving names with Chinese errors."""
    from zhiben.reports import rows as reports
    from zhiben.tracking import subjects

    return reports.Filters(
        plan=common.choice(plan, tuple(terms.Plan), "方案") if plan else None,
        county_id=subjects.county_subject(session, county).id if county else None,
        who=common.choice(who, tuple(terms.SubjectKind), "责任主体类别") if who else None,
        enterprise_id=subjects.find_enterprise(session, enterprise).id if enterprise else None,
        sector=terms.resolve_sector(sector) if sector else None,
        tag=tag,
        risk=terms.resolve_risk(risk) if risk else None,
        milestone_id=subjects.get_milestone(session, milestone_id).id if milestone_id else None,
    )


def effective_note(session) -> str:
    """"方案自 … 起施行": every report says from when periods are counted."""
    from zhiben.tracking import load as loader

    return f"方案自 {loader.effective_date(session)} 起施行"


Plan = typer.Option(None, "--plan", help=f"方案:{terms.PLAN_CHOICES}")
County = typer.Option(None, "--county", help="县级单位(含其辖区企业),可用简称")
Who = typer.Option(None, "--who", help=f"责任主体类别:{terms.SUBJECT_CHOICES}")
Ent = typer.Option(None, "--enterprise", help="企业统一社会信用代码或全称")
Sector = typer.Option(None, "--sector", help=f"企业行业:{terms.PLAN_CHOICES} 或中文")
Tag = typer.Option(None, "--tag", help="企业标签,如 粉尘涉爆")
Risk = typer.Option(None, "--risk", help=f"企业风险等级:{terms.RISK_CHOICES}")
Mid = typer.Option(None, "--id", help="只看某个事项")
AsOf = typer.Option(None, "--as-of", help=common.AS_OF_HELP)
Fmt = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)


def overdue(ctx: typer.Context, plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
            sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
            fmt: str = Fmt):
    """列出截至某日已逾期未完成的事项。"""
    from zhiben.outputs import terminal as render
    from zhiben.reports import rows as reports

    render.check_format(fmt)
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        f = filters_for(s, plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                        risk=risk, milestone_id=milestone_id)
        dirs = event_directions(s)
        records = [row_record(r, dirs) for r in reports.overdue(s, f, day)]
        since = effective_note(s)
    render.emit(records, OVERDUE_COLUMNS, fmt, title=f"截至 {day} 逾期事项({len(records)} 项;{since})",
                empty=f"截至 {day} 没有逾期事项")


def upcoming(ctx: typer.Context, days: int = typer.Option(30, "--days", help="未来天数", min=0, max=common.MAX_DAYS),
             plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
             sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
             fmt: str = Fmt):
    """列出未来若干天内到期、尚未完成的事项。"""
    from zhiben.outputs import terminal as render
    from zhiben.reports import rows as reports

    render.check_format(fmt)
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        f = filters_for(s, plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                        risk=risk, milestone_id=milestone_id)
        dirs = event_directions(s)
        records = [row_record(r, dirs) for r in reports.upcoming(s, f, day, days)]
        since = effective_note(s)
    render.emit(records, UPCOMING_COLUMNS, fmt, title=f"{day} 起 {days} 天内到期事项({len(records)} 项;{since})",
                empty=f"{day} 起 {days} 天内没有到期事项")


def progress(ctx: typer.Context, by: str = typer.Option("county", "--by", help="分组:county|plan|milestone|enterprise"),
             plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
             sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
             fmt: str = Fmt, chart: bool = typer.Option(False, "--chart", help="以条形图显示完成率"),
             targets: bool = typer.Option(False, "--targets", help="改为显示量化目标的测算值、目标值和达标情况")):
    """完成进度:各组已到期、已完成、逾期的事项数和完成率。"""
    from zhiben.outputs import terminal as render
    from zhiben.reports import rows as reports

    if targets:
        from zhiben.cli import target

        return target.show_table(ctx, plan=plan, county=county, milestone_id=milestone_id, as_of=as_of, fmt=fmt,
                                 unsupported={"--by": by != "county", "--who": who, "--enterprise": enterprise,
                                              "--sector": sector, "--tag": tag, "--risk": risk, "--chart": chart})
    render.check_format(fmt)
    common.choice(by, BY, "分组方式")
    day = common.as_of(as_of)
    with common.session(ctx) as s:
        f = filters_for(s, plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                        risk=risk, milestone_id=milestone_id)
        records = progress_records(reports.progress(s, f, day, by))
        since = effective_note(s)
    if by == "plan":
        for r in records:
            r["label"] = terms.PLAN_NAMES.get(r["label"], r["label"])
    title = (f"截至 {day} 完成进度(按{ {'county': '县区', 'plan': '方案', 'milestone': '事项', 'enterprise': '企业'}[by]};"
             f"{since})")
    if chart:
        from zhiben.cli.meeting import print_chart

        return print_chart(records, title)
    render.emit(records, PROGRESS_COLUMNS, fmt, title=title)


def register(parent: typer.Typer) -> None:
    parent.command("overdue")(overdue)
    parent.command("upcoming")(upcoming)
    parent.command("progress")(progress)
