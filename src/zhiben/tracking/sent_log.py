"""The sent-mail log: which digest went to whom in which ISO week (`SentMail`).

Written only after the SMTP server accepted a message and committed at once, so a run that fails
halfway re-sends exactly the undelivered messages next time and nothing twice.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from zhiben.db import models


def last_sent(session: Session, recipient: str, kind: str, week: str) -> dt.date | None:
    """When this recipient last got this kind of mail before `week` (for "new since the last mail")."""
    row = session.exec(select(models.SentMail).where(
        models.SentMail.recipient == recipient, models.SentMail.kind == kind, models.SentMail.week < week)
        .order_by(col(models.SentMail.week).desc())).first()
    if row is None:
        return None
    # A mail sent late (or re-sent with --as-of for a past week) covers its own week, not the send date.
    year, week_no = row.week.split("-W")
    sunday = dt.date.fromisocalendar(int(year), int(week_no), 7)
    return min(row.sent_at.date(), sunday)


def delivered(session: Session, week: str) -> set[tuple[str, str]]:
    """(recipient, kind) of every message delivered in `week`."""
    return {(r.recipient, r.kind) for r in session.exec(select(models.SentMail).where(models.SentMail.week == week))}


def record(session: Session, week: str, recipient: str, kind: str, subject: str) -> None:
    row = session.exec(select(models.SentMail).where(
        models.SentMail.week == week, models.SentMail.recipient == recipient, models.SentMail.kind == kind)).first()
    if row is None:
        row = models.SentMail(week=week, recipient=recipient, kind=kind, subject=subject)
    else:  # --force: the same week again; keep one row, note the latest delivery
        row.subject = subject
        row.sent_at = models.now()
    session.add(row)
    # Committed per message on purpose: a later failure must not un-record a delivered one.
    session.commit()
