"""Test data built directly in the database (the register importer has its own tests)."""

from __future__ import annotations

from sqlmodel import select

from zhiben.db import models, occurrences
from zhiben.register import creditcode


def make_enterprise(session, name, seq=1, *, county="茌平区", sector="chem", tags=(), risk=None, active=True,
                    series="MA3C"):
    """An enterprise with a valid credit code made from `series` and `seq`, and its tags."""
    county_id = session.exec(select(models.County.id).where(models.County.name == county)).one()
    code = creditcode.complete(f"91371500{series}{seq:05d}")
    ent = models.Enterprise(credit_code=code, name=name, county_id=county_id, sector=sector, risk=risk, active=active)
    session.add(ent)
    session.flush()
    occurrences.touch(session, enterprises=[ent.id])  # the refresh rule: a write declares what it changes
    for t in tags:
        session.add(models.EnterpriseTag(enterprise_id=ent.id, tag=t))
    session.flush()
    return ent


def header_row(ws) -> int:
    """The header row of a zhiben worksheet: the first row below its merged title rows."""
    return next(i for i in range(1, 8) if ws.cell(row=i, column=1).value and ws.cell(row=i, column=2).value)


def declare_enterprises(session) -> None:
    """Test code that writes Enterprise rows itself declares them, as every core write does
    (the refresh rule: db/occurrences.py), so the commit refreshes their occurrences."""
    session.flush()
    occurrences.touch(session, enterprises=session.exec(select(models.Enterprise.id)).all())
