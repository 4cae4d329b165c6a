"""zhiben overdue / upcoming / progress."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from zhiben import terms
from zhiben.cli import common
from zhiben.outputs import listing_view, progress_view
from zhiben.outputs import terminal as render
from zhiben.reports import filters, listing
from zhiben.reports import progress as progress_report

if TYPE_CHECKING:
    from zhiben.db.read import Readable
    from zhiben.reports.rows import Filters



def filters_for(src: Readable, **values: str | None) -> Filters:
    """CLI filter options → reports.Filters; unknown or empty values are Chinese errors (exit 2)."""
    return filters.resolve(src, **values)


def effective_note(src: Readable) -> str:
    """"方案自 … 起施行": every report says from when periods are counted."""
    return listing.since(src)


Plan = typer.Option(None, "--plan", help=f"方案:{terms.PLAN_CHOICES} 或 化工、矿山、工贸")
County = typer.Option(None, "--county", help="县级单位(含其辖区企业),可用简称")
Who = typer.Option(None, "--who", help=f"责任主体类别:{terms.SUBJECT_CHOICES} 或 市级、县级、园区、企业")
Ent = typer.Option(None, "--enterprise", help="企业:统一社会信用代码(或其开头)、全称或名称中唯一的一段")
Sector = typer.Option(None, "--sector", help=f"企业行业:{terms.PLAN_CHOICES} 或中文")
Tag = typer.Option(None, "--tag", help="企业标签,如 粉尘涉爆")
Risk = typer.Option(None, "--risk", help=f"企业风险等级:{terms.RISK_CHOICES}")
Mid = typer.Option(None, "--id", help="只看某个事项")
AsOf = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP)
Fmt = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)


Detail = typer.Option(False, "--detail", help="逐行列出每个责任主体、每个周期(默认先按事项汇总)")
Limit = typer.Option(None, "--limit", min=0, help=f"最多显示 N 行,其余注明“另有 N 项未显示”;0 为全部"
                     f"(终端上 --detail 默认 {listing_view.TERMINAL_DETAIL_ROWS} 行,输出到文件或管道时默认全部)")
Group = typer.Option(False, "--group", help="json/csv 输出按事项汇总的结果(默认为逐行明细)")


def overdue(ctx: typer.Context, plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
            sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
            fmt: str = Fmt, detail: bool = Detail, limit: int = Limit, group: bool = Group) -> None:
    """逾期事项:先按事项汇总(涉及县区、企业数,最长逾期),--detail 逐行列出。"""
    day = common.as_of(as_of)
    _occurrences(ctx, "overdue", day, None, fmt=fmt, detail=detail, limit=limit, group=group,
                 filters=dict(plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                              risk=risk, milestone_id=milestone_id))


def upcoming(ctx: typer.Context, days: int = typer.Option(30, "--days", help="未来天数", min=0, max=common.MAX_DAYS),
             plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
             sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
             fmt: str = Fmt, detail: bool = Detail, limit: int = Limit, group: bool = Group) -> None:
    """即将到期:未来若干天内到期、尚未完成的事项,先按事项汇总,--detail 逐行列出。"""
    day = common.as_of(as_of)
    _occurrences(ctx, "upcoming", day, days, fmt=fmt, detail=detail, limit=limit, group=group,
                 filters=dict(plan=plan, county=county, who=who, enterprise=enterprise, sector=sector, tag=tag,
                              risk=risk, milestone_id=milestone_id))


def _occurrences(ctx: typer.Context, kind: str, day: dt.date, days: int | None, *, fmt: str, detail: bool,
                 limit: int | None, group: bool, filters: dict[str, str | None]) -> None:
    render.check_format(fmt)
    listing.check_shape(detail=detail, group=group, fmt=fmt)
    with common.reader(ctx) as s:
        x = listing.occurrences(s, kind, day, days, **filters)
        listing_view.emit(x, fmt, detail=detail, group=group, limit=limit,
                          width=render.screen() if fmt == "table" else None)


def progress(ctx: typer.Context, by: str = typer.Option("county", "--by", help="分组:county|plan|milestone|enterprise"),
             plan: str = Plan, county: str = County, who: str = Who, enterprise: str = Ent,
             sector: str = Sector, tag: str = Tag, risk: str = Risk, milestone_id: str = Mid, as_of: str = AsOf,
             fmt: str = Fmt, chart: bool = typer.Option(False, "--chart", help="以条形图显示完成率"),
             targets: bool = typer.Option(False, "--targets", help="改为显示量化目标的测算值、目标值和达标情况"),
             sort: str = typer.Option(None, "--sort", help="按县区排名:完成率|按期完成率|逾期率|逾期(第1名最好)"),
             limit: int = Limit,
             evidence: bool = typer.Option(False, "--evidence", help="增加“有佐证”列:已完成中至少附有一个佐证文件的比例")) -> None:
    """完成进度:按县区为通报格式(本级与企业分列、按期完成率、可排名),也可按方案、事项、企业。"""
    if targets:
        from zhiben.cli import target  # --targets leaves the lean read path: its module loads the ORM

        return target.show_table(ctx, plan=plan, county=county, milestone_id=milestone_id, as_of=as_of, fmt=fmt,
                                 unsupported={"--by": by != "county", "--who": who, "--enterprise": enterprise,
                                              "--sector": sector, "--tag": tag, "--risk": risk, "--chart": chart,
                                              "--sort": sort})
    render.check_format(fmt)
    common.choice(by, progress_report.BY, "分组方式")
    narrowed = any((who, enterprise, sector, tag, risk, milestone_id))
    order = progress_report.check_shape(by=by, sort=sort, evidence=evidence, narrowed=narrowed, chart=chart)
    day = common.as_of(as_of)
    with common.reader(ctx) as s:
        p = progress_report.progress(s, day, by=by, order=order, evidence=evidence, plan=plan, county=county,
                                     who=who, enterprise=enterprise, sector=sector, tag=tag, risk=risk,
                                     milestone_id=milestone_id)
    progress_view.emit(p, fmt, chart=chart, limit=limit, width=render.screen() if fmt == "table" else None)


def register(parent: typer.Typer) -> None:
    parent.command("overdue")(overdue)
    parent.command("upcoming")(upcoming)
    parent.command("progress")(progress)
