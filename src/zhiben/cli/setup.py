"""zhiben init / load."""

from __future__ import annotations

import typer

from zhiben import terms
from zhiben.catalogue import model as catalogue
from zhiben.cli import common, welcome
from zhiben.register import parks, queries
from zhiben.reports import catalogue as catalogue_report
from zhiben.tracking import load as loader


def init(ctx: typer.Context) -> None:
    """创建数据库并载入事项目录和 11 个县级单位。

    默认位置(用户数据目录)首次使用时会自动建库;用 --db 或 ZHIBEN_DB 指定的新路径须先运行 init。
    """
    where = common.location(ctx)

    with common.session(ctx, create=True) as s:
        n_m, n_c = catalogue_report.size(s)
        n_e = queries.active_count(s)
        n_p = len(parks.listing(s))
    typer.echo(f"数据库:{where.shown}")
    typer.echo(f"已就绪:{n_m} 个事项,{n_c} 个县级单位" + (f",{n_e:,} 家在册企业" if n_e else ""))
    if not n_e:
        typer.echo(welcome.EMPTY_REGISTER)
    if not n_p:
        typer.echo(welcome.NO_PARKS)


def load(
    ctx: typer.Context,
    file: str = typer.Argument(None, help="事项目录 TOML 文件(默认为随程序发布的目录)"),
) -> None:
    """重新载入事项目录:幂等,保留所有完成记录;从目录中消失的事项只标记停用并报告。"""
    cat = catalogue.read(file)
    with common.session(ctx) as s:
        rep = loader.load(cat, session=s)
    typer.echo(f"已载入 {rep.total} 个事项:新增 {len(rep.added)},更新 {len(rep.updated)},未变 {rep.unchanged}")
    if rep.tags_added:
        typer.echo(f"新增标签 {len(rep.tags_added)} 个:{'、'.join(rep.tags_added)}")
    for name, what, old, new in rep.tags_changed:
        if what == "sector":
            typer.echo(f"注意:标签“{name}”的行业由 {terms.SECTOR_NAMES.get(old, old)} 改为 {terms.SECTOR_NAMES.get(new, new)}")
        else:
            typer.echo(f"注意:标签“{name}”的引文已更改:“{old}” → “{new}”")
    for mid, kept in rep.removed:
        typer.echo(f"注意:事项 {mid} 已不在目录中,已停用(保留 {kept} 条完成记录)")
    for mid, n in rep.rekeyed:
        typer.echo(f"注意:事项 {mid} 的周期改按所报告(整改)的周期计,{n} 条完成记录随之移到对应周期")
    for mid, period in rep.orphaned:
        typer.echo(f"注意:事项 {mid} 的周期 {period} 已不在新规则中,其完成记录保留但不再计入统计")


def register(parent: typer.Typer) -> None:
    parent.command("init")(init)
    parent.command("load")(load)
