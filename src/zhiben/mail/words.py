"""The briefing in sentences: what the plain-text mail and the group robots say, line by line.

No column alignment anywhere: these lines are read in a proportional font (a mail client, a chat
window on a phone). The HTML mail lays the same briefing out as tables (outputs/html_base.py).
"""

from __future__ import annotations

import datetime as dt

from zhiben import terms
from zhiben.reports import county_plan
from zhiben.reports import trend as trends
from zhiben.reports.briefing import Briefing, n, pct, who
from zhiben.reports.summary import Group

LIST_LIMIT = 25  # lines per list in the body; the rest is in the attachment


def count(b: Briefing, kind: str) -> int:
    """The length of the list this message is about."""
    return b.overdue.total.items if kind == "overdue" else b.upcoming.total.items


def group_line(g: Group, *, overdue: bool, day: dt.date, one_county: bool = False) -> str:
    whom = who(g, one_county=one_county)
    plan = terms.PLAN_SHORT[g.plan]
    if overdue:
        assert g.first_due is not None, "a group has at least the row that made it"
        when = f"最早期限 {g.first_due}(已逾期 {(day - g.first_due).days} 天)"
    else:
        lead = "最早可办" if g.earliest else "期限"
        when = f"{lead} {g.first_due}" + ("" if g.last_due == g.first_due else f" 至 {g.last_due}")
    return f"[{plan}] {g.title}:{when};{n(g.items)} 项" + (f"({whom})" if whom else "")


def _line_text(label: str, line: county_plan.Line, upcoming: bool) -> str:
    parts = "、".join(f"{terms.PLAN_SHORT[p]} {n(c.overdue)}" for p, c in line.plans.items() if c.due_so_far)
    t = line.total
    text = f"{label}:逾期 {n(t.overdue)} 项,逾期率 {pct(t.rate)},按期完成率 {pct(t.on_time_rate)}"
    if parts:
        text += f"({parts})"
    if upcoming:
        text += f";{n(t.upcoming)} 项将在期内到期"
    return text


def matrix_lines(b: Briefing, kind: str) -> tuple[str, list[str]]:
    """The county × plan matrix as (heading, one line per county): ranked, the bureau apart, the total."""
    m = b.matrix
    upcoming = kind == "upcoming"
    if len(m.counties) > 1:
        head = "一、各县(市、区)逾期情况(按逾期率从高到低)"
        lines = []
        for ln in m.lines(ranked=True):
            label = f"{ln.label}(市级事项,单列)" if ln.is_city else ln.label
            lines.append(_line_text(label, ln, upcoming))
        return head, lines
    head = f"一、{b.scope.name}分方案逾期情况"
    lines = []
    for p, cell in m.plans.items():
        if cell.due_so_far or cell.upcoming:
            lines.append(f"{terms.PLAN_NAMES[p]}:逾期 {n(cell.overdue)} 项,已到期 {n(cell.due_so_far)} 项,"
                         f"逾期率 {pct(cell.rate)}" + (f";{n(cell.upcoming)} 项将在期内到期" if upcoming else ""))
    t = m.total
    lines.append(f"合计:逾期 {n(t.overdue)} 项,已到期 {n(t.due_so_far)} 项,逾期率 {pct(t.rate)},"
                 f"按期完成率 {pct(t.on_time_rate)}")
    return head, lines


def intro(b: Briefing, kind: str, addressee: str) -> str:
    week = b.as_of.isocalendar()[1]
    total = b.matrix.total
    k = count(b, kind)
    if kind == "overdue" and not k:
        return f"{addressee}:截至 {b.as_of}(第 {week} 周),{b.scope.name}无逾期事项。"
    if kind == "overdue":
        return (f"{addressee}:截至 {b.as_of}(第 {week} 周),{b.scope.name}逾期未完成事项 {n(k)} 项,"
                f"逾期率 {pct(total.rate)};{b.since} 以来新增逾期 {n(b.new.total.items)} 项。")
    return (f"{addressee}:{b.as_of} 起 {b.upcoming_days} 天内,{b.scope.name}有 {n(k)} 项事项到期;"
            f"目前逾期未完成 {n(total.overdue)} 项,逾期率 {pct(total.rate)}。")


def more(shown: int) -> str | None:
    return f"另有 {shown - LIST_LIMIT} 个事项,见附件。" if shown > LIST_LIMIT else None


def sections(b: Briefing, kind: str) -> list[tuple[str, list[str], str | None]]:
    """(heading, lines, a remark after the lines) for each list after the matrix."""
    out = []
    one = b.scope.one_county
    if kind == "overdue":
        head = f"二、新增逾期:{b.since} 以来到期仍未完成({n(b.new.total.items)} 项)"
        lines = [group_line(g, overdue=True, day=b.as_of, one_county=one) for g in b.new.groups[:LIST_LIMIT]]
        out.append((head, lines or ["无"], more(len(b.new.groups))))
        oldest = b.oldest
        head = f"三、逾期最久的 {len(oldest)} 个事项"
        out.append((head, [group_line(g, overdue=True, day=b.as_of, one_county=one) for g in oldest] or ["无"], None))
        number = "四"
    else:
        number = "二"
    until = b.as_of + dt.timedelta(days=b.upcoming_days)
    head = f"{number}、未来 {b.upcoming_days} 天内到期({b.as_of} 至 {until},{n(b.upcoming.total.items)} 项)"
    lines = [group_line(g, overdue=False, day=b.as_of, one_county=one) for g in b.upcoming.groups[:LIST_LIMIT]]
    out.append((head, lines or ["无"], more(len(b.upcoming.groups))))
    return out


def trend_head(t: trends.Trend) -> str:
    return f"逾期率走势({trends.EVERY[t.every]},{t.dates[0]} 至 {t.dates[-1]})"


def trend_lines(t: trends.Trend) -> list[str]:
    """One line per county: the sparkline, the last 逾期率, the change since the previous date."""
    out = []
    for s in t.series:
        values = [p.overdue_rate for p in s.points]
        change = t.change(s.label)
        word = "—" if change is None else ("持平" if change == 0 else f"{change:+.1f} 个百分点")
        out.append(f"{s.label}:{trends.spark(values)} {pct(values[-1])},{trends.SINCE_LAST[t.every]} {word}")
    return out
