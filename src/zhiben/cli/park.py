"""zhiben park add / list."""

from __future__ import annotations

import typer

from zhiben.cli import common

app = typer.Typer(help="化工园区:登记和列出园区。", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME", help="园区名称"),
    county: str = typer.Option(..., "--county", help="园区所在县(市、区),可用简称"),
):
    """登记一个化工园区。"""
    from sqlalchemy import select

    from zhiben.db import models
    from zhiben.tracking import subjects
    from zhiben.errors import InputError

    name = name.strip()
    if not name:
        raise InputError("园区名称不能为空")
    with common.session(ctx) as s:
        c = subjects.county_subject(s, county)
        row = s.execute(select(models.Park).where(models.Park.name == name)).scalar()
        if row is not None:
            owner = s.get(models.County, row.county_id).name
            if owner != c.name:
                raise InputError(f"园区“{name}”已登记在{owner},不能再登记到{c.name}")
            typer.echo(f"园区“{name}”({owner})已登记,未作改动")
            return
        s.add(models.Park(name=name, county_id=c.id))
    typer.echo(f"已登记园区“{name}”({c.name})")


@app.command("list")
def list_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)):
    """列出已登记的园区及其在册企业数。"""
    from sqlalchemy import func, select

    from zhiben.db import models
    from zhiben.outputs import terminal as render

    render.check_format(fmt)
    P, C, E = models.Park, models.County, models.Enterprise
    count = (select(func.count()).select_from(E).where(E.park_id == P.id, E.active.is_(True))
             .correlate(P).scalar_subquery())
    q = select(P.name, C.name.label("county"), count.label("enterprises")).join(C, C.id == P.county_id) \
        .order_by(C.position, P.name)
    with common.session(ctx) as s:
        records = [{"name": r.name, "county": r.county, "enterprises": r.enterprises} for r in s.execute(q)]
    render.emit(records, [("name", "园区"), ("county", "所属县区"), ("enterprises", "在册企业数")], fmt,
                title="化工园区", empty="尚未登记园区;用 zhiben park add 名称 --county 县区 登记")
