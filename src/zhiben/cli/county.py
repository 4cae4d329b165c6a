"""zhiben county list / set-contact."""

from __future__ import annotations

import typer

from zhiben.cli import common
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.register import counties

app = typer.Typer(help="县(市、区)及市属开发区。", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP)) -> None:
    """列出 11 个县级单位、简称和联系人。"""
    render.check_format(fmt)
    with common.session(ctx) as s:
        records = counties.listing(s)
    render.emit(records, tables.COUNTIES, fmt, title="县级单位")


@app.command("set-contact")
def set_contact(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="县级单位名称或简称,如 茌平、经开区"),
    email: str = typer.Option(..., "--email", help="联系邮箱,每周逾期清单发往此地址"),
    person: str = typer.Option(None, "--name", help="联系人姓名"),
) -> None:
    """设置县级单位的联系人和邮箱(用于 zhiben mail overdue --per-county)。"""
    with common.session(ctx) as s:
        row = counties.set_contact(s, name, email, person)
        typer.echo(f"已设置 {row.name} 的联系邮箱:{row.contact_email}"
                   + (f"(联系人:{row.contact_name})" if row.contact_name else ""))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="county")
