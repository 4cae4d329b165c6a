"""zhiben config path / show / set / unset."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer

from zhiben.cli import common
from zhiben.db.location import ENV_VAR
from zhiben.inputs.limits import megabytes
from zhiben.mail import settings as config
from zhiben.tracking import evidence
from zhiben.tracking import load as loader

if TYPE_CHECKING:
    from zhiben.db.engine import Session

app = typer.Typer(help="设置:方案生效日期(存于数据库)、邮件等(配置文件、环境变量)。", no_args_is_help=True)

DB_SETTINGS = {"effective": "方案生效日期(印发日期;周期至少一半在其后的才计入)",
               "evidence-file-limit": "每个佐证文件的大小上限(默认 20MB)",
               "evidence-total-limit": "数据库中佐证文件的总量上限(默认 2048MB)"}
EVIDENCE_KEYS = {"evidence-file-limit": "evidence_file_limit", "evidence-total-limit": "evidence_total_limit"}


@app.command("path")
def path() -> None:
    """显示配置文件的位置(可用环境变量 ZHIBEN_CONFIG 改用其他文件)。"""
    typer.echo(str(config.config_path()))


@app.command("show")
def show(ctx: typer.Context) -> None:
    """显示当前生效的设置及其来源(不显示密码)。"""
    file = config.config_path()
    settings = config.load()
    typer.echo(f"配置文件:{file}{'' if file.exists() else '(不存在,使用环境变量和默认值)'}")
    for name, label in config.LABELS.items():
        value = getattr(settings, name)
        if name == "port":
            value = settings.effective_port
        elif name == "to":
            value = "、".join(value) if value else None
        elif name == "send_empty":
            value = "是" if value else "否"
        shown = "(未设置)" if value in (None, "") else value
        typer.echo(f"{label}:{shown}  [{settings.sources[name]}]")
    typer.echo(f"密码:{config.password_source(settings)}")
    typer.echo(f"数据库:{common.location(ctx).shown}  [{_db_source(ctx)}]")


def _db_source(ctx: typer.Context) -> str:
    given = ctx.find_root().get_parameter_source("db")
    names = {"COMMANDLINE": "--db", "ENVIRONMENT": f"环境变量 {ENV_VAR}"}
    return names.get(given.name, "默认位置") if given else "默认位置"


def _db_setting(name: str) -> str:
    return common.choice(name, tuple(DB_SETTINGS), "数据库设置项")


def _effective_line(s: Session) -> str:
    day, chosen = loader.effective_info(s)
    return f"方案生效日期:{day}  [{'数据库设置' if chosen else '事项目录默认'}]"


def _orphan_lines(orphaned: Iterable[tuple[str, str]]) -> None:
    for mid, period in orphaned:
        typer.echo(f"注意:事项 {mid} 的周期 {period} 已早于生效日期,其完成记录保留但不再计入统计")


@app.command("set")
def set_(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="设置项", help="设置项:effective(方案生效日期)、evidence-file-limit、"
                                                         "evidence-total-limit(佐证文件大小上限)"),
    value: str = typer.Argument(..., metavar="取值", help="取值,如 2024-03-15、20MB、4GB"),
) -> None:
    """修改保存在数据库中的设置:effective(方案生效日期,全部期限随之重新推算)或佐证文件的大小上限。"""
    _db_setting(name)
    if name in EVIDENCE_KEYS:
        return _evidence_limit(ctx, name, value)
    day = common.parse_date(value, "生效日期")
    with common.session(ctx) as s:
        orphaned = loader.set_effective(s, day)
        line = _effective_line(s)
    typer.echo(line)
    _orphan_lines(orphaned)


@app.command("unset")
def unset(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="设置项", help="设置项:effective(方案生效日期)"),
) -> None:
    """撤销数据库中的设置,恢复默认值(effective 恢复事项目录的日期,全部期限随之重新推算)。"""
    _db_setting(name)
    if name in EVIDENCE_KEYS:
        return _evidence_limit(ctx, name, None)
    with common.session(ctx) as s:
        orphaned = loader.set_effective(s, None)
        line = _effective_line(s)
    typer.echo(line)
    _orphan_lines(orphaned)


def _evidence_limit(ctx: typer.Context, name: str, value: str | None) -> None:
    key = EVIDENCE_KEYS[name]
    size = evidence.parse_size(value) if value is not None else None
    with common.session(ctx) as s:
        evidence.set_limit(s, key, size)
        now = evidence.limit(s, key)
    typer.echo(f"{DB_SETTINGS[name].split('(')[0]}:{megabytes(now)}  [{'数据库设置' if size else '默认'}]")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="config")
