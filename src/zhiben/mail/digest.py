"""The weekly digest mail: summary first, the full list as an XLSX attachment, under 200 KB.

What a reader needs on Monday morning is on the first screen: the county × plan table with 逾期率,
what became overdue since the last mail, the oldest items, what falls due in the next 14 days. The
list itself goes into the attachment. Lists in the body are grouped per item (reports.summary), so
the body is the same size for 300 or 20,000 enterprises; the attachment is the full list when it
fits the size budget, else the same rows rolled up per enterprise, else per item × county, and the
body says which. The plain-text part uses no column alignment: it must read in a proportional font.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import Message
from html import escape

from sqlmodel import Session, col, select

from zhiben import terms
from zhiben.db import models
from zhiben.errors import MailError
from zhiben.mail import mime
from zhiben.mail.send import Outgoing, iso_week, last_sent
from zhiben.mail.settings import Settings
from zhiben.outputs import exports
from zhiben.reports import county_plan
from zhiben.reports import records as rc
from zhiben.reports import rows as reports
from zhiben.reports.labels import event_directions, period_label
from zhiben.reports.summary import Group, summarise

TAG = "【治本攻坚】"
FOOTER = "本邮件由系统自动发送,请勿直接回复。完成事项后请及时登记(zhiben done),下次邮件将自动更新。"
OLDEST = 20
LIST_LIMIT = 25  # lines per list in the body; the rest is in the attachment
UPCOMING_DAYS = 14
# The whole message, encoded, must stay under 200 KB; the body takes well under 40 KB.
MESSAGE_BUDGET = 200_000
ATTACHMENT_BUDGET = 115_000  # raw XLSX bytes (base64 adds a third)
# About 55 bytes of XLSX per list row: above this many rows the full list cannot fit.
FULL_ROWS_MAX = 1_800
HTML_STYLE = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;font-size:14px;"
              "color:#1f2933;line-height:1.6}table{border-collapse:collapse;margin:6px 0 12px}"
              "th,td{border:1px solid #c7d2dc;padding:3px 8px;text-align:right}th{background:#e4ebf2}"
              "td.l,th.l{text-align:left}h3{font-size:15px;margin:18px 0 6px}li{margin:2px 0}"
              ".muted{color:#6b7785}.bad{color:#b42318;font-weight:bold}")


def _n(x: int) -> str:
    return f"{x:,}"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


@dataclass
class Scope:
    name: str  # 全市 or a county's official name
    short: str  # for file names
    filters: reports.Filters


@dataclass
class Content:
    """Everything one digest says, before it becomes text, HTML and an attachment."""

    kind: str  # overdue / upcoming
    scope: Scope
    day: dt.date
    days: int
    matrix: county_plan.Matrix
    rows: list  # overdue rows (overdue digest) or upcoming rows (upcoming digest)
    since: dt.date | None  # overdue digest: the start of "newly overdue"
    new: list[Group]
    new_count: int
    oldest: list[Group]
    upcoming: list[Group]
    upcoming_count: int

    @property
    def count(self) -> int:
        return len(self.rows)


def content(session: Session, scope: Scope, day: dt.date, *, kind: str, days: int,
            since: dt.date | None) -> Content:
    f = scope.filters
    matrix = county_plan.county_by_plan(session, f, day, upcoming_days=days)
    ahead = list(reports.upcoming(session, f, day, days))
    up = summarise(ahead)
    if kind == "upcoming":
        return Content(kind, scope, day, days, matrix, ahead, None, [], 0, [], up.groups, len(ahead))
    rows = list(reports.overdue(session, f, day))
    since = since or day - dt.timedelta(days=7)
    fresh = [r for r in rows if r.due >= since]
    new = summarise(fresh)
    everything = summarise(rows)
    oldest = sorted(everything.groups, key=lambda g: (g.first_due, g.milestone_id))[:OLDEST]
    return Content(kind, scope, day, days, matrix, rows, since, new.groups, len(fresh), oldest, up.groups,
                   len(ahead))


# ---------------------------------------------------------------- words


def _group_line(g: Group, *, overdue: bool, day: dt.date) -> str:
    who = []
    if g.city:
        who.append("市应急局")
    if g.counties and not (g.enterprises and len(g.counties) == 1):
        who.append(f"{len(g.counties)} 个县区")
    if g.enterprises:
        who.append(f"{_n(len(g.enterprises))} 家企业")
    whom = "、".join(who)
    plan = terms.PLAN_SHORT[g.plan]
    if overdue:
        assert g.first_due is not None, "a group has at least the row that made it"
        late = (day - g.first_due).days
        when = f"最早期限 {g.first_due}(已逾期 {late} 天)"
    else:
        lead = "最早可办" if g.earliest else "期限"
        when = f"{lead} {g.first_due}" + ("" if g.last_due == g.first_due else f" 至 {g.last_due}")
    return f"[{plan}] {g.title}:{when};{_n(g.items)} 项" + (f"({whom})" if whom else "")


def _county_line(line: county_plan.Line, upcoming: bool) -> str:
    parts = "、".join(f"{terms.PLAN_SHORT[p]} {_n(c.overdue)}" for p, c in line.plans.items() if c.due_so_far)
    text = f"{line.label}:逾期 {_n(line.total.overdue)} 项,逾期率 {_pct(line.total.rate)}"
    if parts:
        text += f"({parts})"
    if upcoming:
        text += f";{line.total.upcoming} 项将在期内到期"
    return text


def _lists(c: Content) -> list[tuple[str, list[str], str | None]]:
    """(heading, lines, a remark after the lines) for each section after the summary table."""
    out = []
    if c.kind == "overdue":
        head = f"二、新增逾期:{c.since} 以来到期仍未完成({_n(c.new_count)} 项)"
        lines = [_group_line(g, overdue=True, day=c.day) for g in c.new[:LIST_LIMIT]]
        out.append((head, lines or ["无"], _more(len(c.new))))
        head = f"三、逾期最久的 {min(OLDEST, len(c.oldest))} 个事项"
        out.append((head, [_group_line(g, overdue=True, day=c.day) for g in c.oldest] or ["无"], None))
        n = "四"
    else:
        n = "二"
    until = c.day + dt.timedelta(days=c.days)
    head = f"{n}、未来 {c.days} 天内到期({c.day} 至 {until},{_n(c.upcoming_count)} 项)"
    lines = [_group_line(g, overdue=False, day=c.day) for g in c.upcoming[:LIST_LIMIT]]
    out.append((head, lines or ["无"], _more(len(c.upcoming))))
    return out


def _more(n: int) -> str | None:
    return f"另有 {n - LIST_LIMIT} 个事项,见附件。" if n > LIST_LIMIT else None


def _intro(c: Content, addressee: str) -> str:
    week = c.day.isocalendar()[1]
    total = c.matrix.total
    if c.kind == "overdue" and not c.count:
        text = f"{addressee}:截至 {c.day}(第 {week} 周),{c.scope.name}无逾期事项。"
    elif c.kind == "overdue":
        text = (f"{addressee}:截至 {c.day}(第 {week} 周),{c.scope.name}逾期未完成事项 {_n(c.count)} 项,"
                f"逾期率 {_pct(total.rate)}")
        text += f";{c.since} 以来新增逾期 {_n(c.new_count)} 项。"
    else:
        text = (f"{addressee}:{c.day} 起 {c.days} 天内,{c.scope.name}有 {_n(c.count)} 项事项到期;"
                f"目前逾期未完成 {_n(total.overdue)} 项,逾期率 {_pct(total.rate)}。")
    return text


def _table_lines(c: Content) -> tuple[str, list[str]]:
    m = c.matrix
    upcoming = c.kind == "upcoming"
    if len(m.counties) > 1:
        head = "一、各县(市、区)逾期情况(按逾期率从高到低)"
        lines = [_county_line(ln, upcoming) for ln in m.ranked()]
        if m.city:
            lines.append(_county_line(_renamed(m.city, f"{terms.CITY_NAME}(市级事项,单列)"), upcoming))
        lines.append(_county_line(_renamed(county_plan.Line("全市合计", False, m.plans, m.total), None), upcoming))
    else:
        head = f"一、{c.scope.name}分方案逾期情况"
        lines = []
        for p, cell in m.plans.items():
            if cell.due_so_far or cell.upcoming:
                lines.append(f"{terms.PLAN_NAMES[p]}:逾期 {_n(cell.overdue)} 项,已到期 {_n(cell.due_so_far)} 项,"
                             f"逾期率 {_pct(cell.rate)}" + (f";{cell.upcoming} 项将在期内到期" if upcoming else ""))
        lines.append(f"合计:逾期 {_n(m.total.overdue)} 项,已到期 {_n(m.total.due_so_far)} 项,逾期率 {_pct(m.total.rate)}")
    return head, lines


def _renamed(line: county_plan.Line, label: str | None) -> county_plan.Line:
    return county_plan.Line(label or line.label, line.is_city, line.plans, line.total)


def plain_text(c: Content, addressee: str, attachment_note: str) -> str:
    out = [_intro(c, addressee), ""]
    head, lines = _table_lines(c)
    out += [head] + [f"· {x}" for x in lines] + [f"  {county_plan.RATE_NOTE}", ""]
    for head, lines, more in _lists(c):
        out += [head] + [f"· {x}" for x in lines]
        if more:
            out.append(f"  {more}")
        out.append("")
    out += [attachment_note, "", "——", FOOTER]
    return "\n".join(out) + "\n"


def html_text(c: Content, addressee: str, attachment_note: str) -> str:
    m = c.matrix
    parts = [f"<p>{escape(_intro(c, addressee))}</p>"]
    head, _ = _table_lines(c)
    parts.append(f"<h3>{escape(head)}</h3>")
    plans = [p for p in county_plan.PLANS if m.plans[p].due_so_far or m.plans[p].upcoming]
    cols = "".join(f"<th>{terms.PLAN_SHORT[p]}逾期</th>" for p in plans)
    extra = f"<th>{c.days} 天内到期</th>" if c.kind == "upcoming" else ""
    rows = [f'<tr><th class="l">县(市、区)</th>{cols}<th>已到期</th><th>逾期</th><th>逾期率</th>{extra}</tr>']
    lines = m.ranked() if len(m.counties) > 1 else []
    if m.city and len(m.counties) > 1:
        lines = lines + [_renamed(m.city, f"{terms.CITY_NAME}(市级事项)")]
    lines = lines + [county_plan.Line("合计", False, m.plans, m.total)]
    worst = m.total.rate
    for ln in lines:
        cells = "".join(f"<td>{_n(ln.plans[p].overdue)}</td>" for p in plans)
        bad = ln.total.rate is not None and worst is not None and ln.total.rate > worst + 0.05 and ln.label != "合计"
        rate = f'<td class="bad">{_pct(ln.total.rate)}</td>' if bad else f"<td>{_pct(ln.total.rate)}</td>"
        up = f"<td>{_n(ln.total.upcoming)}</td>" if extra else ""
        tag = "th" if ln.label == "合计" else "td"
        rows.append(f'<tr><{tag} class="l">{escape(ln.label)}</{tag}>{cells}<td>{_n(ln.total.due_so_far)}</td>'
                    f"<td>{_n(ln.total.overdue)}</td>{rate}{up}</tr>")
    parts.append("<table>" + "".join(rows) + "</table>")
    parts.append(f'<p class="muted">{escape(county_plan.RATE_NOTE)};红色:逾期率高于全市 5 个百分点以上。</p>')
    for head, lst, more in _lists(c):
        parts.append(f"<h3>{escape(head)}</h3><ul>" + "".join(f"<li>{escape(x)}</li>" for x in lst) + "</ul>")
        if more:
            parts.append(f'<p class="muted">{escape(more)}</p>')
    parts.append(f"<p><b>{escape(attachment_note)}</b></p>")
    parts.append(f'<hr><p class="muted">{escape(FOOTER)}</p>')
    return (f'<html><head><meta charset="utf-8"><style>{HTML_STYLE}</style></head><body>'
            + "".join(parts) + "</body></html>\n")


# ---------------------------------------------------------------- the attachment


def _enterprise_rollup(rows, overdue: bool) -> list[dict]:
    acc: dict = {}
    for r in rows:
        key = (r.county, r.subject_kind, r.subject, r.credit_code if r.subject_kind == "enterprise" else None)
        a = acc.get(key)
        if a is None:
            a = acc[key] = {"county": r.county or terms.CITY_NAME, "subject_kind": r.subject_kind,
                            "subject": r.subject, "credit_code": key[3], "items": 0, "milestones": set(),
                            "first_due": r.due, "worst": 0}
        a["items"] += 1
        a["milestones"].add(r.milestone_id)
        a["first_due"] = min(a["first_due"], r.due)
        if overdue:
            a["worst"] = max(a["worst"], r.days_overdue or 0)
    out = []
    for a in acc.values():
        a["milestones"] = len(a["milestones"])
        out.append(a)
    out.sort(key=lambda a: (-a["items"], a["first_due"], a["subject"]))
    return out


ROLLUP_COLUMNS = [("county", "所属县区"), ("subject_kind", "主体类别"), ("subject", "责任主体"),
                  ("credit_code", "统一社会信用代码"), ("items", "事项数"), ("milestones", "涉及事项种类"),
                  ("first_due", "最早期限")]


def _item_county_rollup(rows, day: dt.date, dirs) -> list[dict]:
    acc: dict = {}
    for r in rows:
        key = (r.milestone_id, r.county, r.period.split(":", 1)[0], r.due)
        a = acc.get(key)
        if a is None:
            a = acc[key] = {"milestone_id": r.milestone_id, "plan": r.plan, "title": r.title,
                            "county": r.county or terms.CITY_NAME,
                            "period_label": period_label(r.period, r.due, dirs.get(r.milestone_id)), "due": r.due,
                            "items": 0, "enterprises": set()}
        a["items"] += 1
        if r.credit_code:
            a["enterprises"].add(r.credit_code)
    out = []
    for a in acc.values():
        a["enterprises"] = len(a["enterprises"])
        a["days_overdue"] = (day - a["due"]).days if a["due"] < day else None
        out.append(a)
    out.sort(key=lambda a: (a["due"], a["plan"], a["milestone_id"], a["county"]))
    return out


ITEM_COUNTY_COLUMNS = [("milestone_id", "编号"), ("plan", "方案"), ("title", "事项"), ("county", "所属县区"),
                       ("period_label", "周期"), ("due", "期限"), ("items", "未完成项数"), ("enterprises", "涉及企业数"),
                       ("days_overdue", "逾期天数")]


def attachment(session: Session, c: Content) -> tuple[mime.Attachment | None, str]:
    """The XLSX for this digest and the sentence in the body that says what it holds."""
    if not c.rows:
        return None, "本期无清单,不附文件。"
    report = "逾期事项清单" if c.kind == "overdue" else f"{c.days} 天内到期事项清单"
    what = "逾期事项" if c.kind == "overdue" else "即将到期事项"
    filename = f"{what}_{c.scope.short}_{c.day}.xlsx"
    dirs = event_directions(session)

    def book(remark=None):
        return exports.Book(report, c.scope.name, c.day, remark)

    columns = rc.OVERDUE_COLUMNS if c.kind == "overdue" else rc.UPCOMING_COLUMNS
    highlight = exports.severe_after(exports.SEVERE_DAYS) if c.kind == "overdue" else None
    tries = []
    if c.count <= FULL_ROWS_MAX:
        b = book(f"逾期超过 {exports.SEVERE_DAYS} 天的行以浅红色标出" if c.kind == "overdue" else None)
        tries.append((b, [exports.Sheet("清单", (rc.row_record(r, dirs) for r in c.rows), columns, highlight=highlight,
                                        heading=b.heading("清单"))],
                      f"完整清单见附件“{filename}”(逐条列出全部 {_n(c.count)} 项)。"))
    per_subject = _enterprise_rollup(c.rows, c.kind == "overdue")
    b = book("按责任主体汇总")
    tries.append((b, [exports.Sheet("按责任主体", per_subject, ROLLUP_COLUMNS, heading=b.heading("按责任主体"))],
                  f"完整清单见附件“{filename}”:共 {_n(c.count)} 项,逐条清单过大不宜邮寄,附件按责任主体汇总"
                  f"({_n(len(per_subject))} 个);逐条清单可用 zhiben export {c.kind} 导出。"))
    per_item = _item_county_rollup(c.rows, c.day, dirs)
    b = book("按事项和县区汇总")
    tries.append((b, [exports.Sheet("按事项和县区", per_item, ITEM_COUNTY_COLUMNS, heading=b.heading("按事项和县区"))],
                  f"完整清单见附件“{filename}”:共 {_n(c.count)} 项,逐条清单过大不宜邮寄,附件按事项和县区汇总"
                  f"({_n(len(per_item))} 行);逐条清单可用 zhiben export {c.kind} 导出。"))
    for b, sheets, note in tries:
        data = exports.xlsx_bytes([exports.summary_sheet(c.matrix, b), *sheets], b)
        if len(data) <= ATTACHMENT_BUDGET:
            return mime.Attachment(filename, data), note
    raise MailError(f"{c.scope.name}的清单即使按事项汇总也超过邮件大小限制,请改用 zhiben export {c.kind} 导出")


# ---------------------------------------------------------------- building the run's messages


def csv_attachment(session, c: Content, room: int) -> tuple[mime.Attachment | None, str]:
    """The full list as CSV (text/csv; charset=utf-8, with a BOM for Excel) if it fits in `room` bytes."""
    if not c.rows:
        return None, ""
    dirs = event_directions(session)
    columns = rc.OVERDUE_COLUMNS if c.kind == "overdue" else rc.UPCOMING_COLUMNS
    data = exports.csv_bytes([rc.row_record(r, dirs) for r in c.rows], columns)
    if len(data) > room:
        return None, "CSV 版本过大,未随信附上。"
    what = "逾期事项" if c.kind == "overdue" else "即将到期事项"
    return (mime.Attachment(f"{what}_{c.scope.short}_{c.day}.csv", data, "text", "csv", "utf-8"),
            "另附同一清单的 CSV 文件。")


def _message(session, settings: Settings, recipient: str, c: Content, addressee: str,
             with_csv: bool = False) -> tuple[Message, int]:
    att, note = attachment(session, c)
    atts = [att] if att else []
    if with_csv and att is not None:
        extra, csv_note = csv_attachment(session, c, ATTACHMENT_BUDGET - len(att.data))
        note = f"{note}{csv_note}"
        if extra is not None:
            atts.append(extra)
    scope = "" if c.scope.name == "全市" else c.scope.name
    if c.kind == "overdue":
        subject = (f"{TAG}{scope}截至 {c.day} 逾期 {_n(c.count)} 项(新增 {_n(c.new_count)} 项)" if c.count
                   else f"{TAG}{scope}截至 {c.day} 无逾期事项")
    else:
        subject = f"{TAG}{scope}{c.day} 起 {c.days} 天内到期 {_n(c.count)} 项"
    assert settings.sender is not None, "cli/mail.py sets the sender (or refuses) before building"
    msg = mime.build(sender=settings.sender, sender_name=settings.sender_name, recipient=recipient,
                     subject=subject, text=plain_text(c, addressee, note), html=html_text(c, addressee, note),
                     attachments=atts)
    return msg, len(mime.as_bytes(msg))


def build(session: Session, settings: Settings, day: dt.date, *, per_county: bool, sender: str | None = None,
          kind: str = "overdue", days: int = UPCOMING_DAYS, with_csv: bool = False) -> tuple[list[Outgoing], list[str]]:
    """Messages for this run, and notes for the user (counties without a contact, empty lists skipped)."""
    from zhiben.outputs import progress

    if sender:
        settings.sender = sender
    out: list[Outgoing] = []
    notes: list[str] = []
    week = iso_week(day)
    counties = session.exec(select(models.County).order_by(col(models.County.position))).all() if per_county else []
    missing = [c.name for c in counties if not c.contact_email]
    if missing:
        notes.append(f"以下县级单位未设置联系邮箱,未单独发送(其事项已在市局邮件中):{'、'.join(missing)};"
                     "用 zhiben county set-contact 设置")
    targets = [(r, kind, "市局", "市应急管理局", Scope("全市", "全市", reports.Filters())) for r in settings.to]
    targets += [(c.contact_email, f"{kind}:{c.name}", c.name, c.contact_name or c.name,
                 Scope(c.name, c.short, reports.Filters(county_id=c.id))) for c in counties if c.contact_email]
    if not targets:
        raise MailError("没有任何收件人:市局收件地址未设置,县级单位也都没有联系邮箱")
    cache: dict = {}
    for recipient, k, label, addressee, scope in progress.track(targets, "生成邮件", unit="封"):
        since = last_sent(session, recipient, k, week) if kind == "overdue" else None
        key = (scope.name, since)
        if key not in cache:
            cache[key] = content(session, scope, day, kind=kind, days=days, since=since)
        c = cache[key]
        msg, size = _message(session, settings, recipient, c, addressee, with_csv)
        out.append(Outgoing(recipient=recipient, kind=k, label=label, count=c.count, message=msg, size=size))
    if not settings.send_empty:
        empty = [o for o in out if o.count == 0]
        if empty:
            notes.append(f"无{'逾期' if kind == 'overdue' else '到期'}事项,按设置不发送:{'、'.join(o.label for o in empty)}")
        out = [o for o in out if o.count]
    return out, notes
