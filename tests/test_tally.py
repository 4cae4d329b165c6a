"""The occurrence counts (db/tally.py): kept with the occurrence table, checked, repaired, upgraded
into, and answering every county figure exactly as a scan of the occurrences does."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import sys
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlmodel import Session

from conftest import ROOT, _clone
from runner import ZhibenRunner
from test_occurrences import FIXTURE
from zhiben import terms
from zhiben.cli import app
from zhiben.db import read, tally
from zhiben.reports import county_plan, trend
from zhiben.reports import rows as reports

sys.path.insert(0, str(ROOT / "bench"))
import register_gen  # noqa: E402  (bench/ is not a package)


def _hashed(key: str) -> int:
    return zlib.crc32(key.encode())


@pytest.fixture(scope="module")
def city(tmp_path_factory, template_db, backend):
    """300 enterprises of the bench's register, a third of what fell due by 2026-06-30 done on
    dates around the deadline (early, on the day, late), the counts then made by `check --repair`."""
    folder = tmp_path_factory.mktemp("tally")
    register_gen.write_csv(register_gen.generate(300, seed=7), folder / "register.csv")
    with _clone(template_db, backend, folder / "zhiben.db") as url:
        r = ZhibenRunner().invoke(app, ["--db", url, "enterprise", "import", str(folder / "register.csv")])
        assert r.exit_code == 0, r.output
        engine = create_engine(url)
        with engine.begin() as conn:
            keys = conn.execute(text("SELECT milestone_id, subject_kind, subject_id, period, due FROM occurrence"
                                     " WHERE due < '2026-06-30'")).all()
            done = [{"m": m, "k": k, "s": s, "p": p,
                     "on": min(read.Source.date(due) + dt.timedelta(days=_hashed(f"{m}{s}{p}") % 40 - 15),
                               dt.date(2026, 6, 30))}
                    for m, k, s, p, due in keys if _hashed(f"{m}|{k}|{s}|{p}") % 3 == 0]
            conn.execute(text("INSERT INTO completion (milestone_id, subject_kind, subject_id, period, done_on,"
                              " recorded_by, recorded_at) VALUES (:m, :k, :s, :p, :on, 'test', CURRENT_TIMESTAMP)"),
                         done)
        r = ZhibenRunner().invoke(app, ["--db", url, "check", "--repair"])
        assert "已重建事项实例表" in r.output, r.output
        assert ZhibenRunner().invoke(app, ["--db", url, "check"]).exit_code == 0
        yield engine
        engine.dispose()


def _scan(f: reports.Filters) -> tuple[str, str]:
    return "occurrence o", "1"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2027, 3, 31)),
       plan=st.sampled_from((None, *terms.PLAN_NAMES)),
       county=st.sampled_from((None, 1, 3, 9)),
       who=st.sampled_from((None, "county", "enterprise", "park", "city")),
       window=st.sampled_from((None, 7, 30)))
def test_the_counts_answer_what_a_scan_answers(city, monkeypatch, day, plan, county, who, window):
    f = reports.Filters(plan=plan, county_id=county, who=who)
    with Session(city) as s:
        assert reports.counted(f)[0] == "tally o"
        from_counts = county_plan.records(county_plan.county_by_plan(s, f, day, upcoming_days=window))
        by_plan = reports.progress(s, f, day, "plan")
        by_county = reports.progress(s, f, day, "county")
        series = trend.trend(s, f, [day - dt.timedelta(days=91), day]).records()
        with monkeypatch.context() as m:
            m.setattr(reports, "counted", _scan)
            assert county_plan.records(county_plan.county_by_plan(s, f, day, upcoming_days=window)) == from_counts
            assert reports.progress(s, f, day, "plan") == by_plan
            assert reports.progress(s, f, day, "county") == by_county
            assert trend.trend(s, f, [day - dt.timedelta(days=91), day]).records() == series


def test_filters_the_counts_do_not_hold_read_the_occurrences():
    assert reports.counted(reports.Filters(milestone_id="chem-02-a"))[0] == "occurrence o"
    assert reports.counted(reports.Filters(sector="chem"))[0] == "occurrence o"
    assert reports.counted(reports.Filters(plan="chem", county_id=1, who="county"))[0] == "tally o"


def test_done_and_reopen_move_one_count(cli, engine):
    def counts() -> dict:
        with engine.connect() as conn:
            return {tuple(map(str, r[:-1])): r[-1] for r in conn.execute(text("SELECT * FROM tally"))}

    before = counts()
    assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-04", "--on", "2024-05-20").exit_code == 0
    after = counts()
    moved = {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()
             if before.get(k, 0) != after.get(k, 0)}
    assert sorted(moved.values()) == [-1, 1]  # one row left its group for another
    (gone,), (came,) = ([k for k, d in moved.items() if d == sign] for sign in (-1, 1))
    assert gone[5] == tally.NEVER and came[5] == "2024-05-20"  # open until then, done on that day
    assert gone[:5] == came[:5]
    assert cli("reopen", "mine-req-2-b", "--county", "茌平", "--period", "2024-04").exit_code == 0
    assert counts() == before


def test_check_reports_a_damaged_count_and_repairs_it(cli, engine):
    with engine.begin() as conn:
        key = conn.execute(text("SELECT county_id, plan, subject_kind, due, bound, done_on, closed_on FROM tally"
                                " WHERE county_id > 0 ORDER BY due, plan, subject_kind LIMIT 1")).one()
        where = " AND ".join(f"{c} = :{c}" for c in tally.KEY)
        assert conn.execute(text(f"UPDATE tally SET n = n + 2 WHERE {where}"), dict(zip(tally.KEY, key, strict=True))).rowcount == 1
    r = cli("check")
    assert r.exit_code == 1
    assert "事项实例表与重新计算的结果不一致:缺少 0 条,多余 0 条,内容不符 0 条,计数不符 1 组" in r.output
    line = next(ln for ln in r.output.splitlines() if "计数不符:" in ln)
    stored, fresh = (int(x) for x in line.rsplit("表中 ", 1)[1].split(",应为 "))
    assert stored == fresh + 2
    assert cli("check", "--repair").exit_code == 0
    assert cli("check").exit_code == 0


@pytest.mark.sqlite_only("the schema-1 fixture is a SQLite file")
def test_an_older_database_gets_its_counts_on_upgrade(tmp_path, cli):
    db = tmp_path / "v0.db"
    shutil.copy(FIXTURE, db)
    r = cli("--db", str(db), "check")
    assert r.exit_code == 0, r.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT SUM(n) FROM tally").fetchone()[0] == con.execute(
        "SELECT COUNT(*) FROM occurrence").fetchone()[0] > 0

