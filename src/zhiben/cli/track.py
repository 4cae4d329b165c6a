"""zhiben done / reopen / log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from zhiben import terms
from zhiben.cli import common

if TYPE_CHECKING:
    from zhiben.db.engine import Session
    from zhiben.db.read import SqliteSource
    from zhiben.tracking.evidence import Attached
    from zhiben.tracking.marks import Change, Subject

PERIOD_HELP = "周期:月 2025-03、季度 2025-Q2、半年 2025-H1、年 2025;事件类事项为事件日期"


def subject_of(session: Session, *, county: str | None, city: bool, park: str | None,
               enterprise: str | None) -> Subject:
    from zhiben.errors import InputError
    from zhiben.tracking import subjects

    given = [x for x in (county, park, enterprise) if x] + ([True] if city else [])
    if len(given) != 1:
        raise InputError("请指定且只指定一个责任主体:--county 县名 | --city | --park 园区 | --enterprise 企业")
    if city:
        return subjects.CITY
    if county:
        return subjects.county_subject(session, county)
    if park:
        return subjects.park_subject(session, park)
    assert enterprise  # exactly one subject was given
    return subjects.enterprise_subject(session, enterprise)


def current_user() -> str | None:
    """Who is at the terminal, so the audit log says who even when --by is omitted."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _describe(change: Change | Attached) -> str:

    from zhiben.reports.labels import period_label

    period = "" if change.period == "once" else f" 周期 {period_label(change.period)}"
    if ":" in change.period:  # a county's supervision duty for one enterprise
        period += f"(检查企业 {change.period.split(':', 1)[1]})"
    return f"{change.milestone_id} {terms.SUBJECT_NAMES[change.subject.kind]}“{change.subject.name}”{period}"


def attach_lines(result: Attached) -> list[str]:
    """What an attach did, one line per file (shared by done --attach and status import)."""
    from zhiben.inputs.filetypes import label
    from zhiben.reports.evidence import size_text

    record = _describe(result)
    out = [f"已添加佐证文件:{f.name}({label(f.mime)},{size_text(f.size)})→ {record}" for f in result.added]
    out += [f"无变化:{c.name} 已是 {record} 的佐证文件(内容相同,只保存一份)" for c in result.repeated]
    return out


def _again(change: Change) -> str:
    """The command-line words naming this occurrence again (for a correction hint)."""
    import re
    import shlex

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
    period: str = typer.Option(None, "--period", help=PERIOD_HELP),
    on: str = typer.Option(None, "--on", metavar="<日期>", help="完成日期(默认今天)"),
    evidence: str = typer.Option(None, "--evidence", help="佐证材料"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
    all_in_county: str = typer.Option(None, "--all-in-county", help="批量:该县区全部适用的在册企业"),
    codes_file: str = typer.Option(None, "--codes-file", help="批量:企业清单文件,每行一个统一社会信用代码或企业全称"),
    attach: list[str] = typer.Option(None, "--attach", metavar="<文件>", help="佐证文件(可重复;PDF、图片、Office 文档、UTF-8 文本、ZIP),存入数据库"),
) -> None:
    """标记一个事项(一个周期)已完成,并写入变更日志;--attach 同时保存佐证文件。"""
    from zhiben.tracking import marks

    by = by or current_user()
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
    from zhiben.tracking import completions
    from zhiben.tracking import evidence as files

    with common.session(ctx) as s:
        subject = subject_of(s, county=county, city=city, park=park, enterprise=enterprise)
        # Every file is checked before the completion is written: a refused file records nothing.
        candidates = files.examine(s, attach) if attach else []
        change = completions.mark_done(s, milestone_id, subject, period=period, on=on_date, evidence=evidence, by=by)
        attached = files.attach(s, milestone_id, subject, period, candidates, by=by) if candidates else None
    _done_lines(change, on_date)
    if attached is not None:
        for line in attach_lines(attached):
            typer.echo(line)


def _lean(ctx: typer.Context, write: Callable[[SqliteSource, Subject], Change | None],
          **named: Any) -> Change | None:
    """Run `write(source, subject)` in one transaction on the lean sqlite3 path (tracking/marks.py):
    its Change, or None when that path does not apply (PostgreSQL, an old schema, a case it leaves
    to the full path), nothing written then."""
    from zhiben.db import files
    from zhiben.tracking import marks

    where = common.location(ctx)
    src = files.open_reader(where) if where.path is not None and files.writable(where.path.parent) else None
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
        typer.echo(f"已完成:{_describe(change)},完成日期 {change.done_on}")
    elif on_date is not None and on_date != change.done_on:
        typer.echo(f"无变化:{_describe(change)} 已于 {change.done_on} 标记完成,未改为 {on_date}")
        typer.echo(f"如需更正完成日期:先 zhiben reopen {_again(change)} --reason 更正日期,"
                   f"再 zhiben done {_again(change)} --on {on_date}")
    else:
        typer.echo(f"无变化:{_describe(change)} 已于 {change.done_on} 标记完成")


def _done_batch(ctx: typer.Context, milestone_id: str, *, all_in_county: str | None, codes_file: str | None,
                others: tuple[str | None, bool, str | None, str | None], period: str | None, on: dt.date | None,
                evidence: str | None, by: str | None, attach: list[str]) -> None:
    from zhiben.errors import InputError
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
    period: str = typer.Option(None, "--period", help=PERIOD_HELP),
    reason: str = typer.Option(None, "--reason", help="撤销原因"),
    by: str | None = typer.Option(None, "--by", help="记录人(默认为当前系统用户)"),
) -> None:
    """撤销一个完成记录(事项恢复为未完成),并写入变更日志。"""
    from zhiben.tracking import marks

    by = by or current_user()
    change = _lean(ctx, lambda src, who: marks.reopen(src, milestone_id, who, period=period, reason=reason, by=by),
                   county=county, city=city, park=park, enterprise=enterprise)
    if change is None:
        from zhiben.tracking import completions

        with common.session(ctx) as s:
            subject = subject_of(s, county=county, city=city, park=park, enterprise=enterprise)
            change = completions.reopen(s, milestone_id, subject, period=period, reason=reason, by=by)
    if change.changed:
        typer.echo(f"已撤销完成:{_describe(change)}")
    else:
        typer.echo(f"无变化:{_describe(change)} 本来就未完成")


STATUS = {"open": "未完成", "overdue": "逾期未完成", "done": "已完成"}
ACTIONS = {"done": "完成", "reopen": "撤销", "record": "填报", "attach": "添加佐证", "detach": "删除佐证"}


def log(
    ctx: typer.Context,
    milestone_id: str = typer.Option(None, "--id", help="只看某个事项"),
    county: str = typer.Option(None, "--county", help="只看某个县级单位的记录"),
    limit: int = typer.Option(50, "--limit", "-n", min=0, max=10**9, help="最多显示条数(0 为全部)"),
    fmt: str = typer.Option("table", "--format", "-f", help=common.FORMAT_HELP),
) -> None:
    """查看变更日志:何时、何人、何事、状态由何变为何、佐证。"""
    from zhiben.dates import local
    from zhiben.outputs import tables
    from zhiben.outputs import terminal as render
    from zhiben.reports import evidence as files
    from zhiben.reports.labels import period_label
    from zhiben.tracking import audit, lookup, subjects

    render.check_format(fmt)
    with common.session(ctx) as s:
        subject = subjects.county_subject(s, county) if county is not None else None
        if milestone_id is not None:  # the log keeps the history of items since dropped from the catalogue
            milestone_id = lookup.milestone(s, milestone_id, include_inactive=True)
        entries = audit.entries(s, milestone_id=milestone_id, subject=subject, limit=limit or None)
        # The record's evidence files now, beside each completion (added later ones are counted too).
        counts = files.counts(s, [(e.milestone_id, e.subject_kind, e.subject_id, e.period) for e in entries
                                  if e.action == "done"])
        records = [{
            "at": local(e.at), "by": e.by, "action": ACTIONS.get(e.action, e.action),
            "milestone_id": e.milestone_id, "subject_kind": e.subject_kind, "subject": e.subject_name,
            "period": e.period, "period_label": period_label(e.period), "old_status": e.old_status, "new_status": e.new_status,
            "change": f"{STATUS.get(e.old_status, e.old_status)} → {STATUS.get(e.new_status, e.new_status)}",
            "done_on": e.done_on, "evidence": e.evidence, "source": e.source,
            "files": counts.get((e.milestone_id, e.subject_kind, e.subject_id, e.period), 0) if e.action == "done" else None,
        } for e in entries]
    render.emit(records, tables.LOG, fmt, title="变更日志", empty="变更日志为空")


def register(parent: typer.Typer) -> None:
    parent.command("done")(done)
    parent.command("reopen")(reopen)
    parent.command("log")(log)
