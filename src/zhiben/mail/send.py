"""Delivering the digests: skip what this week already delivered, send over SMTP or write .eml files.

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
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from sqlmodel import Session

from zhiben.errors import InputError, MailError, os_reason
from zhiben.mail import mime
from zhiben.mail.settings import Settings
from zhiben.tracking import sent_log

TIMEOUT = 30


@dataclass
class Outgoing:
    recipient: str
    kind: str  # "overdue" / "upcoming" for the city; "overdue:<county>" for a county-level unit
    label: str  # whom it is for, in Chinese
    count: int
    message: Message  # a mime.build() message
    size: int = 0  # bytes on the wire

    @property
    def subject(self) -> str:
        return str(make_header(decode_header(str(self.message["Subject"]))))


@dataclass
class Result:
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[Outgoing] = field(default_factory=list)  # already delivered this week
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# ---------------------------------------------------------------- the sent-log


def already_sent(session: Session, week: str, items: list[Outgoing]) -> set[tuple[str, str]]:
    done = sent_log.delivered(session, week)
    return {(o.recipient, o.kind) for o in items if (o.recipient, o.kind) in done}


# ---------------------------------------------------------------- delivering


def write_eml(items: list[Outgoing], directory: Path, week: str) -> list[Path]:
    """Each message as `<week>-<overdue|upcoming>-<n>-<recipient>.eml`; an earlier preview is never
    overwritten (a second run gets `-2`, `-3`…), so two previews can be compared side by side."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建目录 {directory}:{os_reason(exc)}") from None
    paths = []
    for i, item in enumerate(items, 1):
        safe = re.sub(r"[^\w.@-]+", "_", item.recipient)
        stem = f"{week}-{item.kind.split(':', 1)[0]}-{i:02d}-{safe}"
        data = mime.as_bytes(item.message)
        for n in range(1, 1000):
            path = directory / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
            try:
                with open(path, "xb") as fh:  # exclusive: never replaces a file already there
                    fh.write(data)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                path.unlink(missing_ok=True)  # created by this open ("x"): a disk full leaves no empty .eml
                raise InputError(f"无法写入 {path}:{os_reason(exc)}") from None
        else:
            raise InputError(f"无法写入 {directory / stem}.eml:同名文件过多,请清理目录 {directory}")
        paths.append(path)
    return paths


def _connect(settings: Settings, host: str, password: str | None) -> smtplib.SMTP:
    port = settings.effective_port
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if settings.security == "ssl":
        conn = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if settings.security == "starttls":
            conn.starttls(context=context)
        if settings.user:
            conn.login(settings.user, password or "")  # deliver() refuses a user without a password
    except BaseException:
        conn.close()
        raise
    return conn


def _describe(exc: BaseException, settings: Settings) -> tuple[str, bool]:
    """(Chinese reason, whether the whole connection is lost). Never includes the password."""
    where = f"{settings.host}:{settings.effective_port}"
    code = getattr(exc, "smtp_code", None)
    if code == 552 or (isinstance(exc, smtplib.SMTPResponseException) and b"5.3.4" in _bytes(exc.smtp_error)):
        # Exceeded storage / message size: said at MAIL FROM (SIZE=) or after DATA. Not the sender's fault.
        return f"邮件过大,邮件服务器拒收({code} {_text(getattr(exc, 'smtp_error', b''))})", False
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
        return f"无法连接邮件服务器 {where}:{os_reason(exc) if exc.errno else exc}", True
    return f"发送失败:{exc}", True


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def deliver(session: Session, items: list[Outgoing], settings: Settings, password: str | None, week: str,
            *, force: bool = False) -> Result:
    """Send the messages not yet delivered this week (all of them with `force`); record each delivery."""
    result = Result()
    done = set() if force else already_sent(session, week, items)
    pending: list[Outgoing] = []
    for item in items:
        (result.skipped if (item.recipient, item.kind) in done else pending).append(item)
    if not pending:
        return result
    host, sender = settings.host, settings.sender
    assert sender is not None, "cli/mail.py sets the sender (or refuses) before delivering"
    if not host:
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
                    conn = _connect(settings, host, password)
                conn.sendmail(sender, [item.recipient], mime.as_bytes(item.message))
            except (smtplib.SMTPException, OSError) as exc:
                reason, fatal = _describe(exc, settings)
                if not fatal:
                    result.failed.append((item, reason))
                    continue
                result.failed.extend((rest, reason) for rest in pending[i:])
                break
            sent_log.record(session, week, item.recipient, item.kind, item.subject)
            result.sent.append(item)
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
    return result
