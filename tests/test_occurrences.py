"""The materialised schedule: every kind of write keeps it equal to a fresh computation; `zhiben check`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, select

from zhiben import terms
from zhiben.catalogue import model as catalogue
from zhiben.db import models, occurrences
from zhiben.errors import ZhibenError
from zhiben.register import creditcode, entries, queries
from zhiben.tracking import completions as tracking
from zhiben.tracking import events, subjects
from zhiben.tracking import load as loader

TODAY = dt.date(2026, 6, 30)
FIXTURE = Path(__file__).parent / "fixtures" / "zhiben-v0.db"
COUNTIES = ("茌平区", "阳谷县", "东昌府区")
TAGS = {"chem": ("建设项目", "重大危险源", "高危工艺"), "mine": ("尾矿库", "生产尾矿库"), "trade": ("粉尘涉爆", "涉氨制冷")}


def assert_consistent(session):
    diff = occurrences.check(session)
    assert diff.ok, (diff.missing[:3], diff.extra[:3], diff.changed[:3])


def code(seq: int) -> str:
    return creditcode.complete(f"91371500MA3P{seq:05d}")


def test_fresh_database_table_matches_and_check_says_so(cli, session):
    assert occurrences.count(session) > 0
    assert_consistent(session)
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("事项实例表与重新计算的结果一致(共 ")


def test_check_reports_a_damaged_table_and_repairs_it(cli, engine):
    where = "milestone_id = 'mine-req-2-b' AND period = '2024-06'"
    with Session(engine) as s:
        lost = s.execute(text(f"SELECT count(*) FROM occurrence WHERE {where}")).scalar()
        s.execute(text(f"DELETE FROM occurrence WHERE {where}"))
        s.execute(text("UPDATE occurrence SET done_on = due WHERE milestone_id = 'mine-req-2-b' AND period = '2024-07'"
                       " AND subject = '茌平区'"))
        due = s.execute(text("SELECT due FROM occurrence WHERE milestone_id = 'mine-req-2-b' AND period = '2024-07'"
                             " AND subject = '茌平区'")).scalar()
        s.commit()
    r = cli("check")
    assert r.exit_code == 1
    assert f"缺少 {lost} 条,多余 0 条,内容不符 1 条" in r.output
    assert "缺少:mine-req-2-b 茌平区 2024-06(期限 2024-" in r.output
    assert f"不符:mine-req-2-b 茌平区 2024-07(期限 {due}):完成日期 {due} → 无" in r.output
    assert "可用 zhiben check --repair 重建" in r.output
    r = cli("check", "--repair")
    assert r.exit_code == 0, r.output
    assert "已重建事项实例表" in r.output
    assert cli("check").exit_code == 0


def test_done_reopen_and_as_of(cli, session):
    args = ("mine-req-2-b", "--county", "茌平", "--period", "2024-04")
    assert cli("done", *args, "--on", "2024-05-20").exit_code == 0
    row = session.exec(select(models.Occurrence).where(
        models.Occurrence.milestone_id == "mine-req-2-b", models.Occurrence.period == "2024-04",
        models.Occurrence.subject == "茌平区")).one()
    assert row.done_on == dt.date(2024, 5, 20)
    # Done after the as-of date: still overdue as of that date; not after it.
    before = json.loads(cli("overdue", "--county", "茌平", "--id", "mine-req-2-b", "--as-of", "2024-05-10",
                            "-f", "json").output)
    after = json.loads(cli("overdue", "--county", "茌平", "--id", "mine-req-2-b", "--as-of", "2024-05-25",
                           "-f", "json").output)
    assert "2024-04" in {r["period"] for r in before}
    assert "2024-04" not in {r["period"] for r in after}
    assert cli("reopen", *args).exit_code == 0
    session.expire_all()
    assert_consistent(session)
    again = json.loads(cli("overdue", "--county", "茌平", "--id", "mine-req-2-b", "--as-of", "2024-05-25",
                           "-f", "json").output)
    assert "2024-04" in {r["period"] for r in again}


def test_register_import_edit_and_removal(cli, session, tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_text("统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区\n"
                   f"{code(1)},甲化工,茌平区,化工,建设项目、重大危险源,橙,茌平化工园\n"
                   f"{code(2)},乙工贸,阳谷县,工贸,粉尘涉爆,,\n", encoding="utf-8")
    assert cli("enterprise", "import", str(csv)).exit_code == 0
    session.expire_all()
    assert_consistent(session)
    n = session.exec(select(models.Occurrence).where(models.Occurrence.credit_code == code(1))).all()
    assert {r.subject_kind for r in n} == {"enterprise", "county"}  # own duties and the 橙 supervision duty
    csv.write_text("统一社会信用代码,企业名称,所属县区,行业,标签,风险等级\n"
                   f"{code(1)},甲化工(更名),阳谷县,化工,高危工艺,蓝\n"
                   f"{code(2)},乙工贸,阳谷县,工贸,涉氨制冷,\n", encoding="utf-8")
    r = cli("enterprise", "import", str(csv))
    assert r.exit_code == 0, r.output
    session.expire_all()
    assert_consistent(session)
    names = {r.subject for r in session.exec(select(models.Occurrence).where(
        models.Occurrence.enterprise_id.is_not(None))).all()}
    assert "甲化工(更名)" in names and "甲化工" not in names
    assert cli("enterprise", "remove", code(2)).exit_code == 0
    session.expire_all()
    assert_consistent(session)
    assert cli("park", "add", "阳谷化工园", "--county", "阳谷").exit_code == 0
    session.expire_all()
    assert_consistent(session)
    assert session.exec(select(models.Occurrence).where(models.Occurrence.subject == "阳谷化工园")).first()


def test_events_and_catalogue_reload(session):
    mine = entries.add(session, credit_code=code(3), name="尾矿库甲", county="茌平区", sector="mine",
                       tags="尾矿库")[0]
    out = events.add(session, enterprise_id=mine.id, kind="shutdown", date=dt.date(2025, 1, 6), today=TODAY)
    assert_consistent(session)
    events.add(session, enterprise_id=mine.id, kind="resumption", date=dt.date(2025, 2, 6), today=TODAY)
    assert_consistent(session)
    events.remove(session, out.event.id)
    assert_consistent(session)
    cat = catalogue.read()
    smaller = cat.model_copy(update={"milestones": cat.milestones[5:]})
    loader.load(smaller, session=session)
    assert_consistent(session)
    loader.load(cat, session=session)
    assert_consistent(session)
    loader.set_effective(session, dt.date(2024, 7, 1))
    assert_consistent(session)
    assert session.execute(text("SELECT count(*) FROM occurrence WHERE milestone_id = 'mine-req-2-b'"
                                " AND due < '2024-07-01'")).scalar() == 0
    loader.set_effective(session, None)
    assert_consistent(session)
    session.rollback()


@pytest.mark.sqlite_only("the fixture is a database file made by schema version 1")
def test_upgrade_builds_the_table(tmp_path, cli):
    db = tmp_path / "old.db"
    shutil.copy(FIXTURE, db)
    assert cli("--db", str(db), "check").exit_code == 0
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM occurrence WHERE credit_code = '91371500MA3C000001'").fetchone()[0]
    con.close()
    assert n > 0


# --- random sequences of writes -----------------------------------------------------------------

_ops = st.one_of(
    st.tuples(st.just("add"), st.integers(1, 6), st.sampled_from(COUNTIES), st.sampled_from(("chem", "mine", "trade")),
              st.integers(0, 3), st.sampled_from(("", "橙", "蓝", "红")), st.booleans()),
    st.tuples(st.just("import"), st.lists(st.tuples(st.integers(1, 6), st.sampled_from(COUNTIES),
                                                    st.sampled_from(("chem", "trade")), st.integers(0, 3),
                                                    st.sampled_from(("", "橙", "黄"))), min_size=1, max_size=3)),
    st.tuples(st.just("remove"), st.integers(1, 6)),
    st.tuples(st.just("event"), st.integers(1, 6), st.sampled_from(("shutdown", "resumption", "trial-start",
                                                                    "trial-end", "acceptance", "alert")),
              st.integers(0, 700)),
    st.tuples(st.just("unevent"), st.integers(0, 10)),
    st.tuples(st.just("done"), st.integers(0, 10 ** 6), st.integers(-30, 60)),
    st.tuples(st.just("reopen"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("park"), st.sampled_from(COUNTIES)),
    st.tuples(st.just("load"), st.integers(0, 20)),
    st.tuples(st.just("effective"), st.one_of(st.none(), st.integers(0, 400))),
)


def _tags(sector: str, n: int) -> str:
    pool = TAGS[sector]
    return "、".join(pool[i % len(pool)] for i in range(n))


def _occurrence(s, pick: int):
    rows = s.execute(text("SELECT milestone_id, subject_kind, subject_id, period, due, enterprise_id FROM occurrence"
                          " ORDER BY milestone_id, subject_kind, subject_id, period")).all()
    return rows[pick % len(rows)] if rows else None


def _subject(s, kind, sid, enterprise_id, period):
    if kind == "city":
        return subjects.CITY, period
    if kind == "enterprise":
        e = s.get(models.Enterprise, sid)
        return subjects.Subject("enterprise", e.id, e.name, e.county_id), period
    if kind == "park":
        p = s.get(models.Park, sid)
        return subjects.Subject("park", p.id, p.name, p.county_id), period
    if enterprise_id is not None:  # a per-risk duty is recorded through its enterprise
        e = s.get(models.Enterprise, enterprise_id)
        return subjects.Subject("enterprise", e.id, e.name, e.county_id), period.split(":")[0]
    c = s.get(models.County, sid)
    return subjects.Subject("county", c.id, c.name, c.id), period


def _apply(s, op, tmp: Path, cat) -> None:
    kind = op[0]
    if kind == "add":
        _, seq, county, sector, ntags, risk, park = op
        entries.add(s, credit_code=code(seq), name=f"企业{seq}", county=county, sector=sector,
                    tags=_tags(sector, ntags), risk=risk or None, park=f"{county}园" if park and sector == "chem" else None)
    elif kind == "import":
        lines = ["统一社会信用代码,企业名称,所属县区,行业,标签,风险等级"]
        lines += [f"{code(seq)},企业{seq}号,{county},{sector},{_tags(sector, n)},{risk}"
                  for seq, county, sector, n, risk in {r[0]: r for r in op[1]}.values()]
        path = tmp / "import.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        entries.import_file(s, path)
    elif kind == "remove":
        ent = s.exec(select(models.Enterprise).where(models.Enterprise.credit_code == code(op[1]))).first()
        if ent is not None:
            queries.remove(s, ent)
    elif kind == "event":
        ent = s.exec(select(models.Enterprise).where(models.Enterprise.credit_code == code(op[1]))).first()
        if ent is not None:
            events.add(s, enterprise_id=ent.id, kind=op[2], date=dt.date(2024, 3, 1) + dt.timedelta(days=op[3]),
                       today=TODAY)
    elif kind == "unevent":
        ids = s.exec(select(models.Event.id).order_by(models.Event.id)).all()
        if ids:
            events.remove(s, ids[op[1] % len(ids)])
    elif kind == "done":
        occ = _occurrence(s, op[1])
        # The stand-in park of a city with no park registered cannot be named, so nothing is marked on it.
        if occ is not None and not (occ[1] == "park" and occ[2] == terms.PARK_PLACEHOLDER_ID):
            subject, period = _subject(s, occ[1], occ[2], occ[5], occ[3])
            due = occ[4] if isinstance(occ[4], dt.date) else dt.date.fromisoformat(occ[4])
            tracking.mark_done(s, occ[0], subject, period=period, on=min(due + dt.timedelta(days=op[2]), TODAY),
                               today=TODAY)
    elif kind == "reopen":
        rows = s.exec(select(models.Completion).order_by(models.Completion.id)).all()
        if rows:
            c = rows[op[1] % len(rows)]
            occ = s.execute(text("SELECT enterprise_id FROM occurrence WHERE milestone_id = :m AND subject_kind = :k"
                                 " AND subject_id = :i AND period = :p"),
                            {"m": c.milestone_id, "k": c.subject_kind, "i": c.subject_id, "p": c.period}).first()
            subject, period = _subject(s, c.subject_kind, c.subject_id, occ[0] if occ else None, c.period)
            tracking.reopen(s, c.milestone_id, subject, period=period)
    elif kind == "park":
        n = s.exec(select(models.Park)).all()
        cid = s.exec(select(models.County.id).where(models.County.name == op[1])).one()
        occurrences.touch(s, parks=True)
        s.add(models.Park(name=f"园区{len(n) + 1}", county_id=cid))
        s.flush()
    elif kind == "effective":
        loader.set_effective(s, None if op[1] is None else dt.date(2024, 1, 1) + dt.timedelta(days=op[1]))
    elif kind == "load":
        drop = op[1]
        loader.load(cat.model_copy(update={"milestones": [m for i, m in enumerate(cat.milestones) if i % 21 != drop]}),
                    session=s)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(_ops, min_size=1, max_size=8))
def test_random_writes_keep_the_table_equal_to_a_fresh_computation(engine, tmp_path, ops):
    cat = catalogue.read()
    with Session(engine) as s:
        try:
            for op in ops:
                point = s.begin_nested()
                try:
                    _apply(s, op, tmp_path, cat)
                    point.commit()
                    event(f"{op[0]}: written")
                except ZhibenError as exc:
                    event(f"{op[0]}: refused ({type(exc).__name__})")
                    point.rollback()  # refused writes leave nothing behind, in the table too
                assert_consistent(s)
        finally:
            s.rollback()
