"""What each ICS feed has published (`PublishedEvent`), so the next export of the same feed can
cancel an event whose items were completed or withdrawn and bump SEQUENCE when one changes.

Calendars only forget an event they were told to forget: an event missing from a re-imported file
stays. The feed's file is made by outputs/calendar.py; this module is its memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from zhiben.db import failures, models


@dataclass(frozen=True)
class Shown:
    """One event of the file being made: its UID, SEQUENCE, and whether it is a cancellation."""
    uid: str
    sequence: int
    cancelled: bool
    due: dt.date
    summary: str


class FeedMemory:
    """The published events of one feed (the export's filters and grouping)."""

    def __init__(self, session: Session, feed: str) -> None:
        self.session = session
        self.feed = feed
        self.published = {p.uid: p for p in session.exec(select(models.PublishedEvent)
                                                         .where(models.PublishedEvent.feed == feed))}

    def horizon(self, as_of: dt.date, days: int) -> int:
        """Days ahead to look: as far as anything this feed has published, so an event that is merely
        beyond today's window is not mistaken for a completed one."""
        return max([days] + [(p.due - as_of).days for p in self.published.values() if not p.cancelled])

    def publish(self, current: dict[str, tuple[dt.date, str, str]], as_of: dt.date, limit: dt.date) -> list[Shown]:
        """The events of this export, given the open ones (uid → due, summary, fingerprint); remembers
        them. Open events due after `limit` that were never published are left out."""
        shown: list[Shown] = []
        now = models.now()
        for uid, (due, summary, fingerprint) in current.items():
            p = self.published.get(uid)
            if p is None:
                if due > limit:
                    continue
                p = models.PublishedEvent(feed=self.feed, uid=uid, due=due, summary=summary,
                                          fingerprint=fingerprint, published_at=now)
            elif p.cancelled or p.fingerprint != fingerprint:
                p.sequence += 1
                p.cancelled, p.fingerprint, p.summary, p.due = False, fingerprint, summary, due
            self.session.add(p)
            shown.append(Shown(uid, p.sequence, False, due, summary))
        for uid, p in self.published.items():
            if uid in current or p.due < as_of:
                continue  # still open, or in the past (a subscribed calendar keeps its history)
            if not p.cancelled:
                p.cancelled = True
                p.sequence += 1
                self.session.add(p)
            shown.append(Shown(uid, p.sequence, True, p.due, p.summary))
        return shown

    def keep(self) -> bool:
        """Write what was published; False (changes dropped) when the database is read-only: the file
        is made all the same, only the memory of it is not kept."""
        try:
            self.session.flush()
        except Exception as exc:
            if "只读" not in failures.describe(exc):
                raise
            self.session.rollback()
            return False
        return True
