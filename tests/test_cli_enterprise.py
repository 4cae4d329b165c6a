"""zhiben enterprise import/list/show/add/remove/tags and zhiben park, as a user runs them."""

from __future__ import annotations

import json

from zhiben.register import creditcode

HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱"


def code(n: int) -> str:
    return creditcode.complete(f"91371523{n:09d}")


ROWS = [
    f"{code(1)},茌平鲁西化工有限公司,茌平,化工,重大危险源；重点监管,橙,茌平化工园区,张伟,zw@example.cn",
    f"{code(2)},茌平信发铝业有限公司,茌平区,工贸,深井铸造、金属冶炼,黄,,李娜,",
    f"{code(3)},临清华润化工有限公司,临清,危险化学品,重点监管,蓝,,,",
]


def write_excel_csv(path, rows=ROWS, header=HEADER, encoding="gb18030"):
    """Bytes as Excel on Chinese Windows writes "CSV (逗号分隔)": GB18030/GBK with CRLF."""
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def listed(cli, *args) -> list[dict]:
    result = cli("enterprise", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def imported(result) -> str:
    """An import's output without its notice of plan tags the small test register does not carry."""
    text, _, rest = result.output.partition("注意:")
    if "方案标签没有任何在册企业带有" not in rest:
        return result.output
    tail = rest.split("\n有 ", 1)
    return text + ("有 " + tail[1] if len(tail) > 1 else "")


def test_gb18030_csv_imports(cli, tmp_path):
    path = write_excel_csv(tmp_path / "企业名册.csv")
    result = cli("enterprise", "import", str(path))
    assert result.exit_code == 0, result.output
    assert imported(result) == (f"已导入 {path}:新增 3 家、更新 0 家、无变化 0 家\n"
                                "新建园区:茌平化工园区\n")
    assert listed(cli) == [
        {"credit_code": code(3), "name": "临清华润化工有限公司", "county": "临清市", "sector": "chem",
         "tags": ["重点监管"], "risk": "蓝", "park": None, "contact": None, "email": None, "active": True},
        {"credit_code": code(2), "name": "茌平信发铝业有限公司", "county": "茌平区", "sector": "trade",
         "tags": ["深井铸造", "金属冶炼"], "risk": "黄", "park": None, "contact": "李娜", "email": None,
         "active": True},
        {"credit_code": code(1), "name": "茌平鲁西化工有限公司", "county": "茌平区", "sector": "chem",
         "tags": ["重大危险源", "重点监管"], "risk": "橙", "park": "茌平化工园区", "contact": "张伟",
         "email": "zw@example.cn", "active": True},
    ]
    park = cli("park", "list", "--format", "json")
    assert json.loads(park.output) == [{"name": "茌平化工园区", "county": "茌平区", "enterprises": 1}]


def test_one_wrong_check_character_fails_naming_the_row_and_imports_nothing(cli, tmp_path):
    rows = list(ROWS)
    good = code(3)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows[2] = rows[2].replace(good, bad)
    path = write_excel_csv(tmp_path / "企业名册.csv", rows)
    result = cli("enterprise", "import", str(path))
    assert result.exit_code == 3
    assert result.output == (
        f"错误:{path}: 1 行有问题(共 1 处),未导入任何数据\n"
        f"  {path}:4:统一社会信用代码: 校验位错误:第 18 位应为“{good[17]}”,实际为“{bad[17]}”\n")
    assert listed(cli, "--all") == []
    assert json.loads(cli("park", "list", "--format", "json").output) == []


def test_utf8_bom_and_xlsx_import(cli, tmp_path):
    from openpyxl import Workbook

    bom = write_excel_csv(tmp_path / "a.csv", ROWS[:1], encoding="utf-8-sig")
    assert cli("enterprise", "import", str(bom)).exit_code == 0
    wb = Workbook()
    ws = wb.active
    ws.append(["credit_code", "name", "county", "sector", "tags"])
    ws.append([code(4), "高唐粉尘企业", "高唐", "trade", "粉尘涉爆|劳动密集型"])
    ws.append([code(1), "茌平鲁西化工有限公司", "茌平", "chem", "重点监管"])
    wb.save(tmp_path / "b.xlsx")
    result = cli("enterprise", "import", str(tmp_path / "b.xlsx"))
    assert imported(result) == f"已导入 {tmp_path / 'b.xlsx'}:新增 1 家、更新 1 家、无变化 0 家\n"
    rows = {r["credit_code"]: r for r in listed(cli)}
    assert rows[code(4)]["tags"] == ["劳动密集型", "粉尘涉爆"]
    # Re-import updated tags in place; risk and park (columns absent from the workbook) were kept.
    assert (rows[code(1)]["tags"], rows[code(1)]["risk"], rows[code(1)]["park"]) == (["重点监管"], "橙", "茌平化工园区")


def test_unknown_tag_and_county_are_reported_with_suggestions(cli, tmp_path):
    rows = list(ROWS)
    rows[0] = rows[0].replace("重大危险源", "重大危险").replace(",茌平,", ",茌平镇,")
    path = write_excel_csv(tmp_path / "r.csv", rows)
    result = cli("enterprise", "import", str(path), "--strict-tags")
    assert result.exit_code == 3
    assert result.output.splitlines()[1:] == [
        f"  {path}:2:所属县区: 未知的县(市、区)“茌平镇”;是否要找:茌平;可用:东昌府、临清、茌平、阳谷、莘县、东阿、冠县、高唐、经开区、高新区、度假区(全称、简称均可)",
        f"  {path}:2:标签: 未知的标签“重大危险”;是否要找:重大危险源、二级重大危险源、一级重大危险源;可用标签见 zhiben enterprise tags",
    ]
    assert listed(cli) == []


def test_skip_invalid_writes_rejects_and_imports_good_rows(cli, tmp_path):
    rows = [*ROWS, f"{code(5)},坏邮箱公司,冠县,工贸,,,,,bad@"]
    path = write_excel_csv(tmp_path / "名册.csv", rows)
    result = cli("enterprise", "import", str(path), "--skip-invalid")
    assert result.exit_code == 0
    rejects = tmp_path / "名册.rejects.csv"
    assert imported(result) == (f"已导入 {path}:新增 3 家、更新 0 家、无变化 0 家\n新建园区:茌平化工园区\n"
                             f"有 1 行有问题未导入,已写入 {rejects}(含错误原因)\n")
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[1] == (
        f"{code(5)},坏邮箱公司,冠县,工贸,,,,,bad@,5,邮箱: 邮箱“bad@”格式不正确")
    assert sorted(r["credit_code"] for r in listed(cli)) == [code(1), code(2), code(3)]


def test_reimport_updates_and_dry_run_writes_nothing(cli, tmp_path):
    path = write_excel_csv(tmp_path / "r.csv")
    cli("enterprise", "import", str(path))
    changed = [ROWS[0].replace(",橙,", ",红,"), *ROWS[1:], f"{code(6)},东阿新企业,东阿,非煤矿山,尾矿库,,,,"]
    write_excel_csv(path, changed)
    result = cli("enterprise", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"试运行(未写入数据库):{path} 将新增 1 家、更新 1 家、无变化 2 家"
    assert lines[2].split() == ["2", code(1), "茌平鲁西化工有限公司", "更新", "风险等级:橙", "→", "红"]
    assert lines[3].split() == ["5", code(6), "东阿新企业", "新增"]
    before = {r["credit_code"]: r for r in listed(cli)}
    assert len(before) == 3 and before[code(1)]["risk"] == "橙"
    result = cli("enterprise", "import", str(path))
    assert imported(result) == f"已导入 {path}:新增 1 家、更新 1 家、无变化 2 家\n"
    after = {r["credit_code"]: r for r in listed(cli)}
    assert len(after) == 4 and after[code(1)]["risk"] == "红"


def test_latin1_file_fails_with_a_clear_message(cli, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("credit_code,name,county,sector\r\n91371500,Café Müller Société,Liaocheng,chem\r\n"
                     .encode("latin-1"))
    result = cli("enterprise", "import", str(path))
    assert result.exit_code == 3
    assert result.output == (f"错误:{path}: 无法识别文件编码(既不是 UTF-8 也不是 GB18030/GBK),"
                             "请在 Excel 中“另存为”“CSV UTF-8(逗号分隔)”或 .xlsx 后重试\n")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(1, 256)) * 4)
    result = cli("enterprise", "import", str(garbage))
    assert result.exit_code == 3 and "无法识别文件编码" in result.output


def test_list_filters(cli, tmp_path):
    cli("enterprise", "import", str(write_excel_csv(tmp_path / "r.csv")))
    names = lambda *a: [r["name"] for r in listed(cli, *a)]  # noqa: E731
    assert names("--county", "茌平") == ["茌平信发铝业有限公司", "茌平鲁西化工有限公司"]
    assert names("--sector", "化工") == ["临清华润化工有限公司", "茌平鲁西化工有限公司"]
    assert names("--tag", "重点监管", "--risk", "蓝色") == ["临清华润化工有限公司"]
    result = cli("enterprise", "list", "--tag", "粉尘爆炸")
    assert (result.exit_code, result.output) == (2, "错误:未知的标签“粉尘爆炸”;是否要找:粉尘涉爆、爆炸风险;可用标签见 zhiben enterprise tags\n")
    plain = cli("enterprise", "list", "--county", "临清", "--format", "csv")
    assert plain.output.splitlines() == [
        "\ufeff统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱",
        f"{code(3)},临清华润化工有限公司,临清市,化工/危险化学品,重点监管,蓝,,,",
    ]


def test_show_lists_obligations_with_status(cli, tmp_path):
    cli("enterprise", "import", str(write_excel_csv(tmp_path / "r.csv")))
    done = cli("done", "chem-10-a", "--enterprise", code(1), "--period", "2024-06", "--on", "2024-06-20")
    assert done.exit_code == 0, done.output
    result = cli("enterprise", "show", code(1), "--as-of", "2024-07-15", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["enterprise"]["name"] == "茌平鲁西化工有限公司"
    assert data["as_of"] == "2024-07-15"
    monthly = [(o["period"], o["status"], o["done_on"]) for o in data["obligations"] if o["milestone_id"] == "chem-10-a"]
    # months before the plans took effect (2024-03-01) are not owed
    assert monthly == [("2024-03", "overdue", None), ("2024-04", "overdue", None), ("2024-05", "overdue", None),
                       ("2024-06", "done", "2024-06-20"), ("2024-07", "open", None)]
    once = [o for o in data["obligations"] if o["milestone_id"] == "chem-10-b"]
    assert [(o["due"], o["status"]) for o in once] == [("2024-12-31", "open")]
    # The county's half-yearly inspection of this 橙色 enterprise shows on its page too.
    inspection = [o for o in data["obligations"] if o["milestone_id"] == "chem-21-c"]
    assert [(o["subject_kind"], o["period"], o["status"]) for o in inspection] == [
        ("county", f"2024-H1:{code(1)}", "overdue"), ("county", f"2024-H2:{code(1)}", "open")]
    overdue = sum(o["status"] == "overdue" for o in data["obligations"])
    assert data["summary"] == {"due_so_far": overdue + 1, "done": 1, "overdue": overdue}
    table = cli("enterprise", "show", "茌平鲁西化工有限公司", "--as-of", "2024-07-15")
    assert table.exit_code == 0
    assert table.output.splitlines()[:3] == [
        f"茌平鲁西化工有限公司(统一社会信用代码 {code(1)},在册)", "  所属县区:茌平区", "  行业:化工/危险化学品"]
    assert f"截至 2024-07-15:已到期 {overdue + 1} 项,已完成 1 项,逾期 {overdue} 项" in table.output
    unknown = cli("enterprise", "show", "不存在的公司")
    assert (unknown.exit_code, unknown.output) == (2, "错误:未知的企业“不存在的公司”;用 zhiben enterprise list --name 查找\n")


def test_add_remove_keeps_history_and_reports_exclude_it(cli):
    result = cli("enterprise", "add", "--code", code(7), "--name", "冠县测试化工", "--county", "冠县",
                 "--sector", "chem", "--tags", "重点监管", "--risk", "黄", "--park", "冠县化工产业园")
    assert (result.exit_code, result.output) == (0, f"已登记企业“冠县测试化工”({code(7)})\n")
    assert cli("done", "chem-10-b", "--enterprise", code(7), "--on", "2024-10-01").exit_code == 0
    before = json.loads(cli("overdue", "--enterprise", code(7), "--as-of", "2025-01-15", "-f", "json").output)
    assert before and all(r["credit_code"] == code(7) for r in before)
    result = cli("enterprise", "remove", code(7))
    assert result.output == f"已注销企业“冠县测试化工”({code(7)}),历史记录保留;用 zhiben enterprise add 可恢复\n"
    assert cli("enterprise", "remove", code(7)).output == f"企业“冠县测试化工”({code(7)})此前已注销,未作改动\n"
    assert listed(cli) == []
    assert [r["active"] for r in listed(cli, "--all")] == [False]
    county = json.loads(cli("overdue", "--county", "冠县", "--as-of", "2025-01-15", "-f", "json").output)
    assert not [r for r in county if r["credit_code"] == code(7)]
    shown = json.loads(cli("enterprise", "show", code(7), "--format", "json").output)
    assert shown["enterprise"]["active"] is False and shown["obligations"] == []
    assert [(h["milestone_id"], h["done_on"]) for h in shown["history"]] == [("chem-10-b", "2024-10-01")]
    log = json.loads(cli("log", "--id", "chem-10-b", "-f", "json").output)
    assert [(e["subject_kind"], e["subject"]) for e in log] == [("enterprise", "冠县测试化工")]
    restored = cli("enterprise", "add", "--code", code(7), "--name", "冠县测试化工", "--county", "冠县",
                   "--sector", "chem")
    assert restored.output == f"已恢复企业“冠县测试化工”({code(7)})\n"
    assert len(listed(cli)) == 1


def test_add_rejects_bad_input_with_chinese_errors(cli):
    bad = code(8)[:17] + ("0" if code(8)[17] != "0" else "1")
    result = cli("enterprise", "add", "--code", bad, "--name", "甲", "--county", "冠县", "--sector", "chem")
    assert result.exit_code == 2
    assert result.output == f"错误:校验位错误:第 18 位应为“{code(8)[17]}”,实际为“{bad[17]}”\n"
    result = cli("enterprise", "add", "--code", code(8), "--name", "甲", "--county", "冠县", "--sector", "chem",
                 "--tags", "尾矿库")
    assert result.output == "错误:标签“尾矿库”属于非煤矿山行业,与企业所属行业(化工/危险化学品)不符\n"
    assert listed(cli, "--all") == []


def test_county_overdue_includes_its_enterprises(cli, tmp_path):
    cli("enterprise", "import", str(write_excel_csv(tmp_path / "r.csv")))
    result = cli("overdue", "--county", "茌平区", "--as-of", "2025-01-15", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["county"] for r in rows} == {"茌平区"}
    kinds = {(r["subject_kind"], r["subject"]) for r in rows}
    assert ("county", "茌平区") in kinds
    assert ("enterprise", "茌平鲁西化工有限公司") in kinds
    assert ("enterprise", "茌平信发铝业有限公司") in kinds
    assert not [r for r in rows if r["subject"] == "临清华润化工有限公司"]
    enterprise_rows = [r for r in rows if r["subject_kind"] == "enterprise"]
    assert {r["credit_code"] for r in enterprise_rows} == {code(1), code(2)}


def test_tags_and_park_commands(cli):
    tags = json.loads(cli("enterprise", "tags", "--format", "json").output)
    assert {"name": "粉尘涉爆", "sector": "trade", "quote": "粉尘涉爆企业"} in tags
    assert cli("park", "add", "东阿化工园区", "--county", "东阿").output == "已登记园区“东阿化工园区”(东阿县)\n"
    assert cli("park", "add", "东阿化工园区", "--county", "东阿县").output == "园区“东阿化工园区”(东阿县)已登记,未作改动\n"
    clash = cli("park", "add", "东阿化工园区", "--county", "冠县")
    assert (clash.exit_code, clash.output) == (2, "错误:园区“东阿化工园区”已登记在东阿县,不能再登记到冠县\n")
    assert json.loads(cli("park", "list", "-f", "json").output) == [
        {"name": "东阿化工园区", "county": "东阿县", "enterprises": 0}]
