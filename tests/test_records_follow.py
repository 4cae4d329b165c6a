"""Records follow the enterprise: a county's inspection of an 橙 enterprise (chem-21-c) moves with
it to its new county; a record whose duty no longer applies is kept and listed; event-relative
duties honour their tags (chem-07-c only for 油气储存), decided by the occurrence table alone."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from zhiben.db import models
from zhiben.register import creditcode

CODE = creditcode.complete("91371500MA3Q00001")
HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级"


def register(cli, tmp_path, county: str, risk: str):
    path = tmp_path / "名册.csv"
    path.write_text(f"{HEADER}\n{CODE},临清橙色化工有限公司,{county},化工,重大危险源,{risk}\n", encoding="utf-8")
    res = cli("enterprise", "import", str(path))
    assert res.exit_code == 0, res.output
    return res.output


def inspections(cli, *args):
    res = cli("overdue", "--id", "chem-21-c", "--as-of", "2025-07-15", "-f", "json", *args)
    assert res.exit_code == 0, res.output
    return [(r["subject"], r["period"]) for r in json.loads(res.output)]


def progress(cli):
    res = cli("progress", "--by", "county", "--id", "chem-21-c", "--as-of", "2025-07-15", "-f", "json")
    assert res.exit_code == 0, res.output
    return {p["label"]: (p["due_so_far"], p["done"], p["overdue"]) for p in json.loads(res.output)}


def check(cli):
    res = cli("check")
    assert res.exit_code == 0, res.output


def test_a_moved_orange_enterprise_takes_its_inspection_record_along(cli, tmp_path, engine):
    register(cli, tmp_path, "临清市", "橙")
    res = cli("done", "chem-21-c", "--enterprise", CODE, "--period", "2025-H1", "--on", "2025-06-10")
    assert res.exit_code == 0, res.output
    assert progress(cli) == {"临清市": (3, 1, 2)}  # 2024-H1 and 2024-H2 overdue, 2025-H1 done

    out = register(cli, tmp_path, "冠县", "橙")
    assert out.splitlines()[:3] == [
        f"已导入 {tmp_path / '名册.csv'}:新增 0 家、更新 1 家、无变化 0 家",
        "迁移 1 家企业,其完成记录随企业迁移:",
        f"  临清橙色化工有限公司({CODE}):所属县区 临清市 → 冠县,完成记录 1 条",
    ]
    # The completion still counts, now for 冠县; 冠县 is not charged for the half-year already done.
    assert progress(cli) == {"冠县": (3, 1, 2)}
    assert inspections(cli) == [("冠县", f"2024-H1:{CODE}"), ("冠县", f"2024-H2:{CODE}")]
    check(cli)
    with Session(engine) as s:
        comp = s.exec(select(models.Completion)).one()
        assert (s.get_one(models.County, comp.subject_id).name, comp.period) == ("冠县", f"2025-H1:{CODE}")

    # Reopen still works after the move, and the period is owed by the new county again.
    res = cli("reopen", "chem-21-c", "--enterprise", CODE, "--period", "2025-H1", "--reason", "检查记录有误")
    assert res.output.strip() == f"已撤销完成:chem-21-c 县级“冠县” 周期 2025年上半年(检查企业 {CODE})"
    assert inspections(cli) == [("冠县", f"2024-H1:{CODE}"), ("冠县", f"2024-H2:{CODE}"), ("冠县", f"2025-H1:{CODE}")]
    check(cli)


def test_a_record_whose_duty_stops_applying_is_kept_listed_and_counts_again_later(cli, tmp_path, engine):
    register(cli, tmp_path, "临清市", "橙")
    assert cli("done", "chem-21-c", "--enterprise", CODE, "--period", "2025-H1", "--on", "2025-06-10").exit_code == 0

    out = register(cli, tmp_path, "临清市", "黄")
    assert out.splitlines()[1:3] == [
        "注意:1 条完成记录的事项已不再适用,记录保留,不计入统计:",
        f"  临清橙色化工有限公司({CODE}):chem-21-c 2025年上半年,完成于 2025-06-10",
    ]
    assert progress(cli) == {}
    check(cli)
    shown = cli("enterprise", "show", CODE, "--as-of", "2025-07-15")
    assert "另有 1 条完成记录的事项已不再适用(记录保留,不计入统计):" in shown.output
    kept = json.loads(cli("enterprise", "show", CODE, "--as-of", "2025-07-15", "-f", "json").output)["kept"]
    assert [(k["milestone_id"], k["period"], k["done_on"]) for k in kept] == [
        ("chem-21-c", f"2025-H1:{CODE}", "2025-06-10")]
    with Session(engine) as s:
        assert len(s.exec(select(models.Completion)).all()) == 1

    register(cli, tmp_path, "临清市", "橙")  # back to 橙: the kept record counts again
    assert progress(cli) == {"临清市": (3, 1, 2)}
    check(cli)


def test_oil_depot_duty_falls_only_on_oil_depots(cli, tmp_path):
    depot = creditcode.complete("91371500MA3Q00002")
    plant = creditcode.complete("91371500MA3Q00003")
    path = tmp_path / "名册.csv"
    path.write_text(f"{HEADER}\n{depot},聊城油库有限公司,茌平区,化工,油气储存,\n"
                    f"{plant},聊城化工有限公司,茌平区,化工,建设项目,\n", encoding="utf-8")
    assert cli("enterprise", "import", str(path)).exit_code == 0
    for code in (depot, plant):
        res = cli("event", "add", "trial-start", "--enterprise", code, "--date", "2025-03-01")
        assert res.exit_code == 0, res.output
    res = cli("upcoming", "--as-of", "2025-02-01", "--days", "60", "-f", "json")
    owed = {(r["milestone_id"], r["credit_code"]) for r in json.loads(res.output)}
    assert ("chem-07-c", depot) in owed and ("chem-07-c", plant) not in owed
    # The trial start itself proves a 建设项目: the depot owes the trial duties without that tag.
    assert ("chem-09-a", depot) in owed and ("chem-09-a", plant) in owed
    res = cli("done", "chem-07-c", "--enterprise", plant, "--on", "2025-03-01")
    assert res.exit_code == 2
    assert res.output.strip() == "错误:事项 chem-07-c 不适用于企业“聊城化工有限公司”(缺少标签:油气储存或石油天然气)"
    check(cli)
