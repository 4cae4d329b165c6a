"""zhiben backup / restore."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common
from zhiben.db import backup as backup_mod


def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="文件", help="备份文件路径"),
    force: bool = typer.Option(False, "--force", help="备份文件已存在时覆盖"),
) -> None:
    """在线备份数据库(其他人同时读写也安全);PostgreSQL 请用 pg_dump。"""
    dest = backup_mod.backup(common.location(ctx), file, force=force)
    typer.echo(f"已备份到 {dest}({dest.stat().st_size // 1024} KB)")


def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="备份文件", help="由 zhiben backup 生成的备份文件"),
) -> None:
    """从备份恢复数据库:先校验备份文件;恢复前的数据库另存为带时间的 .bak 文件(每次一个新文件,不覆盖)。"""
    done = backup_mod.restore(common.location(ctx), file)
    typer.echo(f"已从 {file} 恢复数据库 {done.target}(结构版本 {done.version})")
    if done.kept:
        typer.echo(f"恢复前的数据库已保存为 {done.kept}(如需找回:zhiben restore {done.kept})")


def register(parent: typer.Typer) -> None:
    parent.command("backup")(backup)
    parent.command("restore")(restore)
