"""Who an obligation falls on: the city, a county-level unit, a park or an enterprise, as write commands need them.

Names are looked up by tracking/lookup.py (the same lookup, and the same messages, as report
filters); this module turns what it finds into the rows and subjects the write paths work with.
"""

from __future__ import annotations

from sqlmodel import Session

from zhiben.db import models
from zhiben.errors import InputError, NotFound
from zhiben.tracking import lookup

# One Subject for the ORM and the lean write path (tracking/marks.py, which loads no models).
from zhiben.tracking.marks import CITY, Subject  # noqa: E402, F401


def get_milestone(session: Session, milestone_id: str) -> models.Milestone:
    return session.get_one(models.Milestone, lookup.milestone(session, milestone_id, "事项编号"))


def county_subject(session: Session, name: str) -> Subject:
    c = lookup.county(session, name)
    return Subject("county", c.id, c.name, c.id)


def park_subject(session: Session, name: str) -> Subject:
    p = lookup.park(session, name)
    return Subject("park", p.id, p.name, p.county_id)


def find_enterprise(session: Session, text: str, *, partial: bool = True) -> models.Enterprise:
    """An enterprise by code, full name, code prefix or unique name part (see lookup.enterprise)."""
    return session.get_one(models.Enterprise, lookup.enterprise(session, text, partial=partial).id)


def enterprise_subject(session: Session, text: str) -> Subject:
    row = find_enterprise(session, text)
    return Subject("enterprise", row.id, row.name, row.county_id)


def named(session: Session, *, county: str | None, city: bool, park: str | None, enterprise: str | None) -> Subject:
    """The one subject a command names with --county, --city, --park or --enterprise."""
    given = [x for x in (county, park, enterprise) if x] + ([True] if city else [])
    if len(given) != 1:
        raise InputError("请指定且只指定一个责任主体:--county 县名 | --city | --park 园区 | --enterprise 企业")
    if city:
        return CITY
    if county:
        return county_subject(session, county)
    if park:
        return park_subject(session, park)
    assert enterprise  # exactly one subject was given
    return enterprise_subject(session, enterprise)


def enterprise_by_id(session: Session, enterprise_id: int) -> models.Enterprise:
    """An enterprise by row id, active or not (for naming it in messages about its records)."""
    row = session.get(models.Enterprise, enterprise_id)
    if row is None:
        raise NotFound(f"未知的企业(编号 {enterprise_id})")
    return row
