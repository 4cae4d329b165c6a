"""MIME messages that every mail client reads: Chinese subjects, sender names and attachment names.

Built with the compat32 classes on purpose: the modern `email.policy.default` re-encodes every
parameter its own way (RFC 2231 only, and it folds long media types into encoded words). Outlook
and QQ Mail show "Untitled attachment" / `tcmime.bin` for an RFC 2231-only name, Thunderbird and
Gmail prefer RFC 2231: so each attachment carries both, `name="=?utf-8?b?…?="` on Content-Type and
`filename="=?utf-8?b?…?="; filename*=utf-8''…` on Content-Disposition, written verbatim.
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from email import encoders
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import quote

XLSX_TYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Lines up to 998 octets are legal; folding inside a parameter is where clients go wrong.
POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)


@dataclass
class Attachment:
    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = XLSX_TYPE
    charset: str | None = None  # "utf-8" for text/csv


def encoded_word(text: str) -> str:
    """RFC 2047 base64 encoded word(s) for a header or a legacy `name=` parameter."""
    if text.isascii():
        return text
    return Header(text, "utf-8", maxlinelen=998).encode(maxlinelen=998)


def rfc2231(text: str) -> str:
    return "utf-8''" + quote(text, safe="")


def attachment_part(a: Attachment) -> MIMENonMultipart:
    if a.maintype == "text":
        part = MIMENonMultipart(a.maintype, a.subtype, policy=POLICY)
        part.set_payload(a.data)

        encoders.encode_base64(part)
    else:
        part = MIMEApplication(a.data, _subtype=a.subtype, policy=POLICY)
    legacy = encoded_word(a.filename).replace('"', "")
    del part["Content-Type"]
    ctype = f"{a.maintype}/{a.subtype}"
    if a.charset:
        ctype += f"; charset={a.charset}"
    part["Content-Type"] = f'{ctype}; name="{legacy}"'
    disposition = f'attachment; filename="{legacy}"'
    if not a.filename.isascii():
        disposition += f"; filename*={rfc2231(a.filename)}"
    part["Content-Disposition"] = disposition
    return part


def _text(body: str, subtype: str) -> MIMEText:
    cs = Charset("utf-8")
    cs.body_encoding = BASE64
    return MIMEText(body, subtype, cs, policy=POLICY)  # type: ignore[arg-type]  # a Charset works; typeshed says str


def sender_header(address: str, name: str | None) -> str:
    return formataddr((name, address), charset="utf-8") if name else address


def build(*, sender: str, sender_name: str | None, recipient: str, subject: str, text: str, html: str | None,
          attachments: Sequence[Attachment] = (), when: dt.datetime | None = None) -> MIMEMultipart:
    """multipart/mixed [multipart/alternative [text/plain, text/html], attachments…]."""
    msg = MIMEMultipart("mixed", policy=POLICY)
    # Folded into encoded words of at most 75 characters. typeshed types header values as str only.
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]
    msg["From"] = sender_header(sender, sender_name)
    msg["To"] = recipient
    msg["Date"] = format_datetime(when or dt.datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    # Tells well-behaved servers and people's vacation responders not to answer a cron job.
    msg["Auto-Submitted"] = "auto-generated"
    body = MIMEMultipart("alternative", policy=POLICY)
    body.attach(_text(text, "plain"))
    if html is not None:
        body.attach(_text(html, "html"))
    msg.attach(body)
    for a in attachments:
        msg.attach(attachment_part(a))
    return msg


def as_bytes(msg: email.message.Message) -> bytes:
    return msg.as_bytes(policy=POLICY)
