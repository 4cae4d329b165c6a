"""progress --by county as a 通报: county-own vs enterprise columns, 按期完成率, the bureau apart, --sort ranks."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import Session

from factories import make_enterprise
from zhiben import terms

AS_OF = ("--as-of", "2024-06-04")


@pytest.fixture
def register(engine):
    with Session(engine) as s:
        make_enterprise(s, "茌平粉尘企业有限公司", 1, county="茌平区", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "阳谷粉尘企业有限公司", 2, county="阳谷县", sector="trade", tags=("粉尘涉爆",))
        make_enterprise(s, "临清粉尘企业有限公司", 3, county="临清市", sector="trade", tags=("粉尘涉爆",))
        s.commit()


def _json(cli, *args):
    r = cli("progress", *AS_OF, *args, "-f", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_county_own_and_enterprise_columns_add_up(cli, register):
    rows = {r["label"]: r for r in _json(cli)}
    assert list(rows)[0] == terms.CITY_NAME and "全市合计" not in rows  # JSON: the bureau first, no total row
    for r in rows.values():
        assert r["own_due"] + r["enterprise_due"] == r["due_so_far"]
        assert r["own_overdue"] + r["enterprise_overdue"] == r["overdue"]
    chiping = rows["茌平区"]
    ent = [x for x in json.loads(cli("overdue", *AS_OF, "--county", "茌平", "--who", "enterprise", "-f", "json").stdout)]
    assert chiping["enterprise_overdue"] == len(ent) > 0
    assert rows[terms.CITY_NAME]["enterprise_due"] == 0 and rows["莘县"]["enterprise_due"] == 0


def test_on_time_rate_counts_only_completions_by_the_due_date(cli, register):
    # mine-req-2-b for 茌平: 2024-03 due 2024-04-03 done late, 2024-04 due 2024-05-03 done on the day.
    for period, on in (("2024-03", "2024-04-10"), ("2024-04", "2024-05-03")):
        assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", period, "--on", on).exit_code == 0
    r = _json(cli, "--id", "mine-req-2-b")[0]
    assert (r["label"], r["due_so_far"], r["done"], r["on_time"], r["done_late"]) == ("茌平区", 3, 2, 1, 1)
    assert (r["rate"], r["on_time_rate"], r["overdue_rate"]) == (0.6667, 0.3333, 0.3333)


def test_sort_ranks_counties_best_first_with_shared_ranks_and_keeps_the_bureau_apart(cli, register):
    assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-01").exit_code == 0
    # before the year-end duties every county owes (trade-18-a, 2024年度): only counties with
    # enterprises or mine duties have anything due yet
    later = ("--as-of", "2024-11-15")
    r = cli("progress", *later, "--sort", "完成率", "-f", "plain")
    lines = r.output.splitlines()
    assert lines[:3] == ["截至 2024-11-15 各县(市、区)完成情况", "方案自 2024-03-01 起施行(默认值,待以印发日期核实)", ""]
    assert lines[3].split() == ["排名", "县(市、区)", "本级到期", "本级完成", "本级逾期", "企业到期", "企业完成",
                                "企业逾期", "完成率", "按期完成率", "逾期率"]
    body = lines[4:lines.index("", 4)]
    assert len(body) == 11 and body[0].split()[:2] == ["1", "茌平区"]
    # 临清 and 阳谷 tie (0%) and share rank 2; counties with nothing due yet are not ranked, last.
    assert [line.split()[:2] for line in body[1:3]] == [["2", "临清市"], ["2", "阳谷县"]]
    assert all(line.split()[-3:] == ["—", "—", "—"] and not line.split()[0].isdigit() for line in body[3:])
    apart = lines[lines.index("", 4) + 1:lines.index("", 4) + 3]
    assert apart[0].split()[0] == terms.CITY_NAME and apart[1].split()[0] == "全市合计"
    worst = cli("progress", *later, "--sort", "逾期率", "-f", "csv").stdout_bytes.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(worst)))
    assert table[0][:2] == ["排名", "县(市、区)"] and table[1][:2] == ["1", "茌平区"]
    assert [row[1] for row in table[-2:]] == [terms.CITY_NAME, "全市合计"] and table[-1][0] == ""


def test_sort_errors(cli):
    r = cli("progress", "--sort", "名次")
    assert (r.exit_code, r.output) == (2, "错误:未知的排序方式“名次”;可用:完成率、按期完成率、逾期率、逾期\n")
    r = cli("progress", "--by", "plan", "--sort", "完成率")
    assert (r.exit_code, r.output) == (2, "错误:--sort 只用于 --by county(县区排名)\n")
