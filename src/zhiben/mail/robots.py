"""钉钉 and 企业微信 group robots: the weekly summary as one markdown message.

DingTalk's custom robot with 加签 (signing): sign = urlEncode(base64(HmacSHA256(secret,
f"{timestamp}\n{secret}"))), timestamp in milliseconds within an hour of the server's clock, both
added to the webhook URL as `&timestamp=…&sign=…`. WeCom's group robot has no signing: the `key` in
its webhook URL is the credential. Both answer HTTP 200 with JSON `{"errcode": 0, "errmsg": "ok"}`
on success and a non-zero errcode otherwise.

The secret is read like the SMTP password (an environment variable or an owner-only file, never a
command-line value), and neither the secret nor the webhook's token appears in any output.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from zhiben.errors import InputError, MailError
from zhiben.mail import digest, words
from zhiben.mail.settings import read_password_file
from zhiben.reports import county_plan
from zhiben.reports import rows as reports
from zhiben.reports.briefing import Scope, pct

if TYPE_CHECKING:
    from sqlmodel import Session

TIMEOUT = 15
# Platform limits on a markdown message (bytes of UTF-8): DingTalk 20,000, WeCom 4,096.
LIMITS = {"dingtalk": 18_000, "wecom": 4_000}
NAMES = {"dingtalk": "钉钉", "wecom": "企业微信"}
SECRET_ENV = "ZHIBEN_DINGTALK_SECRET"
WEBHOOK_ENV = {"dingtalk": "ZHIBEN_DINGTALK_WEBHOOK", "wecom": "ZHIBEN_WECOM_WEBHOOK"}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The documented 加签 value (already URL-encoded)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest_ = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest_))


def signed_url(webhook: str, secret: str | None, now_ms: int | None = None) -> str:
    if not secret:
        return webhook
    ts = now_ms if now_ms is not None else int(time.time() * 1000)
    sep = "&" if urllib.parse.urlsplit(webhook).query else "?"
    return f"{webhook}{sep}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def read_secret(path: str | None, *, env: Mapping[str, str] | None = None) -> str | None:
    """From ZHIBEN_DINGTALK_SECRET or an owner-only file (same checks as the SMTP password file)."""
    env = os.environ if env is None else env
    if path:
        return read_password_file(Path(path).expanduser())
    return env.get(SECRET_ENV) or None


def check_webhook(url: str | None, platform: str) -> str:
    if not url:
        raise InputError(f"未指定{NAMES[platform]}机器人地址:请用 --webhook 或环境变量 {WEBHOOK_ENV[platform]} 设置")
    name, url = NAMES[platform], url.strip()
    # Checked whole before any use: a malformed address must fail here, in words that never repeat
    # the token in its query (http.client's own errors quote the whole URL).
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InputError(f"{name}机器人地址中有空格或不可见字符(可能是粘贴时带入的);请重新复制 Webhook 地址")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise InputError(f"{name}机器人地址格式不正确(主机名或端口无效);请重新复制 Webhook 地址") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{name}机器人地址应以 https:// 开头(机器人设置页中的 Webhook 地址)")
    return url


def _where(url: str) -> str:
    """The webhook without its token, for messages."""
    p = urllib.parse.urlsplit(url)
    port = f":{p.port}" if p.port else ""  # never the netloc: it may carry user:password@
    return f"{p.scheme}://{p.hostname}{port}{p.path}"


# ---------------------------------------------------------------- the message


def markdown(c: digest.Content, limit: int, platform: str = "wecom") -> tuple[str, str]:
    """(title, markdown text) for a digest's content, trimmed to `limit` bytes.

    Only what both robots render: a heading, bold, lists and a quote. WeCom's `<font color>` shows
    as literal tags in DingTalk, and DingTalk joins lines that are not separated by a blank line.
    """
    b, kind = c.briefing, c.kind
    m = b.matrix
    title = f"治本攻坚周报:{b.scope.name}逾期 {c.count:,} 项" if kind == "overdue" else \
        f"治本攻坚:{b.scope.name}{b.upcoming_days} 天内到期 {c.count:,} 项"
    head = [f"### {title}", "", f"截至 {b.as_of},逾期率 {pct(m.total.rate)},按期完成率 {pct(m.total.on_time_rate)}"
            + (f";{b.since} 以来新增逾期 {b.new.total.items:,} 项" if kind == "overdue" else "")]
    table_head, lines = words.matrix_lines(b, kind)
    sections = [(f"**{table_head}**", lines)]
    for h, lst, more in words.sections(b, kind):
        sections.append((f"**{h}**", lst + ([more.replace("见附件", "见邮件附件或 zhiben export")] if more else [])))
    note = f"{county_plan.RATE_NOTE}。本消息由系统自动发送。"
    foot = ["", f'<font color="comment">{note}</font>' if platform == "wecom" else f"> {note}"]

    def render(keep: int) -> str:
        out = list(head)
        for h, lst in sections:
            out += ["", h, ""]
            shown = lst[:keep]
            out += [f"- {x}" for x in shown]
            if len(lst) > keep:
                out.append(f"- ……另有 {len(lst) - keep} 条")
        return "\n".join(out + foot)

    keep = max(len(lst) for _, lst in sections)
    text = render(keep)
    while len(text.encode()) > limit and keep > 1:
        keep -= 1
        text = render(keep)
    return title, text


def payload(platform: str, title: str, text: str) -> dict:
    if platform == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


# ---------------------------------------------------------------- posting


def post(platform: str, webhook: str, body: dict, *, secret: str | None = None) -> None:
    """POST the message; a Chinese MailError if the robot does not answer errcode 0."""
    name = NAMES[platform]
    url = signed_url(webhook, secret) if platform == "dingtalk" else webhook
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    where = _where(webhook)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310  (the user's webhook)
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise MailError(f"{name}机器人 {where} 返回 HTTP {exc.code},消息未发送") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            text = "连接被拒绝"
        elif isinstance(reason, TimeoutError):
            text = "连接超时"
        else:
            text = str(reason)
        raise MailError(f"无法连接{name}机器人 {where}:{text}") from None
    except TimeoutError:
        raise MailError(f"连接{name}机器人 {where} 超时") from None
    except (ValueError, OSError) as exc:  # http.client.InvalidURL and friends quote the signed URL: never shown
        raise MailError(f"无法连接{name}机器人 {where}:地址无效或网络错误({type(exc).__name__})") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MailError(f"{name}机器人 {where} 的回答不是 JSON,消息可能未发送") from None
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code != 0:
        msg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        hint = ""
        if platform == "dingtalk" and code == 310000:
            hint = ";请检查加签密钥(--secret-file 或 ZHIBEN_DINGTALK_SECRET)、关键词或 IP 白名单设置"
        raise MailError(f"{name}机器人拒收消息(errcode {code}:{msg}){hint}")


def send_summary(session: Session, platform: str, webhook: str, day: dt.date, *, county_id: int | None = None,
                 county_name: str | None = None, kind: str = "overdue", days: int = digest.UPCOMING_DAYS,
                 secret: str | None = None) -> tuple[str, int]:
    """Build the summary and post it; (title, size in bytes)."""
    scope = Scope(county_name or "全市", county_name or "全市", reports.Filters(county_id=county_id))
    c = digest.content(session, scope, day, kind=kind, days=days, since=None)
    title, text = markdown(c, LIMITS[platform], platform)
    post(platform, webhook, payload(platform, title, text), secret=secret)
    return title, len(text.encode())

