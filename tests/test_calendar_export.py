"""export upcoming --to 期限.ics on the bench register: one event per county and day, one reminder a day."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

import pytest
from icalendar import Calendar

from conftest import ROOT, _clone
from runner import ZhibenRunner
from zhiben.cli import app

sys.path.insert(0, str(ROOT / "bench"))
import register_gen  # noqa: E402  (bench/ is not a package)

AS_OF = "2026-12-04"


@pytest.fixture(scope="module")
def bench(tmp_path_factory, template_db, backend):
    """The bench's city register (bench/register_gen.py, 5,000 enterprises, seed 2024: /work/benchdata/city.csv)."""
    folder = tmp_path_factory.mktemp("bench")
    register_gen.write_csv(register_gen.generate(5000, seed=2024), folder / "city.csv")
    with _clone(template_db, backend, folder / "zhiben.db") as url:
        r = ZhibenRunner().invoke(app, ["--db", url, "enterprise", "import", str(folder / "city.csv")])
        assert r.exit_code == 0, r.output
        yield url, folder


def _calendar(url, path, *args) -> list:
    r = ZhibenRunner().invoke(app, ["--db", url, "export", "upcoming", "--to", str(path), "--as-of", AS_OF, *args])
    assert r.exit_code == 0, r.output
    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def _who(event) -> str:
    return str(event["summary"]).split("【", 1)[1].split("】", 1)[0]


def _alarm_days(events) -> Counter:
    """(who, day) → reminders ringing that morning."""
    out: Counter = Counter()
    for e in events:
        for alarm in e.walk("VALARM"):
            out[(_who(e), e["dtstart"].dt + alarm["trigger"].dt - dt.timedelta(hours=9))] += 1
    return out


def test_one_event_per_county_and_day_and_at_most_one_reminder_per_county_per_day(bench, tmp_path):
    url, _ = bench
    events = _calendar(url, tmp_path / "期限.ics", "--days", "90")
    days = Counter((_who(e), e["dtstart"].dt) for e in events)
    assert days and max(days.values()) == 1
    # the year end: one event for each county and the bureau, not one per item
    year_end = [e for e in events if e["dtstart"].dt == dt.date(2026, 12, 31)]
    assert sorted(_who(e) for e in year_end) == sorted(["东昌府", "临清", "茌平", "阳谷", "莘县", "东阿", "冠县", "高唐",
                                                        "经开区", "高新区", "度假区", "市应急局"])
    chiping = next(e for e in year_end if _who(e) == "茌平")
    description = str(chiping["description"])
    listed = [line for line in description.splitlines() if line.startswith("· [")]
    assert f"共 {len(listed)} 个事项" in description and str(chiping["summary"]).startswith(f"【茌平】{len(listed)} 个事项到期")
    assert any("chem-10-a" in line and "家企业:" in line for line in listed)
    reminders = _alarm_days(events)
    assert reminders and max(reminders.values()) == 1
    # two reminders (7 and 1 days before) wherever no sooner deadline of the same county took the morning
    assert sum(reminders.values()) > len(events)


@pytest.mark.slow  # some 3,000 events
def test_detail_calendar_also_rings_once_per_county_per_day(bench, tmp_path):
    url, _ = bench
    events = _calendar(url, tmp_path / "明细.ics", "--days", "40", "--detail")
    assert len(events) > 1000
    reminders = _alarm_days(events)
    assert max(reminders.values()) == 1
