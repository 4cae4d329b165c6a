"""zhiben report --to report.html, and the terminal bar view of `zhiben progress --chart`."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common

BAR_WIDTH = 20


def report(
    ctx: typer.Context,
    to: Path = typer.Option(..., "--to", help="输出的 HTML 文件,如 report.html"),
    as_of: str = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP),
    days: int = typer.Option(30, "--days", help="“即将到期”统计的未来天数", min=0, max=common.MAX_DAYS),
    force: bool = common.Force,
):
    """生成会议用的单文件 HTML 报告,离线可打开,可直接打印为 A4,手机上也能看。

    内容:汇总卡片、各县区和各方案逾期率图、县区×方案表(县区按逾期率排名,市局事项单列)、
    量化目标测算值、即将到期事项、按事项汇总的逾期事项(逐条清单请用 zhiben export overdue)。
    """
    from zhiben.outputs import exports
    from zhiben.outputs import html_report as htmlreport

    day = common.as_of(as_of)
    common.output_file(to, force)
    with common.session(ctx) as s:
        html = htmlreport.build(s, day, upcoming_days=days)
    exports.write_bytes(to, html.encode("utf-8"))
    typer.echo(f"已生成报告 {to}(截至 {day})")


def print_chart(records: list[dict], title: str) -> None:
    """A compact completion-rate bar per group (rich), for `progress --chart`."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not records:
        console.print("没有符合条件的记录")
        return
    table = Table(title=title, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("名称", no_wrap=True)
    table.add_column("完成率", no_wrap=True)
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("完成/到期", justify="right", no_wrap=True)
    table.add_column("逾期", justify="right", no_wrap=True)
    for r in records:
        rate = r["rate"]
        filled = 0 if rate is None else round(rate * BAR_WIDTH)
        color = "green" if rate is not None and rate >= 0.9 else "yellow" if rate is not None and rate >= 0.6 else "red"
        bar = f"[{color}]{'█' * filled}[/][dim]{'░' * (BAR_WIDTH - filled)}[/]"
        pct = "—" if rate is None else f"{rate:.1%}"
        overdue = f"[red]{r['overdue']}[/]" if r["overdue"] else "0"
        table.add_row(str(r["label"]), bar, pct, f"{r['done']}/{r['due_so_far']}", overdue)
    console.print(table)


def register(parent: typer.Typer) -> None:
    parent.command("report")(report)
