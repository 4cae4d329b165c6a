"""The bureau's own register vocabulary: aliases of the plans' tags, free tags kept, --strict-tags."""

from __future__ import annotations

import json

from zhiben.register import creditcode

HEADER = "统一社会信用代码,企业名称,所属县区,行业,标签,风险等级,所属园区,联系人,邮箱"


def code(n: int) -> str:
    return creditcode.complete(f"91371523{n:09d}")


def bureau_register(path, n=300):
    """300 rows the way the bureau's systems export them: GB18030, CRLF, short county names, industry words."""
    counties = ["茌平", "东阿", "高新区", "临清", "经开区", "冠县"]
    rows = []
    for i in range(1, n + 1):
        if i <= 58:
            sector, tags = "化工", "硝化工艺;重点监管"
        elif i <= 120:
            sector, tags = "工贸", "粉尘涉爆"
        elif i <= 130:
            sector, tags = "化工", "合成氨;氯化工艺"
        elif i <= 133:
            sector, tags = "工贸", "喷涂作业"
        else:
            sector, tags = "工贸", "液氨制冷"
        rows.append(f"{code(i)},企业{i:03d}有限公司,{counties[i % len(counties)]},{sector},{tags},,,,")
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030"))
    return path


def test_bureau_register_imports_with_aliases_and_keeps_unknown_tags(cli, tmp_path):
    path = bureau_register(tmp_path / "名册.csv")
    r = cli("enterprise", "import", str(path))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].endswith("新增 300 家、更新 0 家、无变化 0 家")
    assert lines[1] == ("注意:1 个标签不是方案用语,已作为自由标签保留,不影响适用事项:喷涂作业 3 行"
                        "(最接近:" + lines[1].split("(最接近:")[1])
    ents = {e["credit_code"]: e for e in json.loads(cli("enterprise", "list", "-f", "json").output)}
    assert sorted(ents[code(1)]["tags"]) == sorted(["硝化", "高危工艺", "重点监管"])
    assert sorted(ents[code(121)]["tags"]) == sorted(["高危工艺", "氯化"])
    assert ents[code(140)]["tags"] == ["涉氨制冷"]
    assert ents[code(131)]["tags"] == ["喷涂作业"]
    # aliases drive the plans' obligations: 氯化工艺 → chem-17-a (氯化); 液氨制冷 → monthly trade-05-b
    overdue = json.loads(cli("overdue", "--enterprise", code(121), "--as-of", "2025-01-05", "-f", "json").output)
    assert "chem-17-a" in {o["milestone_id"] for o in overdue}
    overdue = json.loads(cli("overdue", "--enterprise", code(140), "--as-of", "2024-04-05", "-f", "json").output)
    assert [o["milestone_id"] for o in overdue] == ["trade-05-b"]
    # the free tag is listed on the enterprise page and drives nothing
    shown = cli("enterprise", "show", code(131), "--as-of", "2024-04-05").output
    assert "  自由标签(不是方案用语,不影响适用事项):喷涂作业" in shown.splitlines()


def test_strict_tags_refuses_unknown_ones(cli, tmp_path):
    path = bureau_register(tmp_path / "名册.csv", n=135)
    r = cli("enterprise", "import", str(path), "--strict-tags")
    assert r.exit_code == 3
    assert r.output.splitlines()[0] == f"错误:{path}: 3 行有问题(共 3 处),未导入任何数据"
    assert "未知的标签“喷涂作业”" in r.output
    assert json.loads(cli("enterprise", "list", "-f", "json").output) == []


def test_catalogue_aliases_are_checked(tmp_path, cli):
    from conftest import ROOT

    text = (ROOT / "data" / "milestones.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('name = "液氨制冷"\ntags = ["涉氨制冷"]', 'name = "液氨制冷"\ntags = ["氨"]', 1)
                   .replace('name = "涉爆粉尘"', 'name = "粉尘涉爆"', 1), encoding="utf-8")
    r = cli("catalogue", "check", str(bad))
    assert r.exit_code != 0
    assert "alias 液氨制冷: tags: 标签“氨”不在词表中" in r.output
    assert "alias 粉尘涉爆: name: 已是词表中的标签,不需要别名" in r.output
