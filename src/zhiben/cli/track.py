"""zhiben done / reopen."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from zhiben.cli import common, words
from zhiben.db import files
from zhiben.errors import InputError
from zhiben.tracking import marks

if TYPE_CHECKING:
    from zhiben.tracking.marks import Change, Lean, Subject



def _again(change: Change) -> str:
    """The command-line words naming this occurrence again (for a correction hint)."""
    def q(text: str) -> str:  # Chinese names need no quoting; spaces and shell characters do
        return text if re.fullmatch(r"[\w.:/-]+", text) else shlex.quote(text)

    s = change.subject
    who = {"city": "--city", "county": f"--county {q(s.name)}", "park": f"--park {q(s.name)}",
           "enterprise": f"--enterprise {q(s.name)}"}[s.kind]
    period = "" if change.period == "once" else f" --period {q(change.period.split(':')[0])}"
    return f"{change.milestone_id} {who}{period}"


def done(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="事项编号", help="事项编号"),
    county: str = typer.Option(None, "--county", help="县(市、区)名称或简称,如 茌平、高新区"),
    city: bool = typer.Option(False, "--city", help="市级事项"),
    park: str = typer.Option(None, "--park", help="化工园区名称"),
    enterprise: str = typer.Option(None, "--enterprise", help="企业:统一社会信用代码(或其开头)、全称或名称中唯一的一段"),
    period: str = typer.Option(None, "--period", help=words.PERIOD_HELP),
    on: str = typer.Option(None, "--on", metavar="<日期>", help="完成日期(默认今天)"),
    evidence: str = typer.Option(None, "--evidence", help="佐证材料"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
    all_in_county: str = typer.Option(None, "--all-in-county", help="批量:该县区全部适用的在册企业"),
    codes_file: str = typer.Option(None, "--codes-file", help="批量:企业清单文件,每行一个统一社会信用代码或企业全称"),
    attach: list[str] = typer.Option(None, "--attach", metavar="<文件>", help="佐证文件(可重复;PDF、图片、Office 文档、UTF-8 文本、ZIP),存入数据库"),
) -> None:
    """标记一个事项(一个周期)已完成,并写入变更日志;--attach 同时保存佐证文件。"""
    by = by or words.current_user()
    on_date = common.parse_date(on, "完成日期")
    if all_in_county or codes_file:
        return _done_batch(ctx, milestone_id, all_in_county=all_in_county, codes_file=codes_file,
                           others=(county, city, park, enterprise), period=period, on=on_date,
                           evidence=evidence, by=by, attach=attach or [])
    if not attach:
        change = _lean(ctx, lambda src, who: marks.mark_done(src, milestone_id, who, period=period, on=on_date,
                                                             evidence=evidence, by=by),
                       county=county, city=city, park=park, enterprise=enterprise)
        if change is not None:
            return _done_lines(change, on_date)
    # The full path: these load the ORM, which the lean path above never pays for.
    from zhiben.tracking import completions, subjects
    from zhiben.tracking import evidence as files

    with common.session(ctx) as s:
        subject = subjects.named(s, county=county, city=city, park=park, enterprise=enterprise)
        # Every file is checked before the completion is written: a refused file records nothing.
        candidates = files.examine(s, attach) if attach else []
        change = completions.mark_done(s, milestone_id, subject, period=period, on=on_date, evidence=evidence, by=by)
        attached = files.attach(s, milestone_id, subject, period, candidates, by=by) if candidates else None
    _done_lines(change, on_date)
    if attached is not None:
        for line in words.attach_lines(attached):
            typer.echo(line)


def _lean(ctx: typer.Context, write: Callable[[Lean, Subject], Change | None],
          **named: Any) -> Change | None:
    """Run `write(source, subject)` in one transaction on the lean path (tracking/marks.py: sqlite3
    or psycopg): its Change, or None when that path does not apply (an old schema, a read-only
    folder, a case it leaves to the full path), nothing written then."""
    where = common.location(ctx)
    src = files.open_lean_writer(where)
    if src is None:
        return None

    def run() -> Change | None:
        who = marks.subject(src, **named)
        return None if who is None else write(src, who)

    try:
        return marks.once(src, run)
    finally:
        src.close()


def _done_lines(change: Change, on_date: dt.date | None) -> None:
    if change.changed:
        typer.echo(f"已完成:{words.describe(change)},完成日期 {change.done_on}")
    elif on_date is not None and on_date != change.done_on:
        typer.echo(f"无变化:{words.describe(change)} 已于 {change.done_on} 标记完成,未改为 {on_date}")
        typer.echo(f"如需更正完成日期:先 zhiben reopen {_again(change)} --reason 更正日期,"
                   f"再 zhiben done {_again(change)} --on {on_date}")
    else:
        typer.echo(f"无变化:{words.describe(change)} 已于 {change.done_on} 标记完成")


def _done_batch(ctx: typer.Context, milestone_id: str, *, all_in_county: str | None, codes_file: str | None,
                others: tuple[str | None, bool, str | None, str | None], period: str | None, on: dt.date | None,
                evidence: str | None, by: str | None, attach: list[str]) -> None:
    # The full path (see done).
    from zhiben.register import codes_file as codesfile
    from zhiben.tracking import completions, subjects
    from zhiben.tracking import evidence as files

    if (all_in_county and codes_file) or any(others):
        raise InputError("批量记录时只能指定 --all-in-county 或 --codes-file 之一,不能再指定其他责任主体")
    with common.session(ctx) as s:
        if codes_file:
            items = codesfile.read(s, codes_file)
            source = f"file:{codes_file}"
        else:
            assert all_in_county  # one of the two batch options was given
            county = subjects.county_subject(s, all_in_county)
            items = [(f"{e.credit_code} {e.name}", e) for e in completions.county_enterprises(s, milestone_id, county)]
            source = f"county:{county.name}"
        candidates = files.examine(s, attach) if attach else []
        changes = completions.mark_done_many(s, milestone_id, items, period=period, on=on, evidence=evidence,
                                          by=by, source=source)
        # One stored copy, cited by each enterprise's record (e.g. the county's notice covering them all).
        attached = [files.attach(s, milestone_id, subjects.Subject("enterprise", e.id, e.name, e.county_id), period,
                                 candidates, by=by, source=source) for _, e in items] if candidates else []
    made = sum(c.changed for c in changes)
    periods = {c.period.split(":")[0] for c in changes}
    when = f" 周期 {periods.pop()}" if len(periods) == 1 and "once" not in periods else ""
    typer.echo(f"批量记录 {milestone_id}{when}:共 {len(changes)} 家企业,完成 {made},无变化 {len(changes) - made}")
    if attached:
        added = sum(len(a.added) for a in attached)
        typer.echo(f"佐证文件 {len(candidates)} 个:添加到 {len(attached)} 条记录,新增引用 {added} 个(内容各只保存一份)")


def reopen(
    ctx: typer.Context,
    milestone_id: str = typer.Argument(..., metavar="事项编号", help="事项编号"),
    county: str = typer.Option(None, "--county", help="县(市、区)名称或简称"),
    city: bool = typer.Option(False, "--city", help="市级事项"),
    park: str = typer.Option(None, "--park", help="化工园区名称"),
    enterprise: str = typer.Option(None, "--enterprise", help="企业:统一社会信用代码(或其开头)、全称或名称中唯一的一段"),
    period: str = typer.Option(None, "--period", help=words.PERIOD_HELP),
    reason: str = typer.Option(None, "--reason", help="撤销原因"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
) -> None:
    """撤销一个完成记录(事项恢复为未完成),并写入变更日志。"""
    by = by or words.current_user()
    change = _lean(ctx, lambda src, who: marks.reopen(src, milestone_id, who, period=period, reason=reason, by=by),
                   county=county, city=city, park=park, enterprise=enterprise)
    if change is None:
        from zhiben.tracking import completions, subjects  # the full path (see done)

        with common.session(ctx) as s:
            subject = subjects.named(s, county=county, city=city, park=park, enterprise=enterprise)
            change = completions.reopen(s, milestone_id, subject, period=period, reason=reason, by=by)
    if change.changed:
        typer.echo(f"已撤销完成:{words.describe(change)}")
    else:
        typer.echo(f"无变化:{words.describe(change)} 本来就未完成")


def register(parent: typer.Typer) -> None:
    parent.command("done")(done)
    parent.command("reopen")(reopen)
