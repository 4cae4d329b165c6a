"""The weekly overdue email: build messages, skip what this week already delivered, send or write .eml.

Dependability rules: one message per recipient, each recorded in `SentMail` (ISO week, recipient,
kind) only after the SMTP server accepted it, and committed at once, so a run that fails halfway
re-sends exactly the undelivered messages next time and nothing twice.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path

from sqlmodel import Session, col, select

from zhiben.db import models
from zhiben.errors import InputError, MailError
from zhiben.mail.settings import Settings
from zhiben.outputs import terminal as render
from zhiben.reports import rows as reports
from zhiben.reports.records import (
    OVERDUE_COLUMNS,
    PROGRESS_COLUMNS,
    progress_records,
    row_record,
)

TAG = "【治本攻坚】"
CITY_KIND = "overdue"
TIMEOUT = 30
FOOTER = "本邮件由 zhiben 期限跟踪工具自动发送。完成事项后请及时登记(zhiben done),下周清单将自动更新。"


@dataclass
class Outgoing:
    recipient: str
    kind: str  # "overdue" for the city; "overdue:<county>" for a county-level unit
    label: str  # whom it is for, in Chinese
    count: int
    message: EmailMessage


@dataclass
class Result:
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[Outgoing] = field(default_factory=list)  # already delivered this week
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# ---------------------------------------------------------------- building


def _tables(records, columns) -> tuple[str, str]:
    return render.to_markdown(records, columns, fmt="plain"), str(render.to_markdown(records, columns, fmt="html"))


def _message(*, sender: str, recipient: str, subject: str, sections: list[tuple[str, list, list]],
             intro: str, attachment: tuple[str, str] | None) -> EmailMessage:
    """sections: (heading, records, columns); attachment: (filename, CSV text)."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(dt.datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    # Tells well-behaved servers and people's vacation responders not to answer a cron job.
    msg["Auto-Submitted"] = "auto-generated"
    text = [intro, ""]
    html = [f"<p>{escape(intro)}</p>"]
    for heading, records, columns in sections:
        plain_table, html_table = _tables(records, columns)
        text += [heading, "", plain_table, ""]
        html += [f"<h3>{escape(heading)}</h3>", html_table]
    text.append(FOOTER)
    html.append(f"<p style=\"color:#666\">{escape(FOOTER)}</p>")
    msg.set_content("\n".join(text) + "\n", cte="base64")
    style = "<style>table{border-collapse:collapse}th,td{border:1px solid #999;padding:2px 6px}</style>"
    msg.add_alternative(f"<html><head><meta charset=\"utf-8\">{style}</head><body>{''.join(html)}</body></html>\n",
                        subtype="html", cte="base64")
    if attachment:
        name, csv_text = attachment
        msg.add_attachment(csv_text.encode("utf-8"), maintype="text", subtype="csv", filename=name)
    return msg


def _overdue_records(session: Session, f: reports.Filters, day: dt.date) -> list[dict]:
    return [row_record(r) for r in reports.overdue(session, f, day)]


def build(session: Session, settings: Settings, day: dt.date, *, per_county: bool,
          sender: str) -> tuple[list[Outgoing], list[str]]:
    """Messages for this run, and notes for the user (counties without a contact, empty lists skipped)."""
    out: list[Outgoing] = []
    notes: list[str] = []
    all_records = _overdue_records(session, reports.Filters(), day)
    if settings.to:
        n = len(all_records)
        sections = []
        if per_county and n:
            summary = progress_records(reports.progress(session, reports.Filters(), day, "county"))
            sections.append(("按县区汇总", summary, PROGRESS_COLUMNS))
        sections.append((f"逾期事项清单({n} 项)", all_records, OVERDUE_COLUMNS))
        for recipient in settings.to:
            out.append(_outgoing(recipient, CITY_KIND, "市局", "市应急管理局", n, sender, day, "全市", sections,
                                 all_records, OVERDUE_COLUMNS, f"逾期事项_{day}.csv"))
    counties = session.exec(select(models.County).order_by(col(models.County.position))).all() if per_county else []
    missing = [c.name for c in counties if not c.contact_email]
    if missing:
        notes.append(f"以下县级单位未设置联系邮箱,未单独发送(其事项已在市局清单中):{'、'.join(missing)};"
                     "用 zhiben county set-contact 设置")
    for c in counties:
        if not c.contact_email:
            continue
        records = _overdue_records(session, reports.Filters(county_id=c.id), day)
        sections = [(f"逾期事项清单({len(records)} 项)", records, OVERDUE_COLUMNS)]
        out.append(_outgoing(c.contact_email, f"{CITY_KIND}:{c.name}", c.name, c.contact_name or c.name,
                             len(records), sender, day, c.name, sections, records, OVERDUE_COLUMNS,
                             f"逾期事项_{c.short}_{day}.csv"))
    if not out:
        raise MailError("没有任何收件人:市局收件地址未设置,县级单位也都没有联系邮箱")
    if not settings.send_empty:
        empty = [o for o in out if o.count == 0]
        if empty:
            notes.append(f"无逾期事项,按设置不发送:{'、'.join(o.label for o in empty)}")
        out = [o for o in out if o.count]
    return out, notes


def _outgoing(recipient, kind, label, addressee, n, sender, day, scope, sections, records, columns,
              filename) -> Outgoing:
    greeting = f"{addressee}:"
    if n:
        subject = f"{TAG}{'' if scope == '全市' else scope}截至 {day} 逾期事项 {n} 项"
        intro = (f"{greeting}截至 {day}(第 {day.isocalendar()[1]} 周),{scope}共有逾期未完成事项 {n} 项,"
                 "清单如下,附件为同样内容的 CSV 表格。")
        msg = _message(sender=sender, recipient=recipient, subject=subject, sections=sections,
                       intro=intro, attachment=(filename, render.to_csv(records, columns, bom=True)))
    else:
        subject = f"{TAG}{'' if scope == '全市' else scope}截至 {day} 无逾期事项"
        intro = f"{greeting}截至 {day}(第 {day.isocalendar()[1]} 周),{scope}无逾期事项。"
        msg = _message(sender=sender, recipient=recipient, subject=subject, sections=[], intro=intro,
                       attachment=None)
    return Outgoing(recipient=recipient, kind=kind, label=label, count=n, message=msg)


# ---------------------------------------------------------------- the sent-log


def already_sent(session: Session, week: str, items: list[Outgoing]) -> set[tuple[str, str]]:
    rows = session.exec(select(models.SentMail).where(models.SentMail.week == week)).all()
    done = {(r.recipient, r.kind) for r in rows}
    return {(o.recipient, o.kind) for o in items if (o.recipient, o.kind) in done}


def _record(session: Session, week: str, item: Outgoing) -> None:
    row = session.exec(select(models.SentMail).where(
        models.SentMail.week == week, models.SentMail.recipient == item.recipient,
        models.SentMail.kind == item.kind)).first()
    if row is None:
        row = models.SentMail(week=week, recipient=item.recipient, kind=item.kind, subject=item.message["Subject"])
    else:  # --force: the same week again; keep one row, note the latest delivery
        row.subject = item.message["Subject"]
        row.sent_at = models.now()
    session.add(row)
    # Committed per message on purpose: a later failure must not un-record a delivered one.
    session.commit()


# ---------------------------------------------------------------- delivering


def write_eml(items: list[Outgoing], directory: Path, week: str) -> list[Path]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建目录 {directory}:{exc.strerror}") from None
    paths = []
    for i, item in enumerate(items, 1):
        safe = re.sub(r"[^\w.@-]+", "_", item.recipient)
        path = directory / f"{week}-{i:02d}-{safe}.eml"
        try:
            path.write_bytes(item.message.as_bytes())
        except OSError as exc:
            raise InputError(f"无法写入 {path}:{exc.strerror}") from None
        paths.append(path)
    return paths


def _connect(settings: Settings, password: str | None) -> smtplib.SMTP:
    host, port = settings.host, settings.effective_port
    context = ssl.create_default_context()
    if settings.security == "ssl":
        conn = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if settings.security == "starttls":
            conn.starttls(context=context)
        if settings.user:
            conn.login(settings.user, password)
    except BaseException:
        conn.close()
        raise
    return conn


def _describe(exc: BaseException, settings: Settings) -> tuple[str, bool]:
    """(Chinese reason, whether the whole connection is lost). Never includes the password."""
    where = f"{settings.host}:{settings.effective_port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"邮件服务器拒收该收件人({code} {_text(text)})", False
    if isinstance(exc, smtplib.SMTPDataError):
        return f"邮件服务器拒收该邮件({exc.smtp_code} {_text(exc.smtp_error)})", False
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"邮件服务器 {where} 拒绝登录,请检查用户名和密码({exc.smtp_code})", True
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"邮件服务器拒绝发件人 {exc.sender}({exc.smtp_code} {_text(exc.smtp_error)})", True
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"邮件服务器 {where} 不支持所需功能(STARTTLS 或登录);请检查 --smtp-security 设置", True
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"邮件服务器 {where} 意外断开连接", True
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"邮件服务器 {where} 返回错误({exc.smtp_code} {_text(exc.smtp_error)})", True
    if isinstance(exc, ConnectionRefusedError):
        return f"无法连接邮件服务器 {where}:连接被拒绝(服务器未运行或端口不对)", True
    if isinstance(exc, socket.gaierror):
        return f"无法解析邮件服务器地址“{settings.host}”", True
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"连接邮件服务器 {where} 超时", True
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"邮件服务器 {where} 的证书验证失败({exc.verify_message});请确认服务器地址无误,"
                "或把签发该证书的 CA 加入系统信任(也可用环境变量 SSL_CERT_FILE 指定)"), True
    if isinstance(exc, ssl.SSLError):
        return f"与邮件服务器 {where} 建立加密连接失败({exc.reason or exc});请检查 --smtp-security 设置", True
    if isinstance(exc, OSError):
        return f"无法连接邮件服务器 {where}:{exc.strerror or exc}", True
    return f"发送失败:{exc}", True


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def deliver(session: Session, items: list[Outgoing], settings: Settings, password: str | None, week: str,
            *, force: bool = False) -> Result:
    """Send the messages not yet delivered this week (all of them with `force`); record each delivery."""
    result = Result()
    done = set() if force else already_sent(session, week, items)
    pending = []
    for item in items:
        (result.skipped if (item.recipient, item.kind) in done else pending).append(item)
    if not pending:
        return result
    if not settings.host:
        raise MailError("未配置邮件服务器:请用 --smtp-host、环境变量 ZHIBEN_SMTP_HOST 或配置文件设置"
                        "(zhiben config path 显示配置文件位置)")
    if settings.user and not password:
        raise MailError("已设置 SMTP 用户名但没有密码:请设置环境变量 ZHIBEN_SMTP_PASSWORD,"
                        "或在配置文件 [smtp] 中用 password_file 指定仅本人可读的密码文件")
    conn = None
    try:
        for i, item in enumerate(pending):
            try:
                if conn is None:
                    conn = _connect(settings, password)
                conn.send_message(item.message, from_addr=settings.sender, to_addrs=[item.recipient])
            except (smtplib.SMTPException, OSError) as exc:
                reason, fatal = _describe(exc, settings)
                if not fatal:
                    result.failed.append((item, reason))
                    continue
                result.failed.extend((rest, reason) for rest in pending[i:])
                break
            _record(session, week, item)
            result.sent.append(item)
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
    return result
