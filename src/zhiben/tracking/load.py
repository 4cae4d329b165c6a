"""Catalogue → database, idempotently.

Loading never deletes a completion record. An entry whose rule changed keeps the records of
periods that still exist (periods are keys, not positions); an entry that left the catalogue
is marked inactive and reported with its record count, never deleted.

The plans' effective date (印发) bounds every recurring schedule. The catalogue gives a default
(`[catalogue] effective`, stored as meta `catalogue_effective`); the bureau can set the true date
(meta `effective`, `zhiben config set effective`), which survives reloads. `effective_date` is the
one function everything else reads it through; `set_effective` re-derives the schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from zhiben import terms as county_names
from zhiben.catalogue import model as cat_mod
from zhiben.catalogue import schedule
from zhiben.db import meta, models, occurrences
from zhiben.errors import InputError
from zhiben.tracking import dues, events

EFFECTIVE_SET = meta.EFFECTIVE_SET
EFFECTIVE_CATALOGUE = meta.EFFECTIVE_CATALOGUE


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # (milestone id, number of completion records it keeps)
    removed: list[tuple[str, int]] = field(default_factory=list)
    # (milestone id, period) records whose period the new rule no longer has
    orphaned: list[tuple[str, str]] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    # (tag name, field, old, new) for every stored tag the catalogue changes
    tags_changed: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (milestone id, records moved) for entries whose period keys changed meaning (covers)
    rekeyed: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.updated) + self.unchanged


def _row_values(m: cat_mod.Milestone, position: int) -> dict:
    ap = m.applies_to
    scope = [county_names.resolve(c) for c in m.counties]
    return dict(
        plan=m.plan,
        task=m.task,
        section=m.section,
        title=m.title,
        quote=m.quote,
        responsible=m.responsible,
        unit=m.unit,
        counties=scope,
        county_scope="".join(f",{c}" for c in scope) + "," if scope else "",
        sector=ap.sector if ap else None,
        tags=list(ap.tags) if ap else [],
        exclude_tags=list(ap.exclude_tags) if ap else [],
        per_risk=m.per_risk,
        kind=m.rule.kind,
        rule=m.rule.model_dump(mode="json"),
        note=m.note,
        position=position,
        active=True,
    )


def load(cat: cat_mod.Catalogue, *, session: Session) -> LoadReport:
    # Everything may change: the whole schedule is rebuilt once, before commit.
    occurrences.touch(session, catalogue=True)
    return _load(cat, session)


def _load(cat: cat_mod.Catalogue, session: Session) -> LoadReport:
    report = LoadReport()
    existing = {row.id: row for row in session.exec(select(models.Milestone)).all()}
    for pos, m in enumerate(cat.milestones):
        values = _row_values(m, pos)
        row = existing.get(m.id)
        if row is None:
            session.add(models.Milestone(id=m.id, **values))
            report.added.append(m.id)
        # Position only orders listings: an entry that moved because another left is not "updated".
        elif any(getattr(row, k) != v for k, v in values.items() if k != "position"):
            moved = _rekey_completions(session, m.id, row.rule, values["rule"])
            if moved:
                report.rekeyed.append((m.id, moved))
            for k, v in values.items():
                setattr(row, k, v)
            report.updated.append(m.id)
        else:
            row.position = pos
            report.unchanged += 1
    session.flush()
    _sync_tags(session, cat, report)
    _save_header(session, cat)
    session.flush()
    dues.sync(session, [(m.id, m.rule) for m in cat.milestones], cat.start, cat.end, effective_date(session))
    wanted = {m.id for m in cat.milestones}
    for mid, row in existing.items():
        if mid not in wanted and row.active:
            row.active = False
            kept = session.exec(
                select(func.count()).select_from(models.Completion).where(models.Completion.milestone_id == mid)
            ).one()
            report.removed.append((mid, kept))
    report.orphaned = _orphaned_records(session, wanted)
    events.rederive_all(session=session)
    session.flush()
    return report


def _rekey_completions(session: Session, mid: str, old: dict, new: dict) -> int:
    """Records of a recurring entry whose period key changes meaning move with it.

    A rule that turns to `covers = "previous"` keys each due date by the period it is about
    (trade-06-a: "每年1月底前整改上一年度": the record made by January 2025 is about 2024), so its
    records move one period back, and forward for the reverse; returns how many moved."""
    if old.get("kind") != "recurring" or new.get("kind") != "recurring" or old.get("every") != new.get("every"):
        return 0
    before, after = old.get("covers", "current"), new.get("covers", "current")
    if before == after:
        return 0
    step = -1 if after == "previous" else 1
    rows = session.exec(select(models.Completion).where(models.Completion.milestone_id == mid)).all()
    for c in sorted(rows, key=lambda c: c.period, reverse=step > 0):  # never onto a key not yet moved
        base, sep, rest = c.period.partition(":")
        c.period = schedule.shift_period(base, step) + sep + rest
        session.flush()
    return len(rows)


def _sync_tags(session: Session, cat: cat_mod.Catalogue, report: LoadReport) -> None:
    # The vocabulary only grows: enterprises in the register may still carry a dropped tag.
    known = {t.name: t for t in session.exec(select(models.Tag)).all()}
    for t in cat.tags:
        row = known.get(t.name)
        if row is None:
            row = known[t.name] = models.Tag(name=t.name, sector=t.sector, quote=t.quote)
            session.add(row)
            report.tags_added.append(t.name)
            continue
        for name in ("sector", "quote"):
            old, new = getattr(row, name), getattr(t, name)
            if old != new:
                report.tags_changed.append((t.name, name, old, new))
                setattr(row, name, new)
    session.exec(delete(models.MilestoneTag))
    for m in cat.milestones:
        if m.applies_to:
            for name in m.applies_to.tags:
                session.add(models.MilestoneTag(milestone_id=m.id, tag=name, exclude=False))
            for name in m.applies_to.exclude_tags:
                session.add(models.MilestoneTag(milestone_id=m.id, tag=name, exclude=True))
    session.flush()
    _sync_aliases(session, cat)


def _sync_aliases(session: Session, cat: cat_mod.Catalogue) -> None:
    known = {a.name: a for a in session.exec(select(models.TagAlias)).all()}
    wanted = {a.name: list(a.tags) for a in cat.aliases}
    for name, row in known.items():
        if name not in wanted:
            session.delete(row)
    for name, tags in wanted.items():
        alias = known.get(name)
        if alias is None:
            session.add(models.TagAlias(name=name, tags=tags))
        elif alias.tags != tags:
            alias.tags = tags
    session.flush()


def _set_meta(session: Session, key: str, value: str | None) -> None:
    row = session.get(models.Meta, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(models.Meta(key=key, value=value))
    else:
        row.value = value


plan_period = meta.plan_period
effective_info = meta.effective_info
effective_date = meta.effective_date


def set_effective(session: Session, day: dt.date | None) -> list[tuple[str, str]]:
    """Set (or, with None, clear) the bureau's effective date and re-derive the schedule.

    Returns the completion records whose period no longer exists (kept, not counted)."""
    start, end = plan_period(session)
    if day is not None and not (start <= day <= end):
        raise InputError(f"生效日期 {day} 不在方案期限 {start}~{end} 内")

    occurrences.touch(session, catalogue=True)  # every calendar due may move
    _set_meta(session, EFFECTIVE_SET, day.isoformat() if day else None)
    session.flush()
    rows = dues.reschedule(session)
    return _orphaned_records(session, {m.id for m in rows})


def _orphaned_records(session: Session, active_ids: set[str]) -> list[tuple[str, str]]:
    """Completion records of active calendar milestones whose period no longer exists."""
    dues = select(models.DueDate.milestone_id, models.DueDate.period)
    known = {tuple(r) for r in session.exec(dues).all()}
    rows = session.exec(
        select(models.Completion.milestone_id, models.Completion.period, models.Milestone.kind)
        .join(models.Milestone, col(models.Milestone.id) == models.Completion.milestone_id)
        .where(col(models.Milestone.kind).in_(["once", "recurring"]))
    ).all()
    return sorted({(mid, p) for mid, p, _ in rows if mid in active_ids and (mid, p) not in known})


def _save_header(session: Session, cat: cat_mod.Catalogue) -> None:
    for key, value in (
        ("catalogue_title", cat.title),
        ("catalogue_start", cat.start.isoformat()),
        ("catalogue_end", cat.end.isoformat()),
        (EFFECTIVE_CATALOGUE, cat.effective.isoformat()),
    ):
        row = session.get(models.Meta, key)
        if row:
            row.value = value
        else:
            session.add(models.Meta(key=key, value=value))


def seed_packaged(session: Session) -> None:
    """Seed a new database with the catalogue shipped with zhiben (db.engine.open_engine's seed)."""
    load(cat_mod.read(), session=session)
