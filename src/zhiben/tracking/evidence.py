"""Evidence files attached to completion records: attach, remove, limits; every change audit-logged.

A file belongs to a record (milestone × subject × period) that is recorded as done. Its bytes live
once in EvidenceContent (keyed by SHA-256) whatever the number of records citing them; a record
cites the same bytes at most once (attaching them again is reported, not stored). Files are
examined (inputs/evidence.py) before anything is written, so a refused file leaves the database
as it was, and stored in the caller's transaction with the completion they prove.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from zhiben import terms
from zhiben.db import blobs, meta, models
from zhiben.errors import InputError, NotFound
from zhiben.inputs import evidence as files
from zhiben.inputs import limits
from zhiben.tracking import audit, completions
from zhiben.tracking.subjects import Subject

MB = 1024 * 1024
# Settings in the meta table (`zhiben config set evidence-file-limit 20MB`).
FILE_LIMIT = "evidence_file_limit"
TOTAL_LIMIT = "evidence_total_limit"
DEFAULTS = {FILE_LIMIT: 20 * MB, TOTAL_LIMIT: 2048 * MB}
# How a status sheet's 佐证文件 cell separates names: 顿号, semicolons, line breaks.
FILE_SEPARATORS = re.compile(r"[、;;\r\n]+")
# A status import may unpack at most this much of a ZIP (its declared and its real sizes).
ZIP_BUDGET = 2048 * MB


def limit(session: Session, key: str) -> int:
    stored = meta.value(session, key)
    return int(stored) if stored else DEFAULTS[key]


def file_limit(session: Session) -> int:
    return limit(session, FILE_LIMIT)


def parse_size(text: str) -> int:
    """20MB, 1.5GB, 500KB or a bare number of MB → bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|K|MB|M|GB|G)?\s*", text.upper())
    if not m:
        raise InputError(f"无法识别的大小“{text[:40]}”(如 20MB、2GB、500KB)")
    unit = {"K": 1024, "KB": 1024, "M": MB, "MB": MB, "G": 1024 * MB, "GB": 1024 * MB}.get(m.group(2) or "MB", MB)
    value = int(float(m.group(1)) * unit)
    if not 1024 <= value <= 1024 ** 4:
        raise InputError(f"大小“{text[:40]}”超出范围(1KB 至 1024GB)")
    return value


def set_limit(session: Session, key: str, value: int | None) -> None:
    row = session.get(models.Meta, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(models.Meta(key=key, value=str(value)))
    else:
        row.value = str(value)
    session.flush()


def examine(session: Session, paths: list[str]) -> list[files.Candidate]:
    """Check every file before anything is written; the first refused one stops the command."""
    most = file_limit(session)
    return [files.examine(p, max_bytes=most) for p in paths]


@dataclass(frozen=True)
class Stored:
    """What was stored, kept as plain values (readable after the session commits)."""

    id: int
    name: str
    size: int
    mime: str
    sha256: str


def stored(row: models.EvidenceFile) -> Stored:
    return Stored(row.id, row.name, row.size, row.mime, row.sha256)


@dataclass
class Attached:
    milestone_id: str
    subject: Subject  # whose record (the county for a per-risk supervision duty)
    period: str
    added: list[Stored] = field(default_factory=list)
    repeated: list[files.Candidate] = field(default_factory=list)  # already attached: stored once


def _citing(session: Session, m_id: str, subject: Subject, period: str) -> SelectOfScalar[models.EvidenceFile]:
    return select(models.EvidenceFile).where(
        models.EvidenceFile.milestone_id == m_id, models.EvidenceFile.subject_kind == subject.kind,
        models.EvidenceFile.subject_id == subject.id, models.EvidenceFile.period == period)


def attach(session: Session, milestone_id: str, subject: Subject, period: str | None,
           candidates: list[files.Candidate], *, by: str | None, source: str | None = None) -> Attached:
    """Attach checked files to the completion of one record (which must exist)."""
    limits.check(by=by)
    m, owner, key, _ = completions.prepare(session, milestone_id, subject, period)
    done = completions.find(session, m.id, owner, key)
    result = Attached(m.id, owner, key)
    if done is None:
        raise InputError(f"{m.id} {terms.SUBJECT_NAMES[owner.kind]}“{owner.name}”{'' if key == 'once' else ' 该周期'}尚未标记完成,不能添加佐证文件;请先用 zhiben done 记录完成")
    rows: list[models.EvidenceFile] = []
    have = {f.sha256 for f in session.exec(_citing(session, m.id, owner, key)).all()}
    new_bytes, room = 0, limit(session, TOTAL_LIMIT) - blobs.total_size(session)
    for c in candidates:
        if c.sha256 in have:
            result.repeated.append(c)
            continue
        have.add(c.sha256)
        if not blobs.exists(session, c.sha256):
            new_bytes += c.size
            if new_bytes > room:
                raise InputError(f"佐证文件 {c.shown}:数据库中的佐证文件将超过总量上限"
                                 f"({limits.megabytes(limit(session, TOTAL_LIMIT))});"
                                 "可用 zhiben config set evidence-total-limit 调整")
            blobs.put(session, c.sha256, files.read_checked(c))
        row = models.EvidenceFile(milestone_id=m.id, subject_kind=owner.kind, subject_id=owner.id, period=key,
                                  sha256=c.sha256, name=c.name, size=c.size, mime=c.mime, added_by=by, source=source)
        session.add(row)
        rows.append(row)
        audit.record(session, action="attach", m_id=m.id, subject=owner, period=key, old="done", new="done",
                     done_on=done.done_on, evidence=f"佐证文件 {c.name}(SHA-256 {c.sha256[:16]}…)", by=by, source=source)
    session.flush()
    result.added = [stored(r) for r in rows]
    return result


def get(session: Session, file_id: int) -> models.EvidenceFile:
    row = session.get(models.EvidenceFile, file_id)
    if row is None:
        raise NotFound(f"没有编号为 {file_id} 的佐证文件(用 zhiben evidence list 查看编号)")
    return row


def owner_of(session: Session, row: models.EvidenceFile) -> Subject:
    if row.subject_kind == "city":
        return Subject("city", row.subject_id, terms.CITY_NAME)
    found: models.County | models.Park | models.Enterprise | None
    if row.subject_kind == "county":
        found = session.get(models.County, row.subject_id)
    elif row.subject_kind == "park":
        found = session.get(models.Park, row.subject_id)
    else:
        found = session.get(models.Enterprise, row.subject_id)
    return Subject(row.subject_kind, row.subject_id, found.name if found else str(row.subject_id))


@dataclass
class Removed:
    file: Stored
    milestone_id: str
    period: str
    subject: Subject
    content_dropped: bool


def remove(session: Session, file_id: int, *, reason: str, by: str | None) -> Removed:
    """Detach one file (audit-logged); its bytes go only when no other record cites them."""
    if not reason or not reason.strip():
        raise InputError("删除佐证文件须用 --reason 说明原因")
    limits.check(reason=reason, by=by)
    row = get(session, file_id)
    owner = owner_of(session, row)
    record = completions.find(session, row.milestone_id, owner, row.period)
    done = record.done_on if record else None
    status = "done" if record else "open"
    audit.record(session, action="detach", m_id=row.milestone_id, subject=owner, period=row.period, old=status,
                 new=status, done_on=done, evidence=f"删除佐证文件 {row.name}(SHA-256 {row.sha256[:16]}…):{reason.strip()}",
                 by=by, source=None)
    gone, mid, period = stored(row), row.milestone_id, row.period
    session.delete(row)
    session.flush()
    dropped = blobs.drop_if_unused(session, gone.sha256)
    return Removed(gone, mid, period, owner, dropped)


@dataclass
class Mismatch:
    sha256: str
    size: int
    actual: str | None  # None: the bytes are missing
    actual_size: int
    names: list[str]


def verify(session: Session, on_each: Callable[[], object] | None = None) -> tuple[int, list[Mismatch]]:
    """Recompute every stored content's SHA-256 (streamed); (contents checked, mismatches)."""
    bad = []
    keys = blobs.shas(session)
    for sha, size in keys:
        digest, n = hashlib.sha256(), 0
        for piece in blobs.chunks(session, sha):
            digest.update(piece)
            n += len(piece)
        if digest.hexdigest() != sha or n != size:
            names = [f.name for f in session.exec(select(models.EvidenceFile).where(
                models.EvidenceFile.sha256 == sha)).all()]
            bad.append(Mismatch(sha, size, digest.hexdigest() if n else None, n, names))
        if on_each:
            on_each()
    return len(keys), bad
