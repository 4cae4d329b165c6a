"""The ICS calendar: grouped per item × county, human titles, reminders, cancellations after `done`."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from icalendar import Calendar
from sqlmodel import select

from zhiben.db import models

AS_OF = "2025-07-01"
NAMES = ["聊城甲化工有限公司", "聊城乙化工有限公司", "聊城丙化工有限公司", "聊城丁化工有限公司"]


@pytest.fixture
def firms(session):
    """Four chem enterprises in 茌平区: chem-10-a falls due monthly for each of them."""
    county = session.exec(select(models.County).where(models.County.name == "茌平区")).one()
    for i, name in enumerate(NAMES):
        session.add(models.Enterprise(credit_code=f"91371523MA3C00000{i}", name=name, county_id=county.id,
                                      sector="chem"))
    session.commit()
    return NAMES


def _export(cli, path, *args):
    r = cli("export", "upcoming", "--to", str(path), "--as-of", AS_OF, "--days", "60", *args)
    assert r.exit_code == 0, r.output
    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT")), r.output


def _upcoming(cli):
    return json.loads(cli("upcoming", "--as-of", AS_OF, "--days", "60", "-f", "json").output)


def test_default_is_one_event_per_item_and_county_with_reminders(cli, firms, tmp_path):
    events, out = _export(cli, tmp_path / "a.ics")
    records = _upcoming(cli)
    expected = {(r["milestone_id"], r["county"] or r["subject"], r["due"]) for r in records}
    assert len(events) == len(expected) < len(records)
    assert f"已导出 {len(events)} 个日程到" in out
    summaries = [str(e["SUMMARY"]) for e in events]
    chem = [s for s in summaries if s.startswith("【茌平】") and s.endswith(" · 4 家企业")]
    assert len(chem) == 1  # chem-10-a for July: one event for the four enterprises
    assert chem[0] == "【茌平】主要负责人每月带队重大隐患自查自改(2025年7月) · 4 家企业"
    for e in events:
        summary = str(e["SUMMARY"])
        # human words only: no internal keys (milestone ids, period keys) in a title
        assert not any(r["milestone_id"] in summary for r in records)
        assert "2025-07" not in summary and "2025-08" not in summary
        assert str(e["STATUS"]) == "CONFIRMED" and int(e["SEQUENCE"]) == 0
        triggers = sorted(a.decoded("TRIGGER") for a in e.walk("VALARM"))
        # 7 days and 1 day before, at 09:00
        assert triggers == [-dt.timedelta(days=6, hours=15), -dt.timedelta(hours=15)]
        assert all(str(a["ACTION"]) == "DISPLAY" for a in e.walk("VALARM"))
    group = next(e for e in events if str(e["SUMMARY"]) == chem[0])
    description = str(group["DESCRIPTION"])
    assert "企业:" + "、".join(sorted(NAMES)) in description and "茌平区4 家企业" in description
    again, _ = _export(cli, tmp_path / "b.ics")
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in events]


def test_detail_gives_one_event_per_enterprise(cli, firms, tmp_path):
    events, _ = _export(cli, tmp_path / "d.ics", "--detail")
    records = _upcoming(cli)
    assert len(events) == len(records)
    per_firm = Counter(str(e["SUMMARY"]).rsplit(" · ", 1)[-1] for e in events if "【茌平】" in str(e["SUMMARY"]))
    for name in NAMES:
        assert per_firm[name] == 1
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_reminders_are_configurable(cli, firms, tmp_path):
    events, _ = _export(cli, tmp_path / "r.ics", "--remind", "3")
    assert all([a.decoded("TRIGGER") for a in e.walk("VALARM")] == [-dt.timedelta(days=2, hours=15)] for e in events)
    events, _ = _export(cli, tmp_path / "n.ics", "--remind", "0")
    assert events and all(not list(e.walk("VALARM")) for e in events)
    bad = cli("export", "upcoming", "--to", str(tmp_path / "x.ics"), "--remind", "七")
    assert bad.exit_code == 2 and "错误:提醒天数“七”无效" in bad.stderr
    assert not (tmp_path / "x.ics").exists()


def test_completed_item_is_carried_as_cancelled_under_its_uid(cli, firms, tmp_path):
    before, _ = _export(cli, tmp_path / "1.ics")
    county_event = next(e for e in before if str(e["SUMMARY"]).startswith("【茌平】")
                        and "家企业" not in str(e["SUMMARY"]))
    uid = str(county_event["UID"])
    records = _upcoming(cli)
    rec = next(r for r in records if r["county"] == "茌平区" and r["subject_kind"] == "county"
               and r["due"] == county_event.decoded("DTSTART").isoformat())
    done = cli("done", rec["milestone_id"], "--county", "茌平", "--period", rec["period"], "--on", AS_OF)
    assert done.exit_code == 0, done.output

    after, _ = _export(cli, tmp_path / "2.ics")
    by_uid = {str(e["UID"]): e for e in after}
    cancelled = by_uid[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert not list(cancelled.walk("VALARM"))
    assert {str(e["UID"]) for e in before} == set(by_uid)
    # still cancelled (not re-published) in the export after that
    third, _ = _export(cli, tmp_path / "3.ics")
    assert str({str(e["UID"]): e for e in third}[uid]["STATUS"]) == "CANCELLED"


def test_one_enterprise_done_updates_the_group_with_a_new_sequence(cli, firms, tmp_path):
    before, _ = _export(cli, tmp_path / "1.ics")
    group = next(e for e in before if str(e["SUMMARY"]).endswith(" · 4 家企业"))
    records = _upcoming(cli)
    rec = next(r for r in records if r["subject"] == NAMES[0] and r["due"] == group.decoded("DTSTART").isoformat())
    assert cli("done", rec["milestone_id"], "--enterprise", NAMES[0], "--period", rec["period"],
               "--on", AS_OF).exit_code == 0
    after, _ = _export(cli, tmp_path / "2.ics")
    updated = {str(e["UID"]): e for e in after}[str(group["UID"])]
    assert str(updated["SUMMARY"]).endswith(" · 3 家企业") and int(updated["SEQUENCE"]) == 1
    assert NAMES[0] not in str(updated["DESCRIPTION"])
