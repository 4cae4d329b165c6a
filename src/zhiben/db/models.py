"""Database tables (sqlmodel). One module so the whole schema reads in one sitting.

Subjects of an obligation are identified by (subject_kind, subject_id): the city is
("city", 0); counties, parks and enterprises use their row ids. An occurrence is
(milestone_id, subject_kind, subject_id, period). The schedule (`DueDate` × subjects, plus
`EventDue`) is materialised in `Occurrence`, which db/occurrences.py keeps in step with every
write; the reports read only that table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DDL, JSON, Column, DateTime, Index, LargeBinary, Table, TypeDecorator, UniqueConstraint, event
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from zhiben import terms
from zhiben.db.version import SCHEMA_VERSION  # noqa: F401  (one number for the whole package)

# Row ids are typed `int` though None until the first flush: code reads them only from stored rows,
# and `int | None` would make every such read a type error. The schema is the same either way.
CITY_ID = terms.CITY_ID
CITY_NAME = terms.CITY_NAME


def table(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for bulk statements (sqlmodel does not declare `__table__`)."""
    return model.__table__  # type: ignore[attr-defined]


def now() -> dt.datetime:
    """Now, to the second, in UTC: what every recorded_at / updated_at / at stores (see UTCTime)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class UTCTime(TypeDecorator):
    """A moment stored as UTC and read back as an aware UTC datetime, whatever the backend.

    SQLite keeps no zone, so a zone-less local time reads eight hours off on a computer in another
    zone (a cron job on a UTC server, an analyst in Asia/Shanghai). Declared here rather than left
    to sqlmodel, whose datetime mapping changed between releases. PostgreSQL sessions run in UTC
    (engine.make_engine), so TIMESTAMP and TIMESTAMPTZ columns from either mapping agree.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)




class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class County(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    short: str
    position: int = 0
    contact_name: str | None = None
    contact_email: str | None = None


class Park(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    county_id: int = Field(foreign_key="county.id")


class Milestone(SQLModel, table=True):
    id: str = Field(primary_key=True)
    plan: str = Field(index=True)
    task: str
    section: str
    title: str
    quote: str
    responsible: str = Field(index=True)
    unit: str | None = None
    counties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # ",茌平区," form of `counties` ("" = every county) so SQL can test membership with LIKE.
    county_scope: str = ""
    sector: str | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    exclude_tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    per_risk: str | None = None
    kind: str
    rule: dict = Field(default_factory=dict, sa_column=Column(JSON))
    note: str | None = None
    position: int = 0
    # False once the entry has left the catalogue: its records stay, it stops generating dues.
    active: bool = True


class MilestoneTag(SQLModel, table=True):
    """Denormalised applies_to tags so enterprise applicability is one SQL join."""

    milestone_id: str = Field(foreign_key="milestone.id", primary_key=True)
    tag: str = Field(primary_key=True)
    exclude: bool = Field(default=False, primary_key=True)


class Tag(SQLModel, table=True):
    """The enterprise tag vocabulary of the loaded catalogue (the plans' own words)."""

    name: str = Field(primary_key=True)
    sector: str
    quote: str


class DueDate(SQLModel, table=True):
    """The calendar schedule of each once/recurring milestone (small: entries × periods)."""

    milestone_id: str = Field(foreign_key="milestone.id", primary_key=True)
    period: str = Field(primary_key=True)
    due: dt.date = Field(index=True)
    # "deadline", or "postponed": a fixed-day deadline (每月3日前) that fell on a non-working day and
    # moved to the next working day (顺延); reports say so.
    bound: str = Field(default="deadline", sa_column_kwargs={"server_default": "deadline"})


class Enterprise(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    credit_code: str = Field(unique=True)
    name: str = Field(index=True)
    county_id: int = Field(foreign_key="county.id", index=True)
    sector: str = Field(index=True)
    risk: str | None = None
    park_id: int | None = Field(default=None, foreign_key="park.id")
    contact: str | None = None
    email: str | None = None
    active: bool = True
    updated_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class EnterpriseTag(SQLModel, table=True):
    enterprise_id: int = Field(foreign_key="enterprise.id", primary_key=True)
    tag: str = Field(primary_key=True, index=True)


class Event(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    kind: str
    date: dt.date
    # An announced future date (计划/预计): its deadlines are shown as planned; recording the actual
    # event of the same kind replaces it. Schema version 5 added this column (migrations.py).
    planned: bool = False
    note: str | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class TagAlias(SQLModel, table=True):
    """Register spellings of the plans' tags (catalogue [[alias]]), e.g. 硝化工艺 → 硝化、高危工艺."""

    name: str = Field(primary_key=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class Holiday(SQLModel, table=True):
    """The bureau's holiday calendar (zhiben calendar): takes precedence over chinese_calendar's data."""

    day: dt.date = Field(primary_key=True)
    workday: bool  # False: 放假; True: 调休上班
    note: str | None = None


class EventDue(SQLModel, table=True):
    """Deadlines derived from events (computed with the working-day calendar at record time)."""

    __table_args__ = (UniqueConstraint("milestone_id", "enterprise_id", "period"),)
    id: int = Field(default=None, primary_key=True)
    milestone_id: str = Field(foreign_key="milestone.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    event_id: int = Field(foreign_key="event.id")
    period: str
    due: dt.date = Field(index=True)
    bound: str = "deadline"
    # Set when a later event (trial-end, resumption) closes or cancels the deadline.
    closed_on: dt.date | None = None


class Completion(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("milestone_id", "subject_kind", "subject_id", "period"),
        Index("ix_completion_subject", "subject_kind", "subject_id"),
    )
    id: int = Field(default=None, primary_key=True)
    milestone_id: str = Field(foreign_key="milestone.id")
    subject_kind: str
    subject_id: int
    period: str
    done_on: dt.date
    evidence: str | None = None
    recorded_by: str | None = None
    source: str | None = None
    recorded_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class AuditEntry(SQLModel, table=True):
    """Append-only history of every status change."""

    # `zhiben log --county` filters by subject; schema version 2 added this index (migrations.py).
    __table_args__ = (Index("ix_auditentry_subject", "subject_kind", "subject_id"),)
    id: int = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=UTCTime, default_factory=now, index=True)
    by: str | None = None
    action: str
    milestone_id: str = Field(index=True)
    subject_kind: str
    subject_id: int
    subject_name: str
    period: str
    old_status: str
    new_status: str
    done_on: dt.date | None = None
    evidence: str | None = None
    source: str | None = None


class EvidenceContent(SQLModel, table=True):
    """The bytes of one evidence file, stored once whatever the number of records citing it.

    Keyed by the SHA-256 of the bytes, so `zhiben evidence verify` can recompute the key and see
    any change. Schema version 7 added this table and EvidenceFile (tracking/evidence.py).
    """

    sha256: str = Field(primary_key=True)  # lowercase hex
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# Documents and photos are compressed already: PostgreSQL keeps the bytes uncompressed out of
# line, so reading a slice (db/blobs.py) fetches only that slice.
event.listen(EvidenceContent.__table__, "after_create",  # type: ignore[attr-defined]
             DDL("ALTER TABLE evidencecontent ALTER COLUMN data SET STORAGE EXTERNAL").execute_if(dialect="postgresql"))


class EvidenceFile(SQLModel, table=True):
    """One file attached to one record (the completion of milestone × subject × period).

    Keyed by the occurrence rather than the completion row, so reopening a record to correct its
    date and recording it again keeps its files; only a completion that exists accepts new ones.
    """

    __table_args__ = (
        UniqueConstraint("milestone_id", "subject_kind", "subject_id", "period", "sha256"),
        Index("ix_evidencefile_subject", "subject_kind", "subject_id"),
    )
    id: int = Field(default=None, primary_key=True)
    milestone_id: str = Field(foreign_key="milestone.id")
    subject_kind: str
    subject_id: int
    period: str
    sha256: str = Field(foreign_key="evidencecontent.sha256", index=True)
    name: str  # the original name, cleaned of folders and control characters
    size: int
    mime: str
    added_by: str | None = None
    added_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)
    source: str | None = None


class Bulletin(SQLModel, table=True):
    """An issued 通报: its figures as circulated, so 较上期 compares with what was published, not with
    today's records (a completion entered late changes the past; the published figures stay)."""

    __table_args__ = (UniqueConstraint("scope", "year", "number"),)
    id: int = Field(default=None, primary_key=True)
    scope: str  # 全市 or a county's official name
    year: int  # issue numbers run per year: 2026年第3期
    number: int
    as_of: dt.date
    figures: dict = Field(sa_column=Column(JSON, nullable=False))  # reports.notice.Notice.stored()
    issued_by: str | None = None
    issued_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class TargetValue(SQLModel, table=True):
    """A measured value for a `reported` target (e.g. 专业监管人员比例) entered by a user."""

    __table_args__ = (UniqueConstraint("milestone_id", "subject_kind", "subject_id"),)
    id: int = Field(default=None, primary_key=True)
    milestone_id: str = Field(foreign_key="milestone.id")
    subject_kind: str
    subject_id: int
    value: float
    measured_on: dt.date
    recorded_by: str | None = None


class SentMail(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("week", "recipient", "kind"),)
    id: int = Field(default=None, primary_key=True)
    week: str
    recipient: str
    kind: str = "overdue"
    subject: str
    sent_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class PublishedEvent(SQLModel, table=True):
    """A calendar event zhiben has put into an exported ICS feed.

    Kept so the next export of the same feed can carry an event whose item was completed or
    withdrawn as STATUS:CANCELLED under the same UID (a calendar that imported the earlier file
    then removes it), and can bump SEQUENCE when an event's text changes.
    """

    feed: str = Field(primary_key=True)  # which calendar: the export's filters and grouping
    uid: str = Field(primary_key=True)
    due: dt.date
    summary: str
    fingerprint: str  # hash of what the event says; a change bumps `sequence`
    sequence: int = 0
    cancelled: bool = False
    published_at: dt.datetime = Field(sa_type=UTCTime, default_factory=now)


class Occurrence(SQLModel, table=True):
    """One row per (milestone, subject, period) owed: the schedule the reports read.

    Derived data: db/occurrences.py fills it with the same set-based SELECT that defines an
    occurrence (calendar dues × applicable subjects, plus event-derived dues) and refreshes the
    affected slice after every write; `zhiben check` compares it with a fresh computation.
    Names and sort keys are copied in so a report is one indexed scan of one table. `done_on` is
    the completion date (any date: a report as of an earlier day treats a later one as open).
    """

    __table_args__ = (
        Index("ix_occurrence_due", "due", "bound"),
        Index("ix_occurrence_county_due", "county_id", "due"),
        Index("ix_occurrence_enterprise", "enterprise_id"),
    )
    milestone_id: str = Field(primary_key=True)
    subject_kind: str = Field(primary_key=True)
    subject_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    period: str = Field(primary_key=True)
    plan: str
    position: int
    due: dt.date
    # deadline | earliest (an event-derived date before which something may not happen)
    bound: str
    county_id: int | None = None  # the subject's county; None for the city
    county_pos: int = -1
    park_id: int | None = None
    # The enterprise the occurrence exists because of (its own duty, or a per-risk supervision duty).
    enterprise_id: int | None = None
    subject: str
    credit_code: str | None = None
    # An event-derived deadline withdrawn from this date on (EventDue.closed_on).
    closed_on: dt.date | None = None
    done_on: dt.date | None = None


class Tally(SQLModel, table=True):
    """How many occurrence rows share these dates and this county, plan and subject kind (schema 9).

    Derived data, kept with the occurrence table by its writers (db/tally.py): the county × plan
    matrix is sums of these counts, so it reads a few thousand rows, not every occurrence. The
    city's county is 0 and an open or never-withdrawn occurrence has 9999-12-31 (tally.NEVER), so
    every key column is NOT NULL and the key can take an upsert.
    """

    county_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    plan: str = Field(primary_key=True)
    subject_kind: str = Field(primary_key=True)
    due: dt.date = Field(primary_key=True)
    bound: str = Field(primary_key=True)
    done_on: dt.date = Field(primary_key=True)
    closed_on: dt.date = Field(primary_key=True)
    n: int
