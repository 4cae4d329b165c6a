"""zhiben county list."""

from __future__ import annotations

import typer

from zhiben.cli import common

app = typer.Typer(help="县(市、区)及市属开发区。", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)):
    """列出 11 个县级单位、简称和联系人。"""
    from sqlmodel import select

    from zhiben import models, render

    render.check_format(fmt)
    with common.session(ctx) as s:
        rows = s.exec(select(models.County).order_by(models.County.position)).all()
        records = [{"name": c.name, "short": c.short, "contact_name": c.contact_name,
                    "contact_email": c.contact_email} for c in rows]
    render.emit(records, [("name", "名称"), ("short", "简称"), ("contact_name", "联系人"),
                          ("contact_email", "邮箱")], fmt, title="县级单位")
