"""Log times are stored as UTC and shown in the reader's local time with its zone."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlmodel import select

from zhiben.db import models


@pytest.fixture
def zone(monkeypatch):
    def set_zone(name: str):
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


def test_an_entry_made_under_utc_reads_correctly_in_shanghai(cli, session, zone):
    zone("UTC")
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--by", "李明").exit_code == 0
    stored = session.exec(select(models.AuditEntry)).one().at
    assert stored.tzinfo is not None and stored.utcoffset() == dt.timedelta(0)
    assert before <= stored <= before + dt.timedelta(seconds=5)

    zone("Asia/Shanghai")
    entry = json.loads(cli("log", "-f", "json").output)[0]
    shown = dt.datetime.fromisoformat(entry["at"])
    assert shown.utcoffset() == dt.timedelta(hours=8)
    assert shown == stored  # the same moment
    plain = cli("log", "-f", "plain").output.splitlines()[1]
    assert plain.startswith(stored.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M +08:00"))

    zone("America/New_York")
    plain = cli("log", "-f", "plain").output.splitlines()[1]
    local = stored.astimezone()
    offset = local.strftime("%z")
    assert plain.startswith(local.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:]}")
    assert offset in ("-0500", "-0400")


def test_stored_times_are_utc_whatever_the_writers_zone(session, zone):
    zone("Asia/Shanghai")
    now = models.now()
    assert now.utcoffset() == dt.timedelta(0)
    shanghai = dt.datetime(2025, 6, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    session.add(models.AuditEntry(at=shanghai, action="done", milestone_id="chem-guard-1-a", subject_kind="city",
                                  subject_id=0, subject_name="市", period="once", old_status="open", new_status="done"))
    session.commit()
    session.expire_all()
    row = session.exec(select(models.AuditEntry)).one()
    assert row.at == dt.datetime(2025, 6, 20, 1, 30, tzinfo=dt.timezone.utc)
