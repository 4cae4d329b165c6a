"""Command-line usage mistakes are reported in one Chinese line with exit code 2, not click's English."""

from pathlib import Path

import pytest


@pytest.mark.parametrize(("args", "expected"), [
    (["done"], "错误:缺少参数 事项编号(用 zhiben done -h 查看用法)"),
    (["overdue", "--bogus"], "错误:没有这个选项:--bogus(用 zhiben overdue -h 查看用法)"),
    (["overdue", "--formt", "json"], "错误:没有这个选项:--formt;是否要用:--format(用 zhiben overdue -h 查看用法)"),
    (["upcoming", "--days", "abc"], "错误:--days 的值无效(应为整数)(用 zhiben upcoming -h 查看用法)"),
    (["done", "chem-02-a", "a", "b"], "错误:多余的参数:a b(用 zhiben done -h 查看用法)"),
    (["enterprise", "import"], "错误:缺少参数 文件(用 zhiben enterprise import -h 查看用法)"),
])
def test_usage_errors_are_chinese(cli, args, expected):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.output.strip() == expected
    assert "Error" not in result.output and "Usage" not in result.output


def test_the_installed_command_names_itself_zhiben(monkeypatch, capsys):
    """`python -m zhiben` and the `zhiben` script print the same usage line, whatever argv[0] is."""
    from zhiben.cli import main

    monkeypatch.setattr("sys.argv", ["/usr/lib/python3/site-packages/zhiben/__main__.py", "done"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "错误:缺少参数 事项编号(用 zhiben done -h 查看用法)\n"


def test_help_frame_is_chinese(cli):
    r = cli("export", "-h")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "用法:zhiben export [选项] 内容"
    assert "参数:" in lines and "选项:" in lines
    assert "  --to <路径>              输出文件,如 逾期.xlsx、逾期.csv、期限.ics  [必填]" in lines
    assert lines[-1] == "  -h, --help               显示本帮助并退出。"
    for english in ("Usage", "Options", "Arguments", "Commands", "Show this message", "required", "default"):
        assert english not in r.output


@pytest.mark.parametrize(("args", "expected"), [
    (["overdu"], "错误:没有这个命令:overdu;是否要用:overdue(用 zhiben -h 查看用法)"),
    (["bogus"], "错误:没有这个命令:bogus(用 zhiben -h 查看用法)"),
    (["enterprise", "impor"], "错误:没有这个命令:impor;是否要用:import(用 zhiben enterprise -h 查看用法)"),
    (["--bogus"], "错误:没有这个选项:--bogus(用 zhiben -h 查看用法)"),
])
def test_unknown_commands_and_root_options_are_chinese(cli, args, expected):
    from runner import ZhibenRunner
    from zhiben.cli import app

    r = ZhibenRunner().invoke(app, args)
    assert (r.exit_code, r.output.strip()) == (2, expected)


def test_a_group_without_a_command_shows_its_help(cli):
    r = cli("enterprise")
    assert r.exit_code == 0
    assert r.output.startswith("用法:zhiben enterprise [选项] 命令 [参数]...\n")
    assert "命令:\n  import  导入企业名册" in r.output


def test_os_errors_are_chinese(cli, tmp_path):
    from zhiben.errors import os_reason

    assert os_reason(IsADirectoryError(21, "Is a directory")) == "是目录"
    assert os_reason(OSError(28, "No space left on device")) == "磁盘空间不足"
    assert os_reason(OSError(5, "Input/output error")) == "磁盘读写错误"
    assert os_reason(OSError(999, "Strange")) == "系统错误"
    r = cli("enterprise", "import", str(tmp_path))
    assert (r.exit_code, r.output) == (3, f"错误:{tmp_path} 是目录,不是文件\n")


def _help_pages(width: int):
    """Every command's help as a terminal `width` columns wide shows it."""
    import typer

    from runner import ZhibenRunner
    from zhiben.cli import app

    def walk(cmd, path):
        yield path
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            yield from walk(sub, [*path, name])

    runner = ZhibenRunner()
    for path in walk(typer.main.get_command(app), []):
        yield path, runner.invoke(app, [*path, "--help"], terminal_width=width).output


@pytest.mark.parametrize("columns", [80, 120])
def test_help_fits_the_terminal_by_display_width(columns):
    """Chinese characters take two columns: no help line overflows, no line is a lone punctuation mark,
    and placeholders are Chinese."""
    import re

    from zhiben.cli.usage import width

    pages = dict((" ".join(p), out) for p, out in _help_pages(columns))
    assert len(pages) > 50
    for name, out in pages.items():
        for line in out.splitlines():
            assert width(line) <= columns, (name, line)
            assert line.strip() not in ("。", ",", ")", ";", "、"), (name, out)
        assert not re.search(r"\{[A-Z]+\}|PATH\|URL|\b(DAYS|FILE|KIND|ADDR|DIR|DATE|YEAR|NAME|VALUE|CODE)\b", out), name


def test_help_wraps_chinese_between_characters_and_english_at_spaces():
    from zhiben.cli.usage import wrap

    assert wrap("事件类型:trial-start(试生产开始)、shutdown(停产停建)", 20) == [
        "事件类型:trial-start", "(试生产开始)、", "shutdown(停产停建)"]
    assert wrap("逾期事项:先按事项汇总,--detail 逐行列出。", 24) == ["逾期事项:先按事项汇总,", "--detail 逐行列出。"]
    assert wrap("一二三四五六七八九。", 18) == ["一二三四五六七", "八九。"]  # never a lone "。", nor "九。" alone
    assert wrap("默认值  [默认:14; 0<=x<=3660]", 24) == ["默认值", "[默认:14; 0<=x<=3660]"]
    assert wrap("见 docs/mail.md,逗号分隔(默认 7,1)", 14) == ["见", "docs/mail.md,", "逗号分隔(默认", "7,1)"]


def test_event_add_help_keeps_words_whole(cli):
    out = cli("event", "add", "-h").output
    assert out.splitlines()[0] == "用法:zhiben event add [选项] 事件类型"
    assert "shutdown(停产停建)" in out.replace("\n", "").replace(" ", "")
    for word in ("trial-start", "trial-end", "acceptance", "shutdown", "resumption", "apprentice", "inspection-finding"):
        assert any(word in line for line in out.splitlines()), word


def test_version_names_the_program_and_the_catalogue_edition():
    import re
    import tomllib

    from runner import ZhibenRunner
    from zhiben import __version__
    from zhiben.catalogue import model
    from zhiben.cli import app

    root = Path(__file__).resolve().parents[1]
    assert tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"] == __version__
    cat = model.read()
    assert cat.version and cat.revised is not None
    for flag in ("--version", "-V"):
        r = ZhibenRunner().invoke(app, [flag, "overdue"], env={"ZHIBEN_DB": "/nonexistent/never-opened.db"})
        assert (r.exit_code, r.output) == (0, f"zhiben {__version__}\n"
                                              f"事项目录:版本 {cat.version},修订日期 {cat.revised},{len(cat.milestones)} 个事项\n")
    assert re.fullmatch(r"\d+(\.\d+)*", cat.version)
