"""Recording and reopening occurrences; every change appends to the audit log."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from zhiben import terms
from zhiben.catalogue import model as cat_mod
from zhiben.catalogue import schedule
from zhiben.dates import not_after_today
from zhiben.db import meta, models, occurrences
from zhiben.errors import InputError, NotOwed
from zhiben.inputs import limits
from zhiben.tracking import audit
from zhiben.tracking.marks import Change, Subject, check_not_before_effective
from zhiben.tracking.subjects import get_milestone


def _period_key(session: Session, m: models.Milestone, period: str | None) -> str:
    """The canonical period key the user means (before asking whether such an occurrence exists)."""
    if m.kind == "target":
        raise InputError(f"事项 {m.id} 是量化目标,按登记数据测算,不能标记完成")
    if m.kind == "standing":
        raise InputError(f"事项 {m.id} 是持续性规定,没有期限,不需要标记完成")
    if m.kind == "undated":
        return _undated_period(session, m, period)
    if m.kind == "once":
        if period not in (None, "", schedule.ONCE):
            raise InputError(f"事项 {m.id} 是一次性期限,不需要 --period")
        return schedule.ONCE
    if not period:
        raise InputError(f"事项 {m.id} 是周期性事项({_every_label(m)}),请用 --period 指定周期")
    return schedule.normalise_period(period, m.rule["every"])


def _undated_period(session: Session, m: models.Milestone, period: str | None) -> str:
    """The text gives no date: one record per subject (per year for a yearly one), never overdue."""
    rule = cat_mod.UndatedRule.model_validate(m.rule)
    if rule.every is None:
        if period not in (None, "", schedule.ONCE):
            raise InputError(f"事项 {m.id} 未定期限,不需要 --period")
        return schedule.ONCE
    if not period:
        raise InputError(f"事项 {m.id} 每年一次(原文未给出日期),请用 --period 指定年度,如 2025")
    key = schedule.normalise_period(period, rule.every)
    start, end = meta.plan_period(session)
    years = schedule.undated_periods(rule, start, end, meta.effective_date(session))
    if key not in years:
        raise InputError(f"事项 {m.id} 没有周期“{key}”(可用:{'、'.join(years)})")
    return key


def _every_label(m: models.Milestone) -> str:
    return {"month": "每月,如 2025-03", "quarter": "每季度,如 2025-Q2", "half": "每半年,如 2025-H1",
            "year": "每年,如 2025"}[m.rule["every"]]


def _row(session: Session, m_id: str, owner: Subject, key: str) -> tuple[str, dt.date] | None:
    row = session.get(models.Occurrence, (m_id, owner.kind, owner.id, key))
    return None if row is None else (row.period, row.due)


def _event_row(session: Session, m: models.Milestone, owner: Subject, period: str | None) -> tuple[str, dt.date] | None:
    """The enterprise's occurrence of an event-relative duty, picked by event date when it has several."""
    O = models.Occurrence
    rows = [(r.period, r.due) for r in session.exec(select(O).where(
        O.milestone_id == m.id, O.subject_kind == owner.kind, O.subject_id == owner.id)).all()]
    if period:
        rows = [r for r in rows if r[0] == period or r[0].split("@")[1].startswith(period)]
    if len(rows) > 1:
        raise InputError(f"企业“{owner.name}”有多条相关事件,请用 --period 指明事件日期:"
                         + "、".join(r[0] for r in rows))
    return rows[0] if rows else None


def _explain(session: Session, m: models.Milestone, subject: Subject, owner: Subject, key: str) -> NotOwed:
    """Why there is no occurrence row, in the catalogue's words (the table alone decided that)."""
    expected = "county" if m.per_risk else m.responsible
    if owner.kind != expected:
        return NotOwed(f"事项 {m.id} 的责任主体是{terms.SUBJECT_WORDS[expected]},"
                       f"不能记在{terms.SUBJECT_WORDS[subject.kind]}“{subject.name}”名下")
    if owner.kind == "county" and m.counties and owner.name not in m.counties:
        return NotOwed(f"事项 {m.id} 只由{'、'.join(m.counties)}承担,不适用于{owner.name}")
    if subject.kind == "enterprise":
        ent = session.get_one(models.Enterprise, subject.id)
        if not ent.active:
            return NotOwed(f"企业“{ent.name}”已移出名录,不再承担事项 {m.id}")
        if m.per_risk and ent.risk != m.per_risk:
            return NotOwed(f"事项 {m.id} 只针对{m.per_risk}色企业,“{ent.name}”的风险等级是{ent.risk or '未评定'}")
        if m.sector and ent.sector != m.sector:
            return NotOwed(f"事项 {m.id} 不适用于企业“{ent.name}”(行业不符)")
        tags = set(session.exec(select(models.EnterpriseTag.tag).where(models.EnterpriseTag.enterprise_id == ent.id)))
        if not m.per_risk and (barred := [t for t in m.exclude_tags if t in tags]):
            return NotOwed(f"事项 {m.id} 不适用于企业“{ent.name}”(带有标签:{'、'.join(barred)})")
        proven = {terms.EVENT_TAGS.get(m.rule.get("event", ""))}
        if not m.per_risk and m.tags and not (set(m.tags) & (tags | proven)):
            return NotOwed(f"事项 {m.id} 不适用于企业“{ent.name}”(缺少标签:{'或'.join(m.tags)})")
    if m.kind == "relative":
        return NotOwed(f"企业“{subject.name}”没有可对应事项 {m.id} 的事件记录(先用 zhiben event add 登记)",
                       about="period")
    if m.kind != "undated" and session.get(models.DueDate, (m.id, key.split(":")[0])) is None:
        return NotOwed(f"事项 {m.id} 没有周期“{key.split(':')[0]}”(该事项的周期见 zhiben catalogue show {m.id})",
                       about="period")
    return NotOwed(f"事项 {m.id} 不适用于{terms.SUBJECT_WORDS[subject.kind]}“{subject.name}”")


def find(session: Session, m_id: str, subject: Subject, period: str) -> models.Completion | None:
    """The completion recorded for one occurrence, if any."""
    return session.exec(select(models.Completion).where(
        models.Completion.milestone_id == m_id, models.Completion.subject_kind == subject.kind,
        models.Completion.subject_id == subject.id, models.Completion.period == period)).first()


def prepare(session: Session, milestone_id: str, subject: Subject, period: str | None,
            ) -> tuple[models.Milestone, Subject, str, dt.date | None]:
    """Resolve an occurrence reference to its row in the occurrence table, which alone decides
    what falls on whom; a miss is explained from the catalogue. A per-risk duty is the county's,
    named through the inspected enterprise. Returns (milestone, owner, period key, due date;
    None for an undated duty, which has no dates and so no rows)."""
    m = get_milestone(session, milestone_id)
    occurrences.settle(session)  # what this transaction already wrote, e.g. an event added before
    owner, key = subject, _period_key(session, m, period) if m.kind != "relative" else period or ""
    if m.per_risk:
        if subject.kind == "county":
            raise InputError(f"事项 {m.id} 按{m.per_risk}色企业逐家检查,请用 --enterprise 指明被检查企业")
        if subject.kind == "enterprise":
            ent = session.get_one(models.Enterprise, subject.id)
            county = session.get_one(models.County, ent.county_id)
            owner, key = Subject("county", county.id, county.name, county.id), f"{key}:{ent.credit_code}"
    if m.kind == "undated":
        if not occurrences.falls_on(session, m.id, owner.kind, owner.id):
            raise _explain(session, m, subject, owner, key)
        return m, owner, key, None
    found = _event_row(session, m, owner, period) if m.kind == "relative" else _row(session, m.id, owner, key)
    if found is None:
        raise _explain(session, m, subject, owner, key)
    return m, owner, found[0], found[1]


def mark_done(session: Session, milestone_id: str, subject: Subject, *, period: str | None = None,
              on: dt.date | None = None, evidence: str | None = None, by: str | None = None,
              source: str | None = None, today: dt.date | None = None) -> Change:
    today = today or dt.date.today()
    on = on or today
    not_after_today(on, today, "完成日期")
    limits.check(evidence=evidence, by=by)
    check_not_before_effective(session, on)
    occurrences.touch(session)  # the writers' lock first: what prepare reads stays true until commit
    m, subject, key, due = prepare(session, milestone_id, subject, period)
    occurrences.touch(session, completions=[(m.id, subject.kind, subject.id, key)])
    existing = find(session, m.id, subject, key)
    if existing is not None:
        return Change(m.id, subject, key, due, changed=False, done_on=existing.done_on)
    session.add(models.Completion(milestone_id=m.id, subject_kind=subject.kind, subject_id=subject.id, period=key,
                                  done_on=on, evidence=evidence, recorded_by=by, source=source))
    old = "overdue" if due is not None and due < on else "open"
    audit.record(session, action="done", m_id=m.id, subject=subject, period=key, old=old, new="done",
           done_on=on, evidence=evidence, by=by, source=source)
    session.flush()
    return Change(m.id, subject, key, due, changed=True, done_on=on)


def reopen(session: Session, milestone_id: str, subject: Subject, *, period: str | None = None,
           reason: str | None = None, by: str | None = None, source: str | None = None) -> Change:
    limits.check(reason=reason, by=by)
    occurrences.touch(session)  # the writers' lock first: what prepare reads stays true until commit
    m, subject, key, due = prepare(session, milestone_id, subject, period)
    occurrences.touch(session, completions=[(m.id, subject.kind, subject.id, key)])
    existing = find(session, m.id, subject, key)
    if existing is None:
        return Change(m.id, subject, key, due, changed=False)
    session.delete(existing)
    audit.record(session, action="reopen", m_id=m.id, subject=subject, period=key, old="done", new="open",
           done_on=None, evidence=reason, by=by, source=source)
    session.flush()
    return Change(m.id, subject, key, due, changed=True, done_on=existing.done_on)


# --- one obligation for many enterprises -------------------------------------------------------

def county_enterprises(session: Session, milestone_id: str, county: Subject) -> list[models.Enterprise]:
    """The county's active enterprises an obligation falls on (for a per-risk duty: those it covers)."""
    m = get_milestone(session, milestone_id)
    if m.responsible != "enterprise" and not m.per_risk:
        raise InputError(f"事项 {m.id} 的责任主体是{terms.SUBJECT_WORDS[m.responsible]},不是企业,不能按企业批量记录")
    occurrences.settle(session)
    ids = occurrences.owing(session, m.id, county.id)
    found = list(session.exec(select(models.Enterprise).where(col(models.Enterprise.id).in_(ids))
                              .order_by(models.Enterprise.credit_code)).all()) if ids else []
    if not found:
        what = f"{m.per_risk}色" if m.per_risk else "适用该事项的"
        raise InputError(f"{county.name}没有{what}在册企业(事项 {m.id})")
    return found


def mark_done_many(session: Session, milestone_id: str, enterprises: list[tuple[str, models.Enterprise]], *,
                   period: str | None = None, on: dt.date | None = None, evidence: str | None = None,
                   by: str | None = None, source: str | None = None, today: dt.date | None = None) -> list[Change]:
    """Record one obligation for many enterprises, all or nothing: every (label, enterprise) is
    checked before anything is written, and every problem is reported at once."""
    today = today or dt.date.today()
    on = on or today
    not_after_today(on, today, "完成日期")
    m = get_milestone(session, milestone_id)
    if m.responsible != "enterprise" and not m.per_risk:
        raise InputError(f"事项 {m.id} 的责任主体是{terms.SUBJECT_WORDS[m.responsible]},不是企业,不能按企业批量记录")
    if not enterprises:
        raise InputError("没有要记录的企业")
    occurrences.touch(session)
    problems = []
    for label, ent in enterprises:
        try:
            prepare(session, m.id, Subject("enterprise", ent.id, ent.name, ent.county_id), period)
        except InputError as exc:
            problems.append(f"{label}: {exc.message}")
    if problems:
        raise InputError(f"有 {len(problems)} 家企业不能记录事项 {m.id},未做任何更改", problems=problems)
    return [mark_done(session, m.id, Subject("enterprise", ent.id, ent.name, ent.county_id), period=period, on=on,
                      evidence=evidence, by=by, source=source, today=today)
            for _, ent in enterprises]

