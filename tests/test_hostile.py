"""Every command, every parameter, hostile values: a Chinese line or a result, never a traceback.

The command tree is walked from the click app, so a new command or option is covered without
editing this file. Plausible values for required parameters (BASE) let the hostile value reach
past argument checks into the work itself.
"""

from __future__ import annotations

import pytest
import typer

from runner import ZhibenRunner as CliRunner
from zhiben.cli import app

ROOT_CMD = typer.main.get_command(app)

TEXT = ["", "   ", "9999-12-31", "0001-01-01", "3000000", "-1", "99999999999999999999",
        "'; DROP TABLE completion; --", "=1+1", "../../../../etc/passwd", "/", "/dev/null",
        "不存在的目录/文件.xlsx", "x" * 100_000, "\u202e😀\ufeff", "%s%n{0}"]
NUMBERS = ["-1", "3000000", "99999999999999999999", "-99999999999999999999", "1e309", "abc"]
# The everyday suite runs these; the slow one runs all of the above.
TEXT_FAST = ["", "9999-12-31", "不存在的目录/文件.xlsx", "x" * 100_000, "'; DROP TABLE completion; --"]
NUMBERS_FAST = ["-1", "3000000", "99999999999999999999"]
ENGLISH = ["Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "Error:", "No such", "Did you mean",
           "Try '", "[required]", "[default:", "Is a directory", "No space left", "Permission denied", "Aborted"]
# Values that reach past the argument checks, by command path and parameter name.
BASE = {
    ("done",): {"milestone_id": "chem-guard-1-a", "county": "茌平"},
    ("reopen",): {"milestone_id": "chem-guard-1-a", "county": "茌平"},
    ("export",): {"kind": "upcoming", "to": "out.xlsx"},
    ("report",): {"to": "out.html"},
    ("backup",): {"file": "b.db"},
    ("mail", "overdue"): {"to": "a@example.com", "dry_run": "eml"},
}


def _walk(cmd, path=()):
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, (*path, name))
    else:
        yield path, cmd


COMMANDS = dict(_walk(ROOT_CMD))


def _takes_value(param) -> bool:
    return not getattr(param, "is_flag", False) and not getattr(param, "count", False)


def _values(param, full: bool) -> list[str]:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation in (int, float):
        return NUMBERS if full else NUMBERS_FAST
    return TEXT if full else TEXT_FAST


def _args(path, cmd, override=None) -> list[str]:
    """Command line with BASE values and (name, value) override; required params get a filler."""
    base = BASE.get(path, {})
    args, opts = [], []
    for p in cmd.params:
        if not _takes_value(p) or p.name == "help":
            continue
        if override and p.name == override[0]:
            value = override[1]
        elif p.name in base:
            value = base[p.name]
        elif p.required:
            value = "x"
        else:
            continue
        if p.param_type_name == "argument":
            args.append(value)
        else:
            opts += [p.opts[0], value]
    return [*path, *args, *opts]


def _assert_clean(result, argv):
    shown = [a if len(a) < 80 else a[:20] + "…" for a in argv]
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"{shown}: {exc!r}"
    assert "Traceback" not in result.output, shown
    # click's own English frame never reaches the user (help, usage errors, OS errors).
    leaks = [w for w in ENGLISH if w in result.output]
    assert not leaks, (shown, leaks, result.output[-300:])
    assert result.exit_code in (0, 1, 2, 3, 4, 5), (shown, result.exit_code, result.output[-300:])
    if result.exit_code:
        assert result.output.strip(), f"{shown}: failed silently"


@pytest.fixture
def run(db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"ZHIBEN_CONFIG": str(tmp_path / "none.toml"), "ZHIBEN_SMTP_HOST": "127.0.0.1",
           "ZHIBEN_SMTP_PORT": "1", "ZHIBEN_SMTP_FROM": "z@example.com", "ZHIBEN_SMTP_SECURITY": "none",
           "ZHIBEN_DB": None}
    runner = CliRunner()

    def go(argv):
        result = runner.invoke(app, ["--db", db_url, *argv], env=env)
        _assert_clean(result, argv)
        return result

    return go


def test_the_walk_finds_every_command():
    paths = {" ".join(p) for p in COMMANDS}
    assert {"overdue", "done", "export", "enterprise import", "status import", "mail overdue", "restore"} <= paths
    assert len(paths) > 30


def _sweep(run, path, full):
    cmd = COMMANDS[path]
    run([*path, "-h"])
    run(list(path))
    for p in cmd.params:
        if p.name == "help":
            continue
        if not _takes_value(p):
            run(_args(path, cmd) + [p.opts[0]])
            continue
        for value in _values(p, full):
            run(_args(path, cmd, (p.name, value)))


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_parameter_with_hostile_values(run, path):
    _sweep(run, path, full=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_parameter_with_more_hostile_values(run, path):
    _sweep(run, path, full=True)


@pytest.mark.parametrize("value", TEXT, ids=range(len(TEXT)))
def test_the_database_option_with_hostile_values(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--db", value, "log"], env={"ZHIBEN_DB": None, "XDG_DATA_HOME": str(tmp_path)})
    _assert_clean(result, ["--db", value, "log"])


def _with(option: str) -> list[tuple]:
    return sorted(path for path, cmd in COMMANDS.items() if any(option in p.opts for p in cmd.params))


@pytest.mark.parametrize("path", _with("--as-of"), ids=" ".join)
def test_a_far_as_of_date_is_one_chinese_line_on_every_command(run, path):
    r = run(_args(path, COMMANDS[path], ("as_of", "9999-12-31")))
    assert (r.exit_code, r.output) == (2, "错误:日期“9999-12-31”超出可处理的范围(1900—2199 年)\n")


@pytest.mark.parametrize("path", _with("--days"), ids=" ".join)
def test_a_huge_days_value_is_one_chinese_line_on_every_command(run, path):
    r = run(_args(path, COMMANDS[path], ("days", "3000000")))
    assert r.exit_code == 2
    assert r.output == f"错误:--days 的值无效(应为 0 到 3660 之间的整数)(用 zhiben {' '.join(path)} -h 查看用法)\n"


def test_the_walk_finds_the_options_that_overflowed():
    assert {("upcoming",), ("export",), ("report",)} <= set(_with("--days"))
    assert {("upcoming",), ("overdue",), ("export",), ("report",), ("progress",)} <= set(_with("--as-of"))


@pytest.mark.parametrize("command", [("enterprise", "import"), ("status", "import")])
def test_a_csv_field_beyond_the_csv_limit_is_one_chinese_line(run, tmp_path, command):
    path = tmp_path / "名册.csv"
    path.write_text("统一社会信用代码,企业名称,所属县区,行业\r\n"
                    f"91371500MA3C5D7F2X,\"{'名' * 200_000}\",茌平区,chem\r\n", encoding="utf-8")
    r = run([*command, str(path)])
    where = path  # both importers read through inputs.sheets and name the file as given
    assert (r.exit_code, r.output) == (
        3, f"错误:{where}:2: 有单元格超过 131072 个字符,不是正常的表格内容(可能不是名册文件,或引号未配对)\n")
