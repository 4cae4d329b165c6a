"""zhiben check: the materialised schedule against a fresh computation."""

from __future__ import annotations

import typer

from zhiben.cli import common
from zhiben.db import occurrences

SHOWN = 20
FIELDS = ("事项", "主体类别", "主体编号", "周期", "方案", "排序", "期限", "期限类型", "县区编号", "县区排序", "园区编号",
          "企业编号", "主体", "信用代码", "取消日期", "完成日期")


def _describe(row: tuple) -> str:
    return f"{row[0]} {row[12]} {row[3]}(期限 {row[6]})"


def _v(value: object) -> str:
    return "无" if value is None else str(value)


def check(ctx: typer.Context,
          repair: bool = typer.Option(False, "--repair", help="不一致时按重新计算的结果重建事项实例表")) -> None:
    """核对事项实例表:从头重新计算全部期限,与表中内容逐条比较。"""
    with common.session(ctx) as s:
        diff = occurrences.check(s)
        total = occurrences.count(s)
        if diff.ok:
            typer.echo(f"事项实例表与重新计算的结果一致(共 {total:,} 条)")
            return
        lines = [f"缺少:{_describe(r)}" for r in diff.missing]
        lines += [f"多余:{_describe(r)}" for r in diff.extra]
        for old, new in diff.changed:
            fields = "、".join(f"{FIELDS[i]} {_v(old[i])} → {_v(new[i])}" for i in range(len(old)) if old[i] != new[i])
            lines.append(f"不符:{_describe(old)}:{fields}")
        # A count group: county id (0: the city), plan, subject kind, due, bound, done on, closed on.
        lines += [f"计数不符:县区编号 {c[0]} {c[1]} {c[2]} 期限 {c[3]}({c[4]})完成 {c[5]} 取消 {c[6]}:"
                  f"表中 {c[7]},应为 {c[8]}" for c in diff.counts]
        counts = f",计数不符 {len(diff.counts)} 组" if diff.counts else ""
        typer.echo(f"事项实例表与重新计算的结果不一致:缺少 {len(diff.missing)} 条,多余 {len(diff.extra)} 条,"
                   f"内容不符 {len(diff.changed)} 条{counts}", err=True)
        for line in lines[:SHOWN]:
            typer.echo(f"  {line}", err=True)
        if len(lines) > SHOWN:
            typer.echo(f"  ……另有 {len(lines) - SHOWN} 条", err=True)
        if repair:
            occurrences.rebuild(s)
            typer.echo(f"已重建事项实例表(共 {occurrences.count(s):,} 条)")
            return
    typer.echo("可用 zhiben check --repair 重建", err=True)
    raise typer.Exit(1)


def register(parent: typer.Typer) -> None:
    parent.command("check")(check)
