"""zhiben log: the change log."""

from __future__ import annotations

import typer

from zhiben.cli import common
from zhiben.dates import local
from zhiben.outputs import tables
from zhiben.outputs import terminal as render
from zhiben.reports import evidence as files
from zhiben.reports.labels import period_label
from zhiben.tracking import audit, lookup, subjects

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
    parent.command("log")(log)
