"""Command-line usage mistakes are reported in one Chinese line with exit code 2, not click's English."""

import pytest


@pytest.mark.parametrize(("args", "expected"), [
    (["done"], "错误:缺少参数 ID(用 zhiben done -h 查看用法)"),
    (["overdue", "--bogus"], "错误:没有这个选项:--bogus(用 zhiben overdue -h 查看用法)"),
    (["overdue", "--formt", "json"], "错误:没有这个选项:--formt;是否要用:--format(用 zhiben overdue -h 查看用法)"),
    (["upcoming", "--days", "abc"], "错误:--days 的值无效(应为整数)(用 zhiben upcoming -h 查看用法)"),
    (["done", "chem-02-a", "a", "b"], "错误:多余的参数:a b(用 zhiben done -h 查看用法)"),
    (["enterprise", "import"], "错误:缺少参数 FILE(用 zhiben enterprise import -h 查看用法)"),
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
    assert capsys.readouterr().err == "错误:缺少参数 ID(用 zhiben done -h 查看用法)\n"
