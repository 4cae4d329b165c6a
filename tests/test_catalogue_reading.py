"""The third reading of the plans (issue 19): duties charged to the right enterprises."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhiben.errors import InputError
from zhiben.register import creditcode
from zhiben.tracking import subjects, targets

HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱"


def code(n: int) -> str:
    return creditcode.complete(f"91371523{n:09d}")


def register(path, rows):
    lines = [HEADER] + [f"{code(i)},企业{i:03d}有限公司,茌平,化工,{tags},,,," for i, tags in enumerate(rows, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def owed(cli, n: int, as_of: str = "2027-02-01") -> set[str]:
    rows = json.loads(cli("overdue", "--enterprise", code(n), "--as-of", as_of, "-f", "json").output)
    return {r["milestone_id"] for r in rows}


def test_a_depot_registered_either_way_gets_every_depot_duty(cli, tmp_path):
    # 石油天然气企业(中石化油库) and 油气储存企业(中石化油库) are the same depots
    r = cli("enterprise", "import", str(register(tmp_path / "r.csv", ["石油天然气", "油气储存", "中石化油库"])))
    assert r.exit_code == 0, r.output
    depot = {"chem-02-c", "chem-07-a", "chem-20-b"}
    for n in (1, 2, 3):
        assert depot <= owed(cli, n), n


def test_register_spellings_of_explosion_risk_and_process_hazard_level(cli, tmp_path):
    rows = ["爆炸危险", "三级及以上", "工艺危险度4级;氯化工艺"]
    assert cli("enterprise", "import", str(register(tmp_path / "r.csv", rows))).exit_code == 0
    ents = {e["credit_code"]: sorted(e["tags"]) for e in json.loads(cli("enterprise", "list", "-f", "json").output)}
    assert ents[code(1)] == ["爆炸风险"]
    assert ents[code(2)] == ["工艺危险度3级及以上"]
    assert ents[code(3)] == sorted(["工艺危险度3级及以上", "氯化", "高危工艺"])
    assert "chem-17-b" in owed(cli, 1)
    assert "chem-18-a" in owed(cli, 2)
    # “其他高危工艺企业” does not say other than what: a 氯化 enterprise of level 3+ owes both
    assert {"chem-17-a", "chem-18-a"} <= owed(cli, 3)


def test_mine_staffing_ratio_is_reported_by_the_city_and_chiping_only(session):
    rows = targets.measure(session, dt.date(2025, 6, 30), milestone_id="mine-19-1-a")
    assert [r.scope for r in rows] == ["全市", "茌平区"]
    with pytest.raises(InputError, match="^目标 mine-19-1-a 只由茌平区承担,不适用于临清市$"):
        targets.record_value(session, "mine-19-1-a", subjects.county_subject(session, "临清"), 0.8,
                             on=dt.date(2025, 3, 1), today=dt.date(2025, 3, 1))
