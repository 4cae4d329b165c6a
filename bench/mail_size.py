"""Digest mail sizes on a real-sized database: every message must stay under 200 KB.

    python bench/mail_size.py DB [--as-of 2026-06-30]

Builds the city digest and one digest per county (as `zhiben mail overdue --per-county` would,
without sending), and prints each message's size, its list size and what the attachment holds;
checks that the attachment's Chinese file name decodes with Python's email parser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import resource
import time

from sqlmodel import Session, select

from zhiben.db import engine as store
from zhiben.db import models
from zhiben.mail import digest, mime
from zhiben.mail.settings import Settings


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    p.add_argument("--kind", choices=("overdue", "upcoming"), default="overdue")
    args = p.parse_args()
    engine = store.open_engine(f"sqlite:///{args.db}")
    with Session(engine) as s:
        for c in s.exec(select(models.County)).all():
            c.contact_email = f"{c.short}@example.com"
            s.add(c)
        s.flush()
        settings = Settings(to=["city@example.com"], sender="zhiben@example.com", sender_name="治本攻坚专班")
        t0 = time.perf_counter()
        items, _ = digest.build(s, settings, args.as_of, per_county=True, kind=args.kind)
        elapsed = time.perf_counter() - t0
        s.rollback()
    worst = 0
    print("| 收件人 | 清单项数 | 邮件大小 KB | 附件 |")
    print("|---|---:|---:|---|")
    for o in items:
        raw = mime.as_bytes(o.message)
        worst = max(worst, len(raw))
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        names = [a.get_filename() for a in msg.iter_attachments()]
        text = msg.get_body(("plain",)).get_content()
        holds = "逐条" if "逐条列出" in text else "按责任主体汇总" if "按责任主体汇总" in text else \
            "按事项和县区汇总" if "按事项和县区汇总" in text else "无"
        print(f"| {o.label} | {o.count:,} | {len(raw) / 1000:.0f} | {'、'.join(n or '?' for n in names)}({holds}) |")
    print(f"\n{len(items)} 封,最大 {worst / 1000:.0f} KB,生成用时 {elapsed:.1f} 秒,"
          f"峰值内存 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    assert worst < 200_000, "a message is over 200 KB"


if __name__ == "__main__":
    main()
