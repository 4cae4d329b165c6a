"""The eleven county-level units as stored: listing and their mail contacts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from zhiben import terms
from zhiben.db import models
from zhiben.inputs import limits
from zhiben.tracking import subjects


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    short: str
    contact_name: str | None
    contact_email: str | None


def contacts(session: Session) -> list[Contact]:
    """The eleven units in the plan's order, with whom their mail goes to."""
    return [Contact(c.id, c.name, c.short, c.contact_name, c.contact_email)
            for c in session.exec(select(models.County).order_by(col(models.County.position)))]


def listing(session: Session) -> list[dict]:
    rows = session.exec(select(models.County).order_by(col(models.County.position))).all()
    return [{"name": c.name, "short": c.short, "contact_name": c.contact_name, "contact_email": c.contact_email}
            for c in rows]


def set_contact(session: Session, name: str, email: str, person: str | None = None) -> models.County:
    """The address (and person) a county's weekly overdue mail goes to."""
    limits.check(contact=person, email=email)
    address = terms.check_email(email)
    row = session.get_one(models.County, subjects.county_subject(session, name).id)
    row.contact_email = address
    if person is not None:
        row.contact_name = person.strip() or None
    session.add(row)
    session.flush()
    return row
