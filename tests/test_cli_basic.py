"""Exact output of the everyday commands, as a user sees it."""

from __future__ import annotations

import datetime as dt
import json
import re

from conftest import ROOT
from zhiben.catalogue import model as catalogue
from zhiben.cli import welcome

N = len(catalogue.read(ROOT / "data" / "milestones.toml").milestones)
HEADER = ("编号          方案      事项                           主体类别  责任主体  所属县区  统一社会信用代码  周期       "
          "期限        ")
EMPTY = "企业名册为空,报表暂时只有市级、县级和园区的事项;导入名册:zhiben enterprise import 企业名册.xlsx"
ROW = "mine-req-2-b  非煤矿山  每月3日前将工作情况报市应急局  县级      茌平区    茌平区                      "


def test_init(cli, db_url):
    result = cli("init")
    shown = db_url.removeprefix("sqlite:///")  # a file is shown as its path, a server as its URL
    assert (result.exit_code, result.output) == (0, f"数据库:{shown}\n已就绪:{N} 个事项,11 个县级单位\n{EMPTY}\n{welcome.NO_PARKS}\n")


def test_first_use_creates_the_database(tmp_path):
    from runner import ZhibenRunner
    from zhiben.cli import app

    path = tmp_path / "new" / "zhiben.db"
    result = ZhibenRunner().invoke(app, ["init"], env={"ZHIBEN_DB": str(path)})
    assert result.exit_code == 0, result.output
    assert result.output == f"数据库:{path}\n已就绪:{N} 个事项,11 个县级单位\n{EMPTY}\n{welcome.NO_PARKS}\n"
    assert path.exists()


def test_the_first_command_on_the_default_database_says_where_it_is_and_that_the_register_is_empty(tmp_path):
    """Once, on stderr: a report on stdout (or piped into a file) stays clean."""
    from runner import ZhibenRunner
    from zhiben.cli import app

    env = {"ZHIBEN_DB": None, "XDG_DATA_HOME": str(tmp_path / "data")}
    path = tmp_path / "data" / "zhiben" / "zhiben.db"
    first = ZhibenRunner().invoke(app, ["overdue", "-f", "csv"], env=env)
    assert first.exit_code == 0, first.output
    assert first.stderr == f"首次使用:已在 {path} 新建数据库,载入 {N} 个事项。\n{EMPTY}\n"
    assert first.stdout.startswith("\ufeff编号,")
    again = ZhibenRunner().invoke(app, ["overdue", "-f", "csv"], env=env)
    assert (again.exit_code, again.stderr, again.stdout) == (0, "", first.stdout)


def test_load(cli):
    assert cli("load").output == f"已载入 {N} 个事项:新增 0,更新 0,未变 {N}\n"


def test_done_reopen_and_log(cli):
    result = cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-04", "--on", "2024-05-07",
                 "--evidence", "报送函", "--by", "张三")
    assert (result.exit_code, result.output) == (
        0, "已完成:mine-req-2-b 县级“茌平区” 周期 2024年4月,完成日期 2024-05-07\n")
    result = cli("reopen", "mine-req-2-b", "--county", "茌平", "--period", "2024-04", "--reason", "重复", "--by", "李四")
    assert (result.exit_code, result.output) == (0, "已撤销完成:mine-req-2-b 县级“茌平区” 周期 2024年4月\n")
    lines = cli("log", "--format", "plain").output.splitlines()
    assert lines[0].split() == ["时间", "记录人", "操作", "事项", "责任主体", "周期", "状态变化", "完成日期", "佐证/原因", "来源", "文件"]
    stamp = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d [+-]\d\d:\d\d"
    assert re.fullmatch(rf"{stamp}  李四    撤销  mine-req-2-b  茌平区    2024年4月  已完成 → 未完成\s+重复", lines[1])
    assert re.fullmatch(rf"{stamp}  张三    完成  mine-req-2-b  茌平区    2024年4月  逾期未完成 → 已完成  "
                        r"2024-05-07  报送函\s+0", lines[2])  # 0: evidence files of that record
    assert len(lines) == 3


def test_log_empty(cli):
    assert cli("log").output == "变更日志为空\n"


def test_overdue_plain(cli):
    # each month's report falls due on the 3rd of the next; the first is on the plans' first month
    result = cli("overdue", "--id", "mine-req-2-b", "--as-of", "2024-06-04", "--format", "plain", "--detail")
    assert result.exit_code == 0
    assert result.output == (
        HEADER + "      逾期天数\n"  # the 期限 column is as wide as its widest cell, 2024-05-06(顺延)
        + ROW + "2024年3月  2024-04-03              62\n"
        + ROW + "2024年4月  2024-05-06(顺延)        29\n"  # 3 May 2024 was a holiday (劳动节)
        + ROW + "2024年5月  2024-06-03               1\n"
    )


def test_overdue_summary_is_the_default_and_as_of_defaults_to_today(cli):
    result = cli("overdue", "--id", "mine-req-2-b", "--as-of", "2024-06-04")
    assert result.output.splitlines()[:5] == [
        "截至 2024-06-04 逾期事项:1 个事项共 3 项,涉及 1 个县区",
        "方案自 2024-03-01 起施行(默认值,待以印发日期核实)",
        "",
        "编号          方案      事项                           县区  企业  项数  首个期限    最长逾期",
        "mine-req-2-b  非煤矿山  每月3日前将工作情况报市应急局     1           3  2024-04-03     62 天",
    ]
    today = dt.date.today().isoformat()
    assert cli("overdue", "--format", "json").output == cli("overdue", "--as-of", today, "--format", "json").output


def test_upcoming_plain(cli):
    result = cli("upcoming", "--id", "mine-req-2-b", "--as-of", "2024-04-01", "--days", "2", "--format", "plain",
                 "--detail")
    assert result.output == HEADER + "剩余天数\n" + ROW + "2024年3月  2024-04-03         2\n"
    result = cli("upcoming", "--id", "mine-req-2-b", "--as-of", "2024-04-04", "--days", "2", "--format", "plain")
    assert result.output == "2024-04-04 起 2 天内没有到期事项\n"


def test_progress_csv_and_markdown(cli):
    args = ("progress", "--id", "mine-req-2-b", "--as-of", "2024-06-04")
    head = "县(市、区),本级到期,本级完成,本级逾期,企业到期,企业完成,企业逾期,完成率,按期完成率,逾期率"
    assert cli(*args, "--format", "csv").output.splitlines() == [
        "\ufeff" + head, "茌平区,3,0,3,0,0,0,0.0%,0.0%,100.0%", "全市合计,3,0,3,0,0,0,0.0%,0.0%,100.0%"]
    assert cli(*args, "--format", "markdown").output.splitlines()[3:7] == [
        "| 县(市、区) | 本级到期 | 本级完成 | 本级逾期 | 企业到期 | 企业完成 | 企业逾期 | 完成率 | 按期完成率 | 逾期率 |",
        "|------------|---------:|---------:|---------:|---------:|---------:|---------:|-------:|-----------:|-------:|",
        "| 茌平区     |        3 |        0 |        3 |        0 |        0 |        0 |   0.0% |       0.0% | 100.0% |",
        "| 全市合计   |        3 |        0 |        3 |        0 |        0 |        0 |   0.0% |       0.0% | 100.0% |",
    ]
    cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-04-10")
    assert cli(*args, "--format", "csv").output.splitlines()[1] == "茌平区,3,1,2,0,0,0,33.3%,0.0%,66.7%"


def test_catalogue_show(cli):
    result = cli("catalogue", "show", "mine-req-2-b")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:8] == [
        "mine-req-2-b  每月3日前将工作情况报市应急局",
        "方案:非煤矿山  任务:要求(二)  四、工作要求",
        "责任主体:县级(茌平区应急局)  限于:茌平区",
        "期限规则:每月3日前报送上月情况(遇非工作日顺延)",
        "原文:“请于每月3日前将相关工作情况报市应急局”",
        lines[5],
        "全部期限(34 个):",
        "  2024年3月   2024-04-03",
    ]
    assert lines[5].startswith("说明:紧接“每月对治本攻坚三年行动进展情况进行调度统计分析”")
    assert lines[8] == "  2024年4月   2024-05-06(顺延)" and lines[-1] == "  2026年12月  2027-01-04(顺延)" and len(lines) == 41


def test_catalogue_show_json_and_errors(cli):
    data = json.loads(cli("catalogue", "show", "mine-req-2-b", "--format", "json").output)
    assert data["rule"] == {"kind": "recurring", "every": "month", "day": 3, "month": None, "start": None, "end": None,
                            "covers": "previous"}
    assert data["quote"] == "请于每月3日前将相关工作情况报市应急局"
    assert len(data["due_dates"]) == 34 and data["due_dates"][1] == {"period": "2024-04", "period_label": "2024年4月",
                                                                   "due": "2024-05-06", "bound": "postponed"}
    result = cli("catalogue", "show", "nope")
    assert (result.exit_code, result.output) == (2, "错误:未知的事项编号“nope”;用 zhiben catalogue list 查看全部编号\n")
    result = cli("catalogue", "show", "mine-req-2-b", "--format", "csv")
    assert (result.exit_code, result.output) == (2, "错误:未知的输出格式“csv”;可用:table、json\n")


def test_catalogue_list(cli):
    lines = cli("catalogue", "list", "--plan", "mine", "--who", "city", "--format", "csv").output.splitlines()
    assert lines[0] == "\ufeff编号,方案,任务,事项,责任主体,期限"
    assert "mine-12-3-b,非煤矿山,12.(3),利用系统实现“一键直达”精准投送(市级),市级,2024-03-31 前" in lines
    assert all(",市级," in line for line in lines[1:])
    entries = json.loads(cli("catalogue", "list", "--format", "json").output)
    assert len(entries) == N
    assert all({"id", "quote", "rule", "schedule", "plan", "title", "responsible"} <= set(e) for e in entries)
    monthly = next(e for e in entries if e["id"] == "mine-req-2-b")
    assert (monthly["schedule"], monthly["rule"]["day"]) == ("每月3日前报送上月情况(遇非工作日顺延)", 3)
    result = cli("catalogue", "list", "--who", "boss")
    assert (result.exit_code, result.output) == (2, "错误:未知的责任主体“boss”;可用:city、county、park、enterprise\n")


def test_catalogue_check(cli):
    result = cli("catalogue", "check")
    assert (result.exit_code, result.output) == (0, f"目录有效:{N} 个事项,{len(catalogue.read().tags)} 个标签\n")
