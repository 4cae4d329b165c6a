"""The words the record-keeping commands share: who is at the terminal, how a record is named, what
an attach did (done, evidence, status import, events, targets, bulletins)."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from zhiben import terms
from zhiben.inputs.filetypes import label
from zhiben.reports.evidence import size_text
from zhiben.reports.labels import period_label

if TYPE_CHECKING:
    from zhiben.tracking.evidence import Attached
    from zhiben.tracking.marks import Change

PERIOD_HELP = "周期:月 2025-03、季度 2025-Q2、半年 2025-H1、年 2025;事件类事项为事件日期"


def current_user() -> str | None:
    """Who is at the terminal, so the audit log says who even when --by is omitted."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def describe(change: Change | Attached) -> str:
    """A record in a sentence: item, subject, period (and the enterprise a county's check was about)."""
    period = "" if change.period == "once" else f" 周期 {period_label(change.period)}"
    if ":" in change.period:  # a county's supervision duty for one enterprise
        period += f"(检查企业 {change.period.split(':', 1)[1]})"
    return f"{change.milestone_id} {terms.SUBJECT_NAMES[change.subject.kind]}“{change.subject.name}”{period}"


def attach_lines(result: Attached) -> list[str]:
    """What an attach did, one line per file (shared by done --attach and status import)."""
    record = describe(result)
    out = [f"已添加佐证文件:{f.name}({label(f.mime)},{size_text(f.size)})→ {record}" for f in result.added]
    out += [f"无变化:{c.name} 已是 {record} 的佐证文件(内容相同,只保存一份)" for c in result.repeated]
    return out
