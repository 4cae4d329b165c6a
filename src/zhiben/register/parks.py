"""Chemical parks: each belongs to one county-level unit; enterprises may belong to one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from zhiben.db import models, occurrences
from zhiben.errors import InputError
from zhiben.inputs import limits
from zhiben.tracking import subjects


@dataclass
class Added:
    name: str
    county: str
    created: bool


def add(session: Session, name: str, county: str) -> Added:
    """Register a park; registering it again in the same county changes nothing."""
    name = name.strip()
    if not name:
        raise InputError("园区名称不能为空")
    limits.check(park=name)
    c = subjects.county_subject(session, county)
    row = session.exec(select(models.Park).where(models.Park.name == name)).first()
    if row is not None:
        owner = session.get_one(models.County, row.county_id).name
        if owner != c.name:
            raise InputError(f"园区“{name}”已登记在{owner},不能再登记到{c.name}")
        return Added(name, owner, created=False)
    occurrences.touch(session, parks=True)
    session.add(models.Park(name=name, county_id=c.id))
    session.flush()
    return Added(name, c.name, created=True)


def listing(session: Session) -> list[dict]:
    """Every park with its county and number of active enterprises, in the counties' order."""
    P, C, E = models.Park, models.County, models.Enterprise
    count = (select(func.count()).select_from(E).where(col(E.park_id) == P.id, col(E.active).is_(True))
             .correlate(P).scalar_subquery())
    q = (select(col(P.name), col(C.name), count).join(C, col(C.id) == P.county_id)
         .order_by(col(C.position), col(P.name)))
    return [{"name": name, "county": county, "enterprises": n} for name, county, n in session.exec(q)]
