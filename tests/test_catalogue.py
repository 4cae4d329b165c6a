"""The shipped catalogue is faithful to the plan text; `catalogue check` reports every problem."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter

import pytest

from conftest import ROOT
from zhiben import terms as counties
from zhiben.catalogue import model as catalogue
from zhiben.catalogue import schedule
from zhiben.catalogue.model import OnceRule, RecurringRule, RelativeRule, StandingRule, TargetRule, UndatedRule
from zhiben.errors import CatalogueError

SHIPPED = ROOT / "data" / "milestones.toml"


@pytest.fixture(scope="module")
def cat() -> catalogue.Catalogue:
    return catalogue.read(SHIPPED)


def test_every_quote_is_verbatim_plan_text(cat, plans_text):
    missing = [m.id for m in cat.milestones if m.quote not in plans_text]
    assert missing == []
    assert [t.name for t in cat.tags if t.quote not in plans_text] == []
    assert catalogue.quote_problems(cat, plans_text) == []


def test_ids_unique_and_well_formed(cat):
    counts = Counter(m.id for m in cat.milestones)
    assert [i for i, n in counts.items() if n > 1] == []
    assert all(m.id.startswith(m.plan + "-") for m in cat.milestones)
    assert len(cat.milestones) > 100


def test_every_plan_and_rule_kind_is_present(cat):
    assert {m.plan for m in cat.milestones} == {"chem", "mine", "trade"}
    kinds = Counter(m.rule.kind for m in cat.milestones)
    assert set(kinds) == {"once", "recurring", "relative", "target", "undated", "standing"}


def test_every_rule_parses_and_yields_dates_in_plan_period(cat):
    start, end = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
    assert (cat.start, cat.end) == (start, end)
    for m in cat.milestones:
        rule = m.rule
        assert isinstance(rule, (OnceRule, RecurringRule, RelativeRule, TargetRule, UndatedRule, StandingRule)), m.id
        dues = schedule.occurrences(rule, cat.start, cat.end, cat.effective)
        if isinstance(rule, (OnceRule, RecurringRule)):
            assert dues, m.id
        for d in dues:
            if isinstance(rule, RecurringRule) and rule.covers == "previous":
                # A report on the plans' last month falls due after their end.
                assert start <= schedule.period_start(d.period) <= schedule.period_end(d.period) <= end, (m.id, d)
            else:
                assert start <= d.due <= end, (m.id, d)
        if isinstance(rule, TargetRule):
            assert rule.due is None or start <= rule.due <= end, m.id


def test_counties_and_tags_resolve(cat):
    names = cat.tag_names
    for m in cat.milestones:
        assert all(counties.canonical(c) for c in m.counties), m.id
        if m.applies_to:
            assert set(m.applies_to.tags) | set(m.applies_to.exclude_tags) <= names, m.id
        if m.responsible == "enterprise":
            assert m.applies_to is not None, m.id


def test_recurring_obligations_named_in_the_plans(cat):
    by_id = {m.id: m for m in cat.milestones}
    # 每月3日前将工作情况报市应急局
    assert by_id["mine-req-2-b"].rule == RecurringRule(kind="recurring", every="month", day=3, covers="previous")
    assert "每月3日前" in by_id["mine-req-2-b"].quote
    # 每年4月底前
    april = [m for m in cat.milestones if isinstance(m.rule, RecurringRule) and m.rule.month == 4]
    assert april and all("4月底前" in m.quote for m in april)


# --- zhiben catalogue check --------------------------------------------------------------------

HEADER = """\
[catalogue]
title = "测试目录"
start = 2024-01-01
end = 2026-12-31

[catalogue.plans]
mine = "非煤矿山"

[[tag]]
name = "尾矿库"
sector = "mine"
quote = "尾矿库企业"
"""


def entry(mid: str, rule: str, *, extra: str = "", responsible: str = "city") -> str:
    return textwrap.dedent(f"""
        [[milestone]]
        id = "{mid}"
        plan = "mine"
        task = "1"
        section = "测试"
        title = "测试事项"
        quote = "2024年年底前"
        responsible = "{responsible}"
        {extra}
        rule = {rule}
        """)


def write(tmp_path, *entries: str, header: str = HEADER):
    path = tmp_path / "broken.toml"
    path.write_text(header + "".join(entries), encoding="utf-8")
    return path


def test_check_shipped_catalogue_against_plan_text(cli, plans_txt):
    result = cli("catalogue", "check", str(SHIPPED), "--source", str(plans_txt))
    assert result.exit_code == 0, result.output
    shipped = catalogue.read(SHIPPED)
    assert result.output == f"目录有效:{len(shipped.milestones)} 个事项,{len(shipped.tags)} 个标签\n"


def test_check_default_catalogue(cli):
    result = cli("catalogue", "check")
    assert result.exit_code == 0
    assert result.output.startswith("目录有效:")


def test_check_valid_small_catalogue(cli, tmp_path):
    path = write(tmp_path, entry("mine-t-a", '{ kind = "once", due = 2024-12-31 }'))
    result = cli("catalogue", "check", str(path))
    assert (result.exit_code, result.output) == (0, "目录有效:1 个事项,1 个标签\n")


@pytest.mark.parametrize("rule, problem", [
    ('{ kind = "once", due = 2027-01-01 }', "mine-t-a: rule.due: 2027-01-01 不在方案期限 2024-01-01~2026-12-31 内"),
    ('{ kind = "once", due = "2025-02-30" }', "mine-t-a: rule.due: “2025-02-30”不是有效的日期(应为 YYYY-MM-DD)"),
    ('{ kind = "once" }', "mine-t-a: rule.due: 缺少必填字段"),
    ('{ kind = "weekly", due = 2025-01-01 }',
     "mine-t-a: rule: 未知的规则类型“weekly”(可用:once、recurring、relative、target、undated、standing)"),
    ('{ kind = "recurring", every = "week" }',
     "mine-t-a: rule.every: “week”不是可用的取值(可用:month、quarter、half、year)"),
    ('{ kind = "recurring", every = "month", day = 0 }', "mine-t-a: rule.day: 0 不能小于 1"),
    ('{ kind = "recurring", every = "month", start = "2025-Q1" }',
     "mine-t-a: rule.start: “2025-Q1”不是按月周期的写法(如 2025-03)"),
    ('{ kind = "recurring", every = "year", start = "2023" }', "mine-t-a: rule.start: “2023”不在方案期限内"),
    ('{ kind = "recurring", every = "year", start = "2026", end = "2025" }',
     "mine-t-a: rule.start: 起始周期晚于结束周期"),
])
def test_check_reports_rule_problems(cli, tmp_path, rule, problem):
    path = write(tmp_path, entry("mine-t-a", rule))
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output == f"错误:{path} 有 1 处问题\n  {problem}\n"


def test_check_reports_every_problem_with_id_and_field(cli, tmp_path):
    path = write(
        tmp_path,
        entry("mine-t-a", '{ kind = "once", due = 2024-12-31 }'),
        entry("mine-t-a", '{ kind = "once", due = 2025-12-31 }'),
        entry("mine-t-b", '{ kind = "recurring", every = "year" }', responsible="enterprise",
              extra='applies_to = { sector = "mine", tags = ["尾矿", "尾矿库"] }'),
        entry("mine-t-c", '{ kind = "once", due = 2024-12-31 }', responsible="county",
              extra='counties = ["火星区"]'),
        entry("mine-t-d", '{ kind = "once", due = 2024-12-31 }', responsible="enterprise"),
        entry("chem-t-e", '{ kind = "once", due = 2024-12-31 }'),
    )
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"错误:{path} 有 5 处问题",
        "  mine-t-a: id: 重复的 id",
        "  mine-t-b: applies_to.tags: 标签“尾矿”不在词表中",
        "  mine-t-c: counties: 未知的县(市、区)“火星区”",
        "  mine-t-d: applies_to: 责任主体为企业的条目必须写明适用企业",
        "  chem-t-e: id: 应以 mine- 开头",
    ]


def test_check_unknown_field_and_bad_id(cli, tmp_path):
    path = write(tmp_path, entry("Mine_T", '{ kind = "once", due = 2024-12-31 }', extra='colour = "red"'))
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"错误:{path} 有 2 处问题",
        "  Mine_T: id: id 只能由小写字母、数字和连字符组成,并以 chem-/mine-/trade- 开头",
        "  Mine_T: colour: 未知字段",
    ]


def test_check_malformed_toml_is_one_chinese_line(cli, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(HEADER + '\n[[milestone]]\nid = "mine-t-a"\ndue = 2025-02-30\n', encoding="utf-8")
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output == f"错误:{path}:16:7: TOML 格式错误:日期或时间无效\n"


def test_check_unclosed_table_header(cli, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[catalogue\n", encoding="utf-8")
    result = cli("catalogue", "check", str(path))
    assert (result.exit_code, result.output) == (3, f"错误:{path}:1:11: TOML 格式错误:表头缺少“]”\n")


def test_check_missing_and_non_utf8_files(cli, tmp_path):
    missing = tmp_path / "nope.toml"
    result = cli("catalogue", "check", str(missing))
    assert (result.exit_code, result.output) == (3, f"错误:找不到目录文件:{missing}\n")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('title = "治本"'.encode("gbk"))
    result = cli("catalogue", "check", str(gbk))
    assert (result.exit_code, result.output) == (3, f"错误:{gbk}: 不是 UTF-8 编码的文本文件\n")


def test_check_empty_catalogue(cli, tmp_path):
    path = write(tmp_path)
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output == f"错误:{path} 有 1 处问题\n  catalogue: milestone: 目录中没有任何条目\n"


def test_check_source_reports_paraphrased_quotes(cli, tmp_path):
    path = write(tmp_path, entry("mine-t-a", '{ kind = "once", due = 2024-12-31 }'))
    text = tmp_path / "plans.txt"
    text.write_text("尾矿库企业应当在年底前完成。", encoding="utf-8")
    result = cli("catalogue", "check", str(path), "--source", str(text))
    assert result.exit_code == 3
    assert result.output == "错误:1 条引文与方案原文不符\n  mine-t-a: quote: 引文不是方案原文的一部分\n"
    result = cli("catalogue", "check", str(path), "--source", str(tmp_path / "none.txt"))
    assert (result.exit_code, result.output) == (3, f"错误:找不到方案原文:{tmp_path / 'none.txt'}\n")


def test_parse_collects_problems_without_raising_early():
    with pytest.raises(CatalogueError) as info:
        catalogue.parse({"milestone": [{"id": "mine-x"}, {"id": "trade-y"}]}, source="t.toml")
    assert info.value.message.startswith("t.toml 有 ")
    ids = {p.split(":")[0] for p in info.value.problems}
    assert ids == {"mine-x", "trade-y"}


def test_check_catches_a_duplicate_tag_name_and_empty_quotes(cli, tmp_path):
    second = '\n[[tag]]\nname = "尾矿库"\nsector = "chem"\nquote = "尾矿库"\n'
    empty_tag = '\n[[tag]]\nname = "采空区"\nsector = "mine"\nquote = ""\n'
    path = write(tmp_path, entry("mine-t-a", '{ kind = "once", due = 2024-12-31 }').replace(
        'quote = "2024年年底前"', 'quote = ""'), header=HEADER + second + empty_tag)
    result = cli("catalogue", "check", str(path))
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"错误:{path} 有 3 处问题",
        "  tag 尾矿库: name: 重复的标签名(目录中已有同名的 [[tag]])",
        "  tag 采空区: quote: 引文为空",
        "  mine-t-a: quote: 引文为空",
    ]


def test_entries_that_are_not_tables_are_problems_not_crashes():
    with pytest.raises(CatalogueError) as info:
        catalogue.parse({"tag": ["x"], "alias": 3, "milestone": [1]}, source="t.toml")
    assert info.value.problems == ["tag[0]: 应为 [[tag]] 表", "alias: 应为 [[alias]] 表的列表",
                                   "milestone[0]: 应为 [[milestone]] 表"]
