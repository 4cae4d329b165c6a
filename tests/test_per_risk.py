"""Per-risk county duties: every 橙色 chemical enterprise needs a full inspection each half-year,
owed by its county (catalogue entry chem-21-c)."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial

import pytest
from sqlmodel import Session, select

import factories
from zhiben.db import models, occurrences
from zhiben.tracking import load as loader

make = partial(factories.make_enterprise, risk="橙", series="MA3E")


@pytest.fixture
def codes(engine):
    with Session(engine) as s:
        ents = [
            make(s, "茌平甲化工", 1),
            make(s, "茌平乙化工", 2),
            make(s, "茌平丙化工", 3, risk="黄"),
            make(s, "临清丁化工", 4, county="临清市"),
            make(s, "茌平戊矿业", 5, sector="mine"),  # 橙 but not chemical: not covered by the chem plan
        ]
        # Plans taking effect mid-year: the first half-year owed is 2024-H2 (2024-H1 has ended).
        loader.set_effective(s, dt.date(2024, 7, 1))
        s.commit()
        return {e.name: e.credit_code for e in ents}


def overdue(cli, *args):
    res = cli("overdue", "--id", "chem-21-c", "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return [(r["subject_kind"], r["subject"], r["period"], r["due"], r["credit_code"]) for r in json.loads(res.output)]


def test_each_orange_enterprise_is_a_county_duty(cli, codes):
    a, b, d = codes["茌平甲化工"], codes["茌平乙化工"], codes["临清丁化工"]
    assert overdue(cli, "--county", "茌平", "--as-of", "2025-01-15") == [
        ("county", "茌平区", f"2024-H2:{a}", "2024-12-31", a),
        ("county", "茌平区", f"2024-H2:{b}", "2024-12-31", b),
    ]
    assert overdue(cli, "--as-of", "2025-01-15") == [
        ("county", "临清市", f"2024-H2:{d}", "2024-12-31", d),
        ("county", "茌平区", f"2024-H2:{a}", "2024-12-31", a),
        ("county", "茌平区", f"2024-H2:{b}", "2024-12-31", b),
    ]


def test_done_for_one_enterprise_is_recorded_for_its_county(cli, engine, codes):
    a, b = codes["茌平甲化工"], codes["茌平乙化工"]
    res = cli("done", "chem-21-c", "--enterprise", a, "--period", "2024-H2", "--on", "2024-12-20",
              "--evidence", "执法检查记录 2024-017")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"已完成:chem-21-c 县级“茌平区” 周期 2024年下半年(检查企业 {a}),完成日期 2024-12-20"
    assert overdue(cli, "--county", "茌平", "--as-of", "2025-01-15") == [
        ("county", "茌平区", f"2024-H2:{b}", "2024-12-31", b)]
    with Session(engine) as s:
        comp = s.exec(select(models.Completion).where(models.Completion.milestone_id == "chem-21-c")).one()
        county = s.get(models.County, comp.subject_id)
        assert (comp.subject_kind, county.name, comp.period) == ("county", "茌平区", f"2024-H2:{a}")
    prog = json.loads(cli("progress", "--by", "county", "--id", "chem-21-c", "--as-of", "2025-01-15",
                          "--format", "json").output)
    assert [(p["label"], p["due_so_far"], p["done"], p["overdue"], p["rate"]) for p in prog] == [
        ("临清市", 1, 0, 1, 0.0), ("茌平区", 2, 1, 1, 0.5)]


def test_enterprise_of_other_level_or_sector_is_refused(cli, engine, codes):
    res = cli("done", "chem-21-c", "--enterprise", codes["茌平丙化工"], "--period", "2024-H2", "--on", "2024-12-20")
    assert res.exit_code == 2
    assert res.output.strip() == "错误:事项 chem-21-c 只针对橙色企业,“茌平丙化工”的风险等级是黄"
    res = cli("done", "chem-21-c", "--enterprise", codes["茌平戊矿业"], "--period", "2024-H2", "--on", "2024-12-20")
    assert res.exit_code == 2
    assert res.output.strip() == "错误:事项 chem-21-c 不适用于企业“茌平戊矿业”(行业不符)"
    res = cli("done", "chem-21-c", "--county", "茌平", "--period", "2024-H2", "--on", "2024-12-20")
    assert res.exit_code == 2
    assert res.output.strip() == "错误:事项 chem-21-c 按橙色企业逐家检查,请用 --enterprise 指明被检查企业"
    with Session(engine) as s:
        assert s.exec(select(models.Completion)).all() == []


def test_batch_for_all_orange_enterprises_of_a_county(cli, codes):
    res = cli("done", "chem-21-c", "--all-in-county", "茌平", "--period", "2025-H1", "--on", "2025-06-10")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "批量记录 chem-21-c 周期 2025-H1:共 2 家企业,完成 2,无变化 0"
    assert [r[2] for r in overdue(cli, "--county", "茌平", "--as-of", "2025-07-01")] == [
        f"2024-H2:{codes['茌平甲化工']}", f"2024-H2:{codes['茌平乙化工']}"]  # no 2024-H2: before the plans
    log = json.loads(cli("log", "--id", "chem-21-c", "--format", "json").output)
    assert sorted((e["subject"], e["period"]) for e in log) == [
        ("茌平区", f"2025-H1:{codes['茌平甲化工']}"), ("茌平区", f"2025-H1:{codes['茌平乙化工']}")]


def test_an_enterprise_that_leaves_orange_stops_generating_duties(cli, engine, codes):
    with Session(engine) as s:
        ent = s.exec(select(models.Enterprise).where(models.Enterprise.name == "茌平乙化工")).one()
        occurrences.touch(s, enterprises=[ent.id])
        ent.risk = "蓝"
        s.commit()
    assert [r[4] for r in overdue(cli, "--county", "茌平", "--as-of", "2025-01-15")] == [codes["茌平甲化工"]]
