"""zhiben report --to report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common
from zhiben.outputs import exports, progress
from zhiben.outputs import html_report as htmlreport
from zhiben.reports import briefing, evidence


def report(
    ctx: typer.Context,
    to: Path = typer.Option(..., "--to", help="输出的 HTML 文件,如 report.html"),
    as_of: str = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP),
    days: int = typer.Option(30, "--days", help="“即将到期”统计的未来天数", min=0, max=common.MAX_DAYS),
    force: bool = common.Force,
) -> None:
    """生成会议用的单文件 HTML 报告,离线可打开,可直接打印为 A4,手机上也能看。

    内容:汇总卡片、各县区和各方案逾期率图、县区×方案表(县区按逾期率排名,市局事项单列)、
    量化目标测算值、即将到期事项、按事项汇总的逾期事项(逐条清单请用 zhiben export overdue)。
    """
    day = common.as_of(as_of)
    common.output_file(to, force)
    with common.session(ctx) as s:
        b = briefing.brief(s, briefing.CITY, day, upcoming_days=days, targets=True, trend_every="month",
                           track=progress.track)
        files = evidence.by_county(s, day)
    html = htmlreport.build(b, files)
    exports.write_bytes(to, html.encode("utf-8"))
    typer.echo(f"已生成报告 {to}(截至 {day})")


def register(parent: typer.Typer) -> None:
    parent.command("report")(report)
