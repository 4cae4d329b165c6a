"""Several real processes record, load and report on one database at once: nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from zhiben import terms as counties
from zhiben.db import models

pytestmark = pytest.mark.slow  # real processes, real timing

WORKER = Path(__file__).parent / "cliworker.py"
WRITERS, PER_WRITER = 3, 10


def _county_occurrences(db_url: str) -> list[tuple[str, str]]:
    """(milestone, period) pairs every county owes on its own, from the loaded catalogue."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            M, D = models.Milestone.__table__, models.DueDate.__table__
            q = (select(M.c.id, D.c.period).join(D, D.c.milestone_id == M.c.id)
                 .where(M.c.responsible == "county", M.c.per_risk.is_(None), M.c.county_scope == "",
                        M.c.kind.in_(["recurring", "once"]), M.c.active.is_(True))
                 .order_by(M.c.id, D.c.period))
            return [tuple(r) for r in conn.execute(q)]
    finally:
        engine.dispose()


def _start(tmp_path: Path, db_url: str, name: str, plan: list[list[str]]) -> subprocess.Popen:
    plan_file = tmp_path / f"{name}.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen([sys.executable, str(WORKER), db_url, str(plan_file)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)


def test_writers_loader_and_reporters_at_once_lose_nothing(tmp_path, db_url):
    occ = _county_occurrences(db_url)
    shorts = [short for _, short in counties.COUNTIES]
    records = [(mid, period, c) for c in shorts for mid, period in occ][: WRITERS * PER_WRITER]
    assert len(records) == WRITERS * PER_WRITER

    plans = {}
    for w in range(WRITERS):
        mine = records[w::WRITERS]
        plans[f"writer{w}"] = [["done", mid, "--county", c, "--period", p, "--on", "2024-12-31", "--by", f"w{w}"]
                               for mid, p, c in mine]
    plans["loader"] = [["load"], ["load"], ["load"]]
    plans["reporter"] = [args for _ in range(3) for args in (
        ["overdue", "-f", "json", "--as-of", "2025-07-01"], ["progress", "--by", "county", "-f", "csv"],
        ["upcoming", "--days", "30", "-f", "csv"])]

    procs = {name: _start(tmp_path, db_url, name, plan) for name, plan in plans.items()}
    results = {name: p.communicate(timeout=600) for name, p in procs.items()}

    for name, (out, err) in results.items():
        assert procs[name].returncode == 0, (name, err)
        assert "locked" not in err and "Traceback" not in err and "错误" not in err, (name, err)
        codes = json.loads(out.strip().splitlines()[-1])
        assert codes == [0] * len(plans[name]), (name, codes, err)

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            done = {(r.milestone_id, r.county, r.period) for r in conn.execute(text(
                "SELECT c.milestone_id, k.name AS county, c.period FROM completion c "
                "JOIN county k ON k.id = c.subject_id WHERE c.subject_kind = 'county'"))}
            audit = conn.execute(text("SELECT count(*) FROM auditentry WHERE action = 'done'")).scalar()
    finally:
        engine.dispose()
    expected = {(mid, counties.resolve(c), p) for mid, p, c in records}
    assert done == expected
    assert audit == len(records)


@pytest.mark.sqlite_only("several processes creating one new database file")
def test_processes_opening_a_new_database_at_once_all_get_the_same_one(tmp_path):
    # Only the per-user default location is created on first use; point it into tmp_path.
    env = {k: v for k, v in os.environ.items() if k != "ZHIBEN_DB"}
    env.update(PYTHONIOENCODING="utf-8", XDG_DATA_HOME=str(tmp_path / "新库"))
    db = tmp_path / "新库" / "zhiben" / "zhiben.db"
    procs = [subprocess.Popen([sys.executable, "-m", "zhiben", "progress", "-f", "csv"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for _ in range(4)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outputs]
    # Only the process whose database is used says it created one (the others' copies were discarded).
    errs = sorted(err for _, err in outputs)
    assert errs[:3] == ["", "", ""] and errs[3].startswith(f"首次使用:已在 {db} 新建数据库"), errs
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".new")]
    assert len({out for out, _ in outputs}) == 1
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM county")).scalar() == len(counties.COUNTIES)
            assert conn.execute(text("SELECT count(*) FROM meta WHERE key = 'schema_version'")).scalar() == 1
    finally:
        engine.dispose()
