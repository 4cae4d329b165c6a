"""Issued 通报: stored as circulated, numbered per scope and year, listed and read back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, col, select

from zhiben.db import models
from zhiben.errors import InputError, NotFound


def next_number(session: Session, scope: str, year: int) -> int:
    top = session.exec(select(func.max(models.Bulletin.number)).where(
        models.Bulletin.scope == scope, models.Bulletin.year == year)).one()
    return (top or 0) + 1


def previous(session: Session, scope: str, as_of: dt.date) -> models.Bulletin | None:
    """The last issue of `scope` before `as_of`: what 较上期 compares with."""
    return session.exec(select(models.Bulletin).where(models.Bulletin.scope == scope, models.Bulletin.as_of < as_of)
                        .order_by(col(models.Bulletin.as_of).desc(), col(models.Bulletin.id).desc()).limit(1)).first()


def check(session: Session, scope: str, year: int, number: int, as_of: dt.date, *, force: bool) -> None:
    """Refuse a number already used in the year, and a second issue on one as-of date unless forced."""
    if number < 1:
        raise InputError(f"期号应为正整数:{number}")
    used = session.exec(select(models.Bulletin).where(models.Bulletin.scope == scope, models.Bulletin.year == year,
                                                      models.Bulletin.number == number)).first()
    if used is not None:
        raise InputError(f"{scope} {year} 年第 {number} 期通报已于 {used.issued_at:%Y-%m-%d} 印发(截至 {used.as_of});"
                         f"下一个可用期号是 {next_number(session, scope, year)}")
    same = session.exec(select(models.Bulletin).where(models.Bulletin.scope == scope,
                                                      models.Bulletin.as_of == as_of)).first()
    if same is not None and not force:
        raise InputError(f"截至 {as_of} 的{scope}通报已印发({same.year} 年第 {same.number} 期);确需再印发一期请加 --force")


def record(session: Session, *, scope: str, year: int, number: int, as_of: dt.date, figures: dict,
           issued_by: str | None, force: bool = False) -> models.Bulletin:
    check(session, scope, year, number, as_of, force=force)
    row = models.Bulletin(scope=scope, year=year, number=number, as_of=as_of, figures=figures, issued_by=issued_by)
    session.add(row)
    session.flush()
    return row


def issued(session: Session, scope: str | None = None) -> list[models.Bulletin]:
    q = select(models.Bulletin).order_by(col(models.Bulletin.as_of), col(models.Bulletin.id))
    if scope is not None:
        q = q.where(models.Bulletin.scope == scope)
    return list(session.exec(q).all())


def get(session: Session, ident: int) -> models.Bulletin:
    row = session.get(models.Bulletin, ident)
    if row is None:
        raise NotFound(f"没有编号为 {ident} 的通报;已印发的通报见 zhiben bulletin list")
    return row
