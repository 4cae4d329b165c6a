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
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from html import escape
from typing import Any

from sqlmodel import Session

from zhiben import terms
from zhiben.errors import MailError
from zhiben.mail import mime, words
from zhiben.mail.send import Outgoing, iso_week
from zhiben.mail.settings import Settings
from zhiben.outputs import exports, html_base, progress, workbooks, xlsx
from zhiben.register import counties as county_register
from zhiben.reports import briefing, county_plan
from zhiben.reports import records as rc
from zhiben.reports import rows as reports
from zhiben.reports.briefing import Briefing, Scope
from zhiben.reports.briefing import n as _n
from zhiben.reports.labels import event_directions, period_label
from zhiben.tracking import sent_log

TAG = "【治本攻坚】"
FOOTER = "本邮件由系统自动发送,请勿直接回复。完成事项后请及时登记(zhiben done),下次邮件将自动更新。"
UPCOMING_DAYS = 14
# The whole message, encoded, must stay under 200 KB; the body takes well under 40 KB.
MESSAGE_BUDGET = 200_000
ATTACHMENT_BUDGET = 115_000  # raw XLSX bytes (base64 adds a third)
# About 55 bytes of XLSX per list row: above this many rows the full list cannot fit.
FULL_ROWS_MAX = 1_800
HTML_STYLE = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;font-size:14px;"
              "color:#1f2933;line-height:1.6;margin:8px}h3{font-size:15px;margin:18px 0 6px}li{margin:2px 0}"
              "table{margin:6px 0 12px}")


@dataclass
class Content:
    """One digest: the briefing of its scope and which list it is about (its rows are kept)."""

    kind: str  # overdue / upcoming
    briefing: Briefing

    @property
    def rows(self) -> list:
        return self.briefing.kept

    @property
    def count(self) -> int:
        return len(self.briefing.kept)

    @property
    def scope(self) -> Scope:
        return self.briefing.scope

    @property
    def day(self) -> dt.date:
        return self.briefing.as_of

    @property
    def days(self) -> int:
        return self.briefing.upcoming_days

    @property
    def matrix(self) -> county_plan.Matrix:
        return self.briefing.matrix


def content(session: Session, scope: Scope, day: dt.date, *, kind: str, days: int, since: dt.date | None) -> Content:
    return Content(kind, briefing.brief(session, scope, day, upcoming_days=days, since=since, keep=kind,
                                        trend_every="week"))


def plain_text(c: Content, addressee: str, attachment_note: str) -> str:
    b, kind = c.briefing, c.kind
    out = [words.intro(b, kind, addressee), ""]
    head, lines = words.matrix_lines(b, kind)
    out += [head] + [f"· {x}" for x in lines] + [f"  {county_plan.RATE_NOTE};{county_plan.ON_TIME_NOTE}", ""]
    if b.trend is not None and len(b.trend.dates) > 1:
        out += [words.trend_head(b.trend)] + [f"· {x}" for x in words.trend_lines(b.trend)] + [""]
    for head, lines, more in words.sections(b, kind):
        out += [head] + [f"· {x}" for x in lines]
        if more:
            out.append(f"  {more}")
        out.append("")
    out += [attachment_note, "", "——", FOOTER]
    return "\n".join(out) + "\n"


def html_text(c: Content, addressee: str, attachment_note: str) -> str:
    b, kind = c.briefing, c.kind
    m = b.matrix
    parts = [f"<p>{html_base.unbroken_dates(escape(words.intro(b, kind, addressee)))}</p>"]
    head, _ = words.matrix_lines(b, kind)
    parts.append(f"<h3>{escape(head)}</h3>")
    upcoming = kind == "upcoming"
    if len(m.counties) > 1:
        parts.append(html_base.matrix_table(m, compact=True, upcoming=upcoming))
        parts.append("<h3>各方案</h3>")
    parts.append(html_base.plan_table(m, upcoming=upcoming))
    parts.append(f'<p class="muted">{escape(html_base.rate_legend(m))}</p>')
    if b.trend is not None and len(b.trend.dates) > 1:
        parts.append(f"<h3>{escape(words.trend_head(b.trend))}</h3>{html_base.trend_table(b.trend)}")
    for head, lst, more in words.sections(b, kind):
        items = "".join(f"<li>{html_base.unbroken_dates(escape(x))}</li>" for x in lst)
        parts.append(f"<h3>{html_base.unbroken_dates(escape(head))}</h3><ul>{items}</ul>")
        if more:
            parts.append(f'<p class="muted">{escape(more)}</p>')
    parts.append(f"<p><b>{escape(attachment_note)}</b></p>")
    parts.append(f'<hr><p class="muted">{escape(FOOTER)}</p>')
    return (f'<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{HTML_STYLE}{html_base.TABLE_CSS}</style></head><body>" + "".join(parts) + "</body></html>\n")


# ---------------------------------------------------------------- the attachment


def _enterprise_rollup(rows: Iterable[reports.Row], overdue: bool) -> list[dict[str, Any]]:
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


def _item_county_rollup(rows: Iterable[reports.Row], day: dt.date, dirs: dict[str, str]) -> list[dict[str, Any]]:
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
        if a["due"] < day:
            a["days_overdue"] = (day - a["due"]).days
        else:
            a["days_left"] = (a["due"] - day).days
        out.append(a)
    out.sort(key=lambda a: (a["due"], a["plan"], a["milestone_id"], a["county"]))
    return out


ITEM_COUNTY_COLUMNS = [("milestone_id", "编号"), ("plan", "方案"), ("title", "事项"), ("county", "所属县区"),
                       ("period_label", "周期"), ("due", "期限"), ("items", "未完成项数"), ("enterprises", "涉及企业数"),
                       ("days_overdue", "逾期天数")]
UPCOMING_ITEM_COUNTY_COLUMNS = ITEM_COUNTY_COLUMNS[:-1] + [("days_left", "剩余天数")]


def attachment(session: Session, c: Content) -> tuple[mime.Attachment | None, str]:
    """The XLSX for this digest and the sentence in the body that says what it holds."""
    if not c.rows:
        return None, "本期无清单,不附文件。"
    overdue = c.kind == "overdue"
    report = "逾期事项清单" if overdue else f"{c.days} 天内到期事项清单"
    what = "逾期事项" if overdue else "即将到期事项"
    filename = f"{what}_{c.scope.short}_{c.day}.xlsx"
    dirs = event_directions(session)
    highlight, legend = workbooks.marker(session, c.kind, c.scope.filters, c.day, since=c.briefing.since)
    b = workbooks.book(session, report, c.scope.name, c.day, legend)
    columns = rc.OVERDUE_COLUMNS if overdue else rc.UPCOMING_COLUMNS
    tries = []
    if c.count <= FULL_ROWS_MAX:
        tries.append(([xlsx.Sheet("清单", (rc.row_record(r, dirs) for r in c.rows), columns, highlight=highlight,
                                  heading=b.heading("清单"))],
                      f"完整清单见附件“{filename}”(逐条列出全部 {_n(c.count)} 项)。"))
    per_subject = _enterprise_rollup(c.rows, overdue)
    tries.append(([xlsx.Sheet("按责任主体", per_subject, ROLLUP_COLUMNS, heading=b.heading("按责任主体", legend=False))],
                  f"完整清单见附件“{filename}”:共 {_n(c.count)} 项,逐条清单过大不宜邮寄,附件按责任主体汇总"
                  f"({_n(len(per_subject))} 个);逐条清单可用 zhiben export {c.kind} 导出。"))
    per_item = _item_county_rollup(c.rows, c.day, dirs)
    tries.append(([xlsx.Sheet("按事项和县区", per_item, ITEM_COUNTY_COLUMNS if overdue else UPCOMING_ITEM_COUNTY_COLUMNS,
                              heading=b.heading("按事项和县区", legend=False))],
                  f"完整清单见附件“{filename}”:共 {_n(c.count)} 项,逐条清单过大不宜邮寄,附件按事项和县区汇总"
                  f"({_n(len(per_item))} 行);逐条清单可用 zhiben export {c.kind} 导出。"))
    for sheets, note in tries:
        data = xlsx.to_bytes([workbooks.summary_sheet(c.matrix, b, c.kind), *sheets], b)
        if len(data) <= ATTACHMENT_BUDGET:
            return mime.Attachment(filename, data), note
    raise MailError(f"{c.scope.name}的清单即使按事项汇总也超过邮件大小限制,请改用 zhiben export {c.kind} 导出")


# ---------------------------------------------------------------- building the run's messages


def csv_attachment(session: Session, c: Content, room: int) -> tuple[mime.Attachment | None, str]:
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


def _message(session: Session, settings: Settings, recipient: str, c: Content, addressee: str,
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
        subject = (f"{TAG}{scope}截至 {c.day} 逾期 {_n(c.count)} 项(新增 {_n(c.briefing.new.total.items)} 项)" if c.count
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
    if sender:
        settings.sender = sender
    out: list[Outgoing] = []
    notes: list[str] = []
    week = iso_week(day)
    counties = county_register.contacts(session) if per_county else []
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
        since = sent_log.last_sent(session, recipient, k, week) if kind == "overdue" else None
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
