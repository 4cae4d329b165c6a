"""zhiben park add / list."""

from __future__ import annotations

import typer

from zhiben.cli import common
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.register import parks

app = typer.Typer(help="化工园区:登记和列出园区。", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="园区名称", help="园区名称"),
    county: str = typer.Option(..., "--county", help="园区所在县(市、区),可用简称"),
) -> None:
    """登记一个化工园区。"""
    with common.session(ctx) as s:
        out = parks.add(s, name, county)
    if out.created:
        typer.echo(f"已登记园区“{out.name}”({out.county})")
    else:
        typer.echo(f"园区“{out.name}”({out.county})已登记,未作改动")


@app.command("list")
def list_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)) -> None:
    """列出已登记的园区及其在册企业数。"""
    render.check_format(fmt)
    with common.session(ctx) as s:
        records = parks.listing(s)
    render.emit(records, tables.PARKS, fmt, title="化工园区",
                empty="尚未登记园区;用 zhiben park add 名称 --county 县区 登记")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="park")
