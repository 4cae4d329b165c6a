"""`zhiben load`: idempotent, keeps every completion record, reports what left the catalogue."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from conftest import ROOT
from zhiben import terms as counties
from zhiben.catalogue import model as catalogue
from zhiben.db import models
from zhiben.tracking import load as loader

SHIPPED = ROOT / "data" / "milestones.toml"
REMOVED, CHANGED = "chem-guard-1-a", "mine-req-2-a"  # every county once 2025-06-30; 茌平 monthly


@pytest.fixture(scope="module")
def n_entries() -> int:
    return len(catalogue.read(SHIPPED).milestones)


def completions(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(models.Completion)).one()


def overdue(cli, *args) -> list[dict]:
    result = cli("overdue", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def modified_catalogue(tmp_path):
    """The shipped catalogue with REMOVED dropped and CHANGED starting in 2025-01."""
    text = SHIPPED.read_text(encoding="utf-8")
    head, *blocks = text.split("\n[[milestone]]\n")
    kept = []
    for block in blocks:
        mid = re.search(r'^id = "([^"]+)"', block, re.M).group(1)
        if mid == REMOVED:
            continue
        if mid == CHANGED:
            block, n = re.subn(r'^rule = \{ kind = "recurring", every = "month" \}$',
                               'rule = { kind = "recurring", every = "month", start = "2025-01" }', block, flags=re.M)
            assert n == 1
        kept.append(block)
    path = tmp_path / "modified.toml"
    path.write_text("\n[[milestone]]\n".join([head, *kept]), encoding="utf-8")
    return path


def test_load_is_idempotent(cli, n_entries):
    expected = f"已载入 {n_entries} 个事项:新增 0,更新 0,未变 {n_entries}\n"
    for _ in range(2):
        result = cli("load")
        assert (result.exit_code, result.output) == (0, expected)
    result = cli("load", str(SHIPPED))
    assert result.output == expected


def test_load_keeps_completion_records(cli, engine):
    cli("done", REMOVED, "--county", "茌平", "--on", "2025-06-01")
    cli("done", CHANGED, "--county", "茌平", "--period", "2024-05", "--on", "2024-06-01")
    assert completions(engine) == 2
    assert cli("load").exit_code == 0
    assert completions(engine) == 2
    subjects = [r["subject"] for r in overdue(cli, "--id", REMOVED, "--as-of", "2025-07-01")]
    assert "茌平区" not in subjects and len(subjects) == 10
    periods = [r["period"] for r in overdue(cli, "--id", CHANGED, "--as-of", "2024-07-01")]
    assert periods == ["2024-03", "2024-04", "2024-06"]  # none before the plans took effect


def test_modified_catalogue_keeps_records_and_reports_removed_entry(cli, engine, tmp_path, n_entries):
    cli("done", REMOVED, "--county", "茌平", "--on", "2025-06-01")
    cli("done", REMOVED, "--county", "阳谷", "--on", "2025-06-02")
    cli("done", CHANGED, "--county", "茌平", "--period", "2024-05", "--on", "2024-06-01")
    cli("done", CHANGED, "--county", "茌平", "--period", "2025-03", "--on", "2025-03-30")
    assert any(r["milestone_id"] == REMOVED for r in overdue(cli, "--as-of", "2025-07-01"))

    result = cli("load", str(modified_catalogue(tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"已载入 {n_entries - 1} 个事项:新增 0,更新 1,未变 {n_entries - 2}",
        f"注意:事项 {REMOVED} 已不在目录中,已停用(保留 2 条完成记录)",
        f"注意:事项 {CHANGED} 的周期 2024-05 已不在新规则中,其完成记录保留但不再计入统计",
    ]
    assert completions(engine) == 4  # nothing deleted

    rows = overdue(cli, "--as-of", "2025-07-01")
    assert REMOVED not in {r["milestone_id"] for r in rows}
    changed = [r["period"] for r in rows if r["milestone_id"] == CHANGED]
    assert changed == ["2025-01", "2025-02", "2025-04", "2025-05", "2025-06"]  # 2025-03 record kept
    result = cli("catalogue", "show", CHANGED, "--format", "json")
    assert [d["period"] for d in json.loads(result.output)["due_dates"]][:2] == ["2025-01", "2025-02"]
    result = cli("done", CHANGED, "--county", "茌平", "--period", "2024-06")
    assert result.exit_code == 2
    assert result.output.startswith(f"错误:事项 {CHANGED} 没有周期“2024-06”")
    result = cli("done", REMOVED, "--county", "茌平")
    assert (result.exit_code, result.output.startswith(f"错误:未知的事项编号“{REMOVED}”")) == (2, True)
    assert REMOVED not in {r["id"] for r in json.loads(cli("catalogue", "list", "--format", "json").output)}

    # the modified catalogue again: nothing new to report about the removed entry
    again = cli("load", str(modified_catalogue(tmp_path))).output.splitlines()
    assert again[0] == f"已载入 {n_entries - 1} 个事项:新增 0,更新 0,未变 {n_entries - 1}"
    assert not any(REMOVED in line for line in again)

    # restoring the shipped catalogue brings the entry and its records back
    result = cli("load")
    assert result.output == f"已载入 {n_entries} 个事项:新增 0,更新 2,未变 {n_entries - 2}\n"
    subjects = [r["subject"] for r in overdue(cli, "--id", REMOVED, "--as-of", "2025-07-01")]
    assert subjects == [n for n in counties.NAMES if n not in ("茌平区", "阳谷县")]
    periods = [r["period"] for r in overdue(cli, "--id", CHANGED, "--as-of", "2024-07-01")]
    assert periods == ["2024-03", "2024-04", "2024-06"]  # none before the plans took effect


def test_new_entry_and_changed_text_are_counted(session, n_entries):
    cat = catalogue.read(SHIPPED)
    first = cat.milestones[0].model_copy(update={"title": "改过的标题"})
    extra = cat.milestones[1].model_copy(update={"id": cat.milestones[1].plan + "-zz-a"})
    changed = cat.model_copy(update={"milestones": [first, *cat.milestones[1:], extra]})
    report = loader.load(changed, session=session)
    assert (report.added, report.updated, report.unchanged, report.removed) == (
        [extra.id], [first.id], n_entries - 1, [])
    assert session.get(models.Milestone, first.id).title == "改过的标题"


def test_broken_catalogue_leaves_database_untouched(cli, engine, tmp_path, n_entries):
    cli("done", REMOVED, "--county", "茌平", "--on", "2025-06-01")
    broken = tmp_path / "broken.toml"
    broken.write_text(SHIPPED.read_text(encoding="utf-8").replace("due = 2025-06-30", "due = 2025-06-31", 1),
                      encoding="utf-8")
    result = cli("load", str(broken))
    assert result.exit_code == 3
    assert re.fullmatch(rf"错误:{re.escape(str(broken))}:\d+:\d+: TOML 格式错误:日期或时间无效\n", result.output)
    assert completions(engine) == 1
    assert cli("load").output.startswith(f"已载入 {n_entries} 个事项:新增 0,更新 0")


def test_load_reports_every_tag_change(cli, tmp_path, n_entries):
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('name = "重大危险源"\nsector = "chem"\nquote = "构成重大危险源的罐区"',
                        'name = "重大危险源"\nsector = "trade"\nquote = "重大危险源"', 1)
    text = text.replace("\n[[tag]]\n", '\n[[tag]]\nname = "试验标签"\nsector = "mine"\nquote = "试验标签"\n\n[[tag]]\n', 1)
    path = tmp_path / "tags.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("load", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"已载入 {n_entries} 个事项:新增 0,更新 0,未变 {n_entries}",
        "新增标签 1 个:试验标签",
        "注意:标签“重大危险源”的行业由 化工/危险化学品 改为 工贸",
        "注意:标签“重大危险源”的引文已更改:“构成重大危险源的罐区” → “重大危险源”",
    ]
    assert cli("load", str(path)).output.splitlines() == [f"已载入 {n_entries} 个事项:新增 0,更新 0,未变 {n_entries}"]
