"""One lookup for every command: enterprises by a unique part or code prefix, one near-match message."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from factories import make_enterprise
from zhiben.tracking import lookup

AS_OF = ("--as-of", "2026-06-30")


@pytest.fixture
def register(engine):
    """Nine enterprises named alike (聊城东宏…) and one with a distinctive part (茌平泰00062)."""
    codes = {}
    with Session(engine) as s:
        for n in range(1, 13):
            e = make_enterprise(s, f"聊城东宏{n:02d}化工有限公司", n, county="茌平区" if n % 2 else "临清市",
                                sector="chem", series="MA3D")
            codes[e.name] = e.credit_code
        e = make_enterprise(s, "聊城市茌平泰00062矿业有限公司", 62, county="茌平区", sector="mine", series="MA9C")
        codes[e.name] = e.credit_code
        s.commit()
    return codes


def test_an_enterprise_by_a_unique_part_of_its_name_or_code(cli, register):
    full = "聊城市茌平泰00062矿业有限公司"
    shown = cli("enterprise", "show", "茌平泰00062")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{full}(统一社会信用代码 {register[full]},在册)\n")
    by_prefix = cli("enterprise", "show", register[full][:12].lower())
    assert by_prefix.output.splitlines()[0] == shown.output.splitlines()[0]
    # …the same lookup in a report filter and in a write command
    report = cli("overdue", "--enterprise", "东宏05", "--detail", "-f", "json", *AS_OF)
    assert report.exit_code == 0 and {r["subject"] for r in __import__("json").loads(report.stdout)} == {"聊城东宏05化工有限公司"}
    event = cli("event", "add", "试生产开始", "--enterprise", "茌平泰00062", "--date", "2026-01-05", "--by", "张三")
    assert event.exit_code == 0, event.output
    assert event.output.startswith(f"已登记事件 #1:{full}({register[full]})试生产开始 2026-01-05\n")


def test_an_ambiguous_part_lists_ten_candidates_and_exits_2(cli, register):
    r = cli("enterprise", "show", "东宏")
    assert r.exit_code == 2
    lines = r.output.splitlines()
    assert lines[0] == "错误:“东宏”对应 12 家企业,请写出更多字或用统一社会信用代码:"
    # name, code, county; in the bureau's county order (临清市 before 茌平区), then by name
    assert lines[1] == f"  聊城东宏02化工有限公司  {register['聊城东宏02化工有限公司']}  临清市"
    assert len(lines) == 1 + 10 + 1 and lines[-1] == "  ……另有 2 家"
    done = cli("done", "chem-10-a", "--enterprise", "东宏0", "--period", "2025-03")
    assert done.exit_code == 2 and done.output.startswith("错误:“东宏0”对应 9 家企业")


def test_a_mistyped_code_suggests_the_nearest_code_only(cli, register):
    right = register["聊城东宏05化工有限公司"]
    wrong = right[:10] + ("X" if right[10] != "X" else "Y") + right[11:]
    r = cli("overdue", "--enterprise", wrong, *AS_OF)
    assert (r.exit_code, r.output) == (2, f"错误:未知的企业“{wrong}”;是否要找:{right};用 zhiben enterprise list --name 查找\n")
    unrelated = cli("enterprise", "show", "91000000ZZZZZZZZZZ")
    assert unrelated.output == "错误:未知的企业“91000000ZZZZZZZZZZ”;用 zhiben enterprise list --name 查找\n"


def test_enterprise_list_filters_by_name_part_or_code_start(cli, register):
    def names(*args):
        r = cli("enterprise", "list", *args, "-f", "json")
        assert r.exit_code == 0, r.output
        return [e["name"] for e in __import__("json").loads(r.stdout)]

    assert names("--name", "东宏1") == ["聊城东宏10化工有限公司", "聊城东宏12化工有限公司", "聊城东宏11化工有限公司"]
    assert names("--name", register["聊城市茌平泰00062矿业有限公司"][:14]) == ["聊城市茌平泰00062矿业有限公司"]
    assert names("--name", "100%_") == []
    assert cli("enterprise", "list", "--name", " ").output.startswith("错误:--name 的值不能为空")


def test_every_command_says_the_same_about_a_mistyped_county(cli, register):
    expected = ("错误:未知的县(市、区)“茌坪”;是否要找:茌平;可用:东昌府、临清、茌平、阳谷、莘县、东阿、冠县、"
                "高唐、经开区、高新区、度假区(全称、简称均可)\n")
    for args in (("overdue", "--county", "茌坪"), ("enterprise", "list", "--county", "茌坪"),
                 ("done", "chem-guard-1-a", "--county", "茌坪"), ("event", "list", "--county", "茌坪"),
                 ("log", "--county", "茌坪"), ("progress", "--county", "茌坪")):
        r = cli(*args)
        assert (r.exit_code, r.output) == (2, expected), args


def test_a_long_bad_value_is_quoted_to_40_characters(cli, register):
    long = "某" * 300
    for args in (("enterprise", "show", long), ("overdue", "--tag", long), ("done", long, "--city"),
                 ("overdue", "--county", long)):
        r = cli(*args)
        assert r.exit_code == 2 and f"“{'某' * 40}…”" in r.output and "某" * 41 not in r.output, args


def test_event_kinds_by_their_chinese_names(cli, register):
    for typed in ("acceptance", "竣工验收通过", "验收"):
        assert lookup.event_kind(typed) == "acceptance"
    bad = cli("event", "add", "试生产开工", "--enterprise", "茌平泰00062")
    assert bad.exit_code == 2 and bad.output.startswith("错误:未知的事件类型“试生产开工”;是否要找:试生产开始")
    listed = cli("event", "list", "--kind", "停产停建")
    assert (listed.exit_code, listed.output.strip()) == (0, "没有登记的事件")


@pytest.mark.sqlite_only("the lean read path is the sqlite3 driver")
def test_the_lean_read_path_looks_up_alike(db_url, register, engine):
    """A bare sqlite3 connection (what read-only commands get) and a session find the same rows."""
    from zhiben.db import files, location

    reader = files.open_reader(location.resolve(db_url))
    assert reader is not None
    try:
        with Session(engine) as s:
            for text in ("茌平泰00062", "聊城东宏07化工有限公司", register["聊城东宏03化工有限公司"][:17]):
                assert lookup.enterprise(reader, text) == lookup.enterprise(s, text)
            assert lookup.county(reader, "茌平") == lookup.county(s, "茌平区")
            assert lookup.tag(reader, "粉尘涉爆") == lookup.tag(s, "粉尘涉爆") == "粉尘涉爆"
    finally:
        reader.close()


def test_log_and_target_filters_are_checked_like_report_filters(cli, register):
    r = cli("log", "--id", "chem-02-x")
    assert r.exit_code == 2 and r.output.startswith("错误:未知的事项编号“chem-02-x”;是否要找:chem-02-")
    for args in (("log", "--county", ""), ("progress", "--targets", "--county", " "), ("notify", "wecom", "--webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "--county", "")):
        r = cli(*args)
        assert r.exit_code == 2 and r.output.startswith("错误:--county 的值不能为空;"), (args, r.output)
