"""Batch recording: one obligation for every applicable enterprise of a county, or for a file of codes."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial

import pytest
from sqlmodel import Session, select

import factories
from zhiben.db import models
from zhiben.errors import InputError
from zhiben.tracking import completions, subjects

make_enterprise = partial(factories.make_enterprise, sector="mine", tags=("尾矿库",), series="MA3D")


@pytest.fixture
def register(engine):
    """Three tailings enterprises in 茌平 (one inactive), one in 阳谷, one trade enterprise in 茌平."""
    with Session(engine) as s:
        ents = [
            make_enterprise(s, "茌平一号尾矿库", 1),
            make_enterprise(s, "茌平二号尾矿库", 2),
            make_enterprise(s, "茌平三号尾矿库(已关闭)", 3, active=False),
            make_enterprise(s, "阳谷尾矿库", 4, county="阳谷县"),
            make_enterprise(s, "茌平铝业", 5, sector="trade", tags=("金属冶炼",)),
        ]
        s.commit()
        return {e.name: e.credit_code for e in ents}


def recorded(engine, milestone_id):
    with Session(engine) as s:
        q = (select(models.Enterprise.name, models.Completion.period, models.Completion.source)
             .join(models.Enterprise, models.Enterprise.id == models.Completion.subject_id)
             .where(models.Completion.milestone_id == milestone_id, models.Completion.subject_kind == "enterprise"))
        return sorted(s.exec(q).all())


def test_all_in_county_marks_every_active_applicable_enterprise(cli, engine, register):
    res = cli("done", "mine-02-a", "--all-in-county", "茌平", "--period", "2025", "--on", "2025-12-20", "--by", "李四")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "批量记录 mine-02-a 周期 2025:共 2 家企业,完成 2,无变化 0"
    assert recorded(engine, "mine-02-a") == [
        ("茌平一号尾矿库", "2025", "county:茌平区"), ("茌平二号尾矿库", "2025", "county:茌平区")]
    again = cli("done", "mine-02-a", "--all-in-county", "茌平区", "--period", "2025", "--on", "2025-12-21")
    assert again.output.strip() == "批量记录 mine-02-a 周期 2025:共 2 家企业,完成 0,无变化 2"
    log = json.loads(cli("log", "--id", "mine-02-a", "--format", "json").output)
    assert sorted((e["subject"], e["by"], e["done_on"]) for e in log) == [
        ("茌平一号尾矿库", "李四", "2025-12-20"), ("茌平二号尾矿库", "李四", "2025-12-20")]
    overdue = json.loads(cli("overdue", "--county", "茌平", "--id", "mine-02-a", "--as-of", "2026-04-05",
                             "--format", "json").output)
    assert sorted((r["subject"], r["period"]) for r in overdue) == [("茌平一号尾矿库", "2026"), ("茌平二号尾矿库", "2026")]


def test_codes_file_mixes_codes_and_names_and_reads_gb18030(cli, engine, register, tmp_path):
    path = tmp_path / "list.txt"
    lines = ["统一社会信用代码", register["茌平一号尾矿库"].lower(), "", "# 备注行", "阳谷尾矿库，",
             register["茌平一号尾矿库"] + ","]
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    res = cli("done", "mine-02-a", "--codes-file", str(path), "--period", "2026", "--on", "2026-03-30")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "批量记录 mine-02-a 周期 2026:共 2 家企业,完成 2,无变化 0"
    assert recorded(engine, "mine-02-a") == [
        ("茌平一号尾矿库", "2026", f"file:{path}"), ("阳谷尾矿库", "2026", f"file:{path}")]


def test_codes_file_is_all_or_nothing(cli, engine, register, tmp_path):
    path = tmp_path / "list.txt"
    bad_check = register["茌平二号尾矿库"][:-1] + ("0" if register["茌平二号尾矿库"][-1] != "0" else "1")
    path.write_text("\n".join([register["茌平一号尾矿库"], "不存在的公司", bad_check, "茌平三号尾矿库(已关闭)"]),
                    encoding="utf-8")
    res = cli("done", "mine-02-a", "--codes-file", str(path), "--period", "2025", "--on", "2025-12-20")
    assert res.exit_code == 3
    assert res.output.splitlines() == [
        f"错误:{path} 有 3 行无法识别,未做任何更改",
        f"  {path}:2: 未知的企业“不存在的公司”;用 zhiben enterprise list --name 查找",
        f"  {path}:3: 未知的企业“{bad_check}”;是否要找:{register['茌平二号尾矿库']};用 zhiben enterprise list --name 查找",
        f"  {path}:4: 企业“茌平三号尾矿库(已关闭)”已移出名录",
    ]
    assert recorded(engine, "mine-02-a") == []


def test_an_inapplicable_enterprise_in_the_file_blocks_all(cli, engine, register, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(f"{register['茌平一号尾矿库']}\n茌平铝业\n", encoding="utf-8-sig")
    res = cli("done", "mine-02-a", "--codes-file", str(path), "--period", "2025", "--on", "2025-12-20")
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        "错误:有 1 家企业不能记录事项 mine-02-a,未做任何更改",
        f"  {path}:2 茌平铝业: 事项 mine-02-a 不适用于企业“茌平铝业”(行业不符)",
    ]
    assert recorded(engine, "mine-02-a") == []


def test_batch_errors(cli, register, tmp_path):
    res = cli("done", "mine-02-a", "--all-in-county", "莘县", "--period", "2025", "--on", "2025-12-20")
    assert (res.exit_code, res.output.strip()) == (2, "错误:莘县没有适用该事项的在册企业(事项 mine-02-a)")
    res = cli("done", "mine-02-a", "--all-in-county", "茌平", "--county", "茌平", "--period", "2025")
    assert res.exit_code == 2 and "只能指定 --all-in-county 或 --codes-file 之一" in res.output
    res = cli("done", "chem-22-a", "--all-in-county", "茌平")
    assert res.exit_code == 2 and res.output.strip() == "错误:事项 chem-22-a 的责任主体是市级,不是企业,不能按企业批量记录"
    res = cli("done", "mine-02-a", "--all-in-county", "茌平")
    assert res.exit_code == 2 and "请用 --period 指定周期" in res.output
    res = cli("done", "mine-02-a", "--codes-file", str(tmp_path / "none.txt"), "--period", "2025")
    assert res.exit_code == 3 and f"找不到企业清单文件:{tmp_path / 'none.txt'}" in res.output
    empty = tmp_path / "empty.txt"
    empty.write_text("# 只有注释\n\n", encoding="utf-8")
    res = cli("done", "mine-02-a", "--codes-file", str(empty), "--period", "2025")
    assert res.exit_code == 3 and "中没有企业" in res.output
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81\x30")
    res = cli("done", "mine-02-a", "--codes-file", str(binary), "--period", "2025")
    assert res.exit_code == 3 and "文件是 UTF-16 编码" in res.output
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Société Générale\n".encode("latin-1"))
    res = cli("done", "mine-02-a", "--codes-file", str(latin1), "--period", "2025")
    assert res.exit_code == 3 and "无法识别文件编码" in res.output


def test_batch_for_event_deadlines_takes_enterprises_with_the_event(session, register):
    from zhiben.tracking import events

    ids = {e.name: e for e in session.exec(select(models.Enterprise)).all()}
    events.add(session, enterprise_id=ids["茌平一号尾矿库"].id, kind="alert", date=dt.date(2025, 3, 10),
               today=dt.date(2025, 3, 10))
    county = subjects.county_subject(session, "茌平")
    found = completions.county_enterprises(session, "mine-09-4-a", county)
    assert [e.name for e in found] == ["茌平一号尾矿库"]
    changes = completions.mark_done_many(session, "mine-09-4-a", [(e.name, e) for e in found],
                                      on=dt.date(2025, 3, 10), today=dt.date(2025, 3, 11))
    assert [(c.subject.name, c.changed, c.due) for c in changes] == [("茌平一号尾矿库", True, dt.date(2025, 3, 10))]


def test_done_date_in_future_is_refused_before_anything(session, register):
    ent = session.exec(select(models.Enterprise).where(models.Enterprise.name == "茌平一号尾矿库")).one()
    with pytest.raises(InputError, match="完成日期 2025-03-02 晚于今天 2025-03-01"):
        completions.mark_done_many(session, "mine-02-a", [("x", ent)], period="2025", on=dt.date(2025, 3, 2),
                                today=dt.date(2025, 3, 1))
