"""Quantified targets (`target` entries): measured from the register or entered by users.

- risk_share: the share of the entry's applies_to population (active enterprises of the sector
  carrying any of its tags and none of its excluded tags) whose risk level is in rule.levels.
  Only rated enterprises are measured (chem-21-b: “纳入风险评估分级的”); unrated ones are counted
  apart (`unrated`) so a county sees who still needs a rating. The
  register keeps only current risk levels, so the share is today's; the as-of date decides only
  whether the target is still 进行中.
- reported: the latest value entered with `zhiben target record` on or before the as-of date.
A target is judged only once its due date has passed: before that it is 进行中. A target the text
gives no date for (due None) is 达标 once reached and 进行中 until then, never 未达标.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from zhiben import terms
from zhiben.dates import not_after_today
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.inputs import limits
from zhiben.tracking import audit, subjects

METRIC_NAMES = {"risk_share": "按企业名录测算", "reported": "填报"}


@dataclass
class TargetRow:
    milestone_id: str
    plan: str
    title: str
    metric: str
    scope_kind: str  # "city" or "county"
    scope: str
    value: float | None
    meeting: int | None  # risk_share: enterprises at the wanted levels
    population: int | None  # risk_share: enterprises measured
    unrated: int | None
    threshold: float
    due: dt.date | None
    measured_on: dt.date | None
    status: str

    @property
    def status_name(self) -> str:
        if self.status == "no_data" and self.metric == "reported":
            return "未填报"
        return terms.TARGET_STATUS_NAMES[self.status]


def _status(value: float | None, threshold: float, due: dt.date | None, as_of: dt.date) -> str:
    if value is None:
        return "no_data"
    # A small tolerance: 4/5 must meet 0.8 even in binary floating point.
    reached = value >= threshold - 1e-9
    if due is None:
        return "met" if reached else "in_progress"
    if as_of <= due:
        return "in_progress"
    return "met" if reached else "not_met"


def target_milestones(session: Session, *, plan: str | None = None,
                      milestone_id: str | None = None) -> list[models.Milestone]:
    q = select(models.Milestone).where(models.Milestone.kind == "target", models.Milestone.active)
    if plan:
        q = q.where(models.Milestone.plan == plan)
    if milestone_id:
        q = q.where(models.Milestone.id == milestone_id)
    return list(session.exec(q.order_by(col(models.Milestone.position))).all())


def _population(session: Session, m: models.Milestone) -> list[tuple[int, str | None]]:
    """(county id, risk) of each enterprise the target measures."""
    E, ET = models.Enterprise, models.EnterpriseTag
    q = select(E.county_id, E.risk).where(E.active)
    if m.sector:
        q = q.where(E.sector == m.sector)
    if m.tags:
        q = q.where(exists().where(col(ET.enterprise_id) == E.id, col(ET.tag).in_(m.tags)))
    if m.exclude_tags:
        q = q.where(~exists().where(col(ET.enterprise_id) == E.id, col(ET.tag).in_(m.exclude_tags)))
    return list(session.exec(q).all())


def _counties(session: Session) -> list[models.County]:
    return list(session.exec(select(models.County).order_by(col(models.County.position))).all())


def _row(m: models.Milestone, scope_kind: str, scope: str, as_of: dt.date, **kw: Any) -> TargetRow:
    threshold = float(m.rule["threshold"])
    due = dt.date.fromisoformat(str(m.rule["due"])) if m.rule.get("due") else None
    return TargetRow(milestone_id=m.id, plan=m.plan, title=m.title, metric=m.rule["metric"], scope_kind=scope_kind,
                     scope=scope, threshold=threshold, due=due,
                     status=_status(kw.get("value"), threshold, due, as_of),
                     **{k: kw.get(k) for k in ("value", "meeting", "population", "unrated", "measured_on")})


def _risk_share(session: Session, m: models.Milestone, as_of: dt.date, county_id: int | None) -> list[TargetRow]:
    levels = set(m.rule.get("levels") or [])
    pop = _population(session, m)
    total: Counter[int | None] = Counter()
    meeting: Counter[int | None] = Counter()
    unrated: Counter[int | None] = Counter()
    for cid, risk in pop:
        if risk is None:
            unrated[cid] += 1
            continue
        total[cid] += 1
        meeting[cid] += risk in levels

    def row(kind: str, name: str, keys: list[int | None]) -> TargetRow:
        n = sum(total[k] for k in keys)
        hit = sum(meeting[k] for k in keys)
        return _row(m, kind, name, as_of, value=round(hit / n, 4) if n else None, meeting=hit, population=n,
                    unrated=sum(unrated[k] for k in keys))

    out = []
    if county_id is None:
        out.append(row("city", "全市", list(total | unrated)))
    for c in _counties(session):
        if (county_id is None and (total[c.id] or unrated[c.id])) or c.id == county_id:
            out.append(row("county", c.name, [c.id]))
    return out


def _reported(session: Session, m: models.Milestone, as_of: dt.date, county_id: int | None) -> list[TargetRow]:
    values = {(v.subject_kind, v.subject_id): v for v in session.exec(
        select(models.TargetValue).where(models.TargetValue.milestone_id == m.id)).all()}

    def row(kind: str, sid: int, name: str) -> TargetRow:
        v = values.get((kind, sid))
        if v is not None and v.measured_on > as_of:
            v = None
        return _row(m, kind, name, as_of, value=v.value if v else None, measured_on=v.measured_on if v else None)

    out = []
    if county_id is None:
        out.append(row("city", terms.CITY_ID, "全市"))
    if m.responsible == "county":
        for c in _counties(session):
            in_scope = not m.counties or c.name in m.counties
            if in_scope and county_id in (None, c.id):
                out.append(row("county", c.id, c.name))
    return out


def measure(session: Session, as_of: dt.date, *, plan: str | None = None, county_id: int | None = None,
            milestone_id: str | None = None) -> list[TargetRow]:
    """Every target, for the city and per county-level unit, judged as of `as_of`."""
    out: list[TargetRow] = []
    for m in target_milestones(session, plan=plan, milestone_id=milestone_id):
        if m.rule["metric"] == "risk_share":
            out += _risk_share(session, m, as_of, county_id)
        else:
            out += _reported(session, m, as_of, county_id)
    return out


def parse_value(text: str) -> float:
    """'0.8', '80%', '80%' → 0.8; a share must lie in [0, 1]."""
    t = text.strip().replace("%", "%")
    try:
        value = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise InputError(f"无法识别的数值“{text}”(应为 0 到 1 之间的小数,如 0.8,或百分数,如 80%)") from None
    if not 0 <= value <= 1:
        raise InputError(f"数值“{text}”超出范围:比例应在 0 到 1 之间(或写作 0%~100%)")
    return value


def record_value(session: Session, milestone_id: str, subject: subjects.Subject, value: float, *, on: dt.date | None = None,
           by: str | None = None, today: dt.date | None = None) -> tuple[float | None, models.TargetValue]:
    """Enter a `reported` target's value for the city or a county; returns (previous value, row)."""
    limits.check(by=by)
    today = today or dt.date.today()
    on = on or today
    not_after_today(on, today, "测算日期")
    m = subjects.get_milestone(session, milestone_id)
    if m.kind != "target":
        raise InputError(f"事项 {m.id} 不是量化目标,请用 zhiben done 记录完成")
    if m.rule["metric"] != "reported":
        raise InputError(f"目标 {m.id} 按企业名录自动测算,不能手工填报")
    if subject.kind == "county":
        if m.responsible != "county":
            raise InputError(f"目标 {m.id} 由市级负责,请用 --city 填报")
        if m.counties and subject.name not in m.counties:
            raise InputError(f"目标 {m.id} 只由{'、'.join(m.counties)}承担,不适用于{subject.name}")
    elif subject.kind != "city":
        raise InputError("目标值只能按全市(--city)或县级单位(--county)填报")
    if not 0 <= value <= 1:
        raise InputError(f"数值 {value} 超出范围:比例应在 0 到 1 之间")
    row = session.exec(select(models.TargetValue).where(
        models.TargetValue.milestone_id == m.id, models.TargetValue.subject_kind == subject.kind,
        models.TargetValue.subject_id == subject.id)).first()
    old = row.value if row else None
    if row is None:
        row = models.TargetValue(milestone_id=m.id, subject_kind=subject.kind, subject_id=subject.id, value=value,
                                 measured_on=on, recorded_by=by)
        session.add(row)
    else:
        row.value, row.measured_on, row.recorded_by = value, on, by
    audit.record(session, action="record", m_id=m.id, subject=subject, period=on.isoformat(),
                          old="未填报" if old is None else f"{old:g}", new=f"{value:g}", done_on=on, evidence=None,
                          by=by, source=None)
    session.flush()
    return old, row
