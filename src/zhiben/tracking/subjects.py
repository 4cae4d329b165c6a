"""Who an obligation falls on: the city, a county-level unit, a park or an enterprise, found by name or code."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlmodel import Session, select

from zhiben import terms
from zhiben.db import models
from zhiben.errors import InputError, NotFound


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    name: str
    county_id: int | None = None


CITY = Subject("city", terms.CITY_ID, terms.CITY_NAME)


def get_milestone(session: Session, milestone_id: str) -> models.Milestone:
    row = session.get(models.Milestone, milestone_id)
    if row is None or not row.active:
        ids = session.exec(select(models.Milestone.id).where(models.Milestone.active)).all()
        near = difflib.get_close_matches(milestone_id, ids, n=3, cutoff=0.6)
        hint = f";是否要找:{'、'.join(near)}" if near else ";用 zhiben catalogue list 查看全部编号"
        raise NotFound(f"未知的事项编号“{milestone_id}”{hint}")
    return row


def county_subject(session: Session, name: str) -> Subject:
    official = terms.resolve(name)
    row = session.exec(select(models.County).where(models.County.name == official)).one()
    return Subject("county", row.id, row.name, row.id)


def park_subject(session: Session, name: str) -> Subject:
    row = session.exec(select(models.Park).where(models.Park.name == name.strip())).first()
    if row is None:
        raise NotFound(f"未知的化工园区“{name}”;用 zhiben park add 登记园区")
    return Subject("park", row.id, row.name, row.county_id)


def find_enterprise(session: Session, code_or_name: str) -> models.Enterprise:
    key = code_or_name.strip().upper()
    row = session.exec(select(models.Enterprise).where(models.Enterprise.credit_code == key)).first()
    if row is None:
        matches = session.exec(select(models.Enterprise).where(models.Enterprise.name == code_or_name.strip())).all()
        if len(matches) > 1:
            raise InputError(f"名称“{code_or_name}”对应多家企业,请用统一社会信用代码")
        row = matches[0] if matches else None
    if row is None:
        raise NotFound(f"未知的企业“{code_or_name}”(按统一社会信用代码或企业全称查找)")
    return row


def enterprise_subject(session: Session, code_or_name: str) -> Subject:
    row = find_enterprise(session, code_or_name)
    return Subject("enterprise", row.id, row.name, row.county_id)


def enterprise_by_id(session: Session, enterprise_id: int) -> models.Enterprise:
    """An enterprise by row id, active or not (for naming it in messages about its records)."""
    row = session.get(models.Enterprise, enterprise_id)
    if row is None:
        raise NotFound(f"未知的企业(编号 {enterprise_id})")
    return row
