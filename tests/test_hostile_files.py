"""Hostile files: every file-taking option, every entry of the generated corpus (tests/hostile_corpus.py).

The walker's list of file-taking options is derived from the CLI: a parameter that looks like a file
(FILE/DIR metavar, a name ending in _file/_dir, help mentioning 文件) must be listed either in
INPUTS (with the arguments that let the file reach the work) or in NOT_INPUTS, so a new option
cannot slip past the corpus. To add one, e.g. `report --logo FILE`:

    INPUTS[("report",), "logo"] = lambda f: ["report", "--to", "r.html", "--logo", f]

(ANY_FILE instead when any well-formed file is fair for it, as for evidence files.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import dbstate
import hostile_corpus
from zhiben.cli import app

TESTS = Path(__file__).resolve().parent
ROOT_CMD = typer.main.get_command(app)
WEBHOOK = "http://127.0.0.1:9/robot/send?access_token=t"

# (command path, parameter) → the command line that hands file `f` to it.
INPUTS = {
    (("enterprise", "import"), "file"): lambda f: ["enterprise", "import", f],
    (("status", "import"), "file"): lambda f: ["status", "import", f],
    (("calendar", "import"), "file"): lambda f: ["calendar", "import", f],
    (("load",), "file"): lambda f: ["load", f],
    (("catalogue", "check"), "file"): lambda f: ["catalogue", "check", f],
    (("catalogue", "check"), "source"): lambda f: ["catalogue", "check", "--source", f],
    (("done",), "codes_file"): lambda f: ["done", "mine-02-a", "--codes-file", f, "--period", "2025"],
    (("restore",), "file"): lambda f: ["restore", f],
    (("notify", "dingtalk"), "secret_file"): lambda f: ["notify", "dingtalk", "--webhook", WEBHOOK, "--secret-file", f],
}
# Options that take any kind of file (evidence: PDF, images, text, ZIP…): a well-formed text or sheet is
# a fair file for them, so they get the entries that must be refused whatever the file is for.
ANY_FILE = {
    (("done",), "attach"): lambda f: ["done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--attach", f],
    (("evidence", "add"), "files"): lambda f: ["evidence", "add", "chem-guard-1-a", "--county", "东阿", f],
    (("status", "import"), "evidence_dir"): lambda f: ["status", "import", "missing.csv", "--evidence-dir", f],
}
# A completion the evidence attacks attach to (recorded before the walk starts).
SETUP = [["done", "chem-guard-1-a", "--county", "东阿", "--on", "2025-06-20"]]
# Files zhiben writes (checked by tests/test_output_target.py), and look-alikes that take no file.
NOT_INPUTS = {
    (("backup",), "file"),
    (("mail", "overdue"), "dry_run"), (("mail", "upcoming"), "dry_run"),
    (("export",), "fmt"), (("calendar", "import"), "replace_year"), (("config", "set"), "name"),
    (("evidence", "show"), "file_id"), (("evidence", "remove"), "file_id"),
    *((("mail", kind), name) for kind in ("overdue", "upcoming") for name in ("smtp_user", "smtp_host", "with_csv")),
}


def _walk(cmd, path=()):
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, (*path, name))
    else:
        yield path, cmd


def _looks_like_file(param) -> bool:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return False
    name, metavar, helptext = param.name or "", param.metavar or "", getattr(param, "help", None) or ""
    if name in ("to", "out"):  # files zhiben writes: tests/test_output_target.py's business
        return False
    words = ("FILE", "DIR", "文件", "目录", "路径")
    return (any(w in metavar for w in words) or name in ("file", "files", "source") or name.endswith(("_file", "_dir"))
            or helptext.startswith(("文件", "目录")) or "文件路径" in helptext)


def file_options() -> list[tuple[tuple[str, ...], str]]:
    return [(path, p.name) for path, cmd in _walk(ROOT_CMD) for p in cmd.params if _looks_like_file(p)]


def test_every_file_taking_option_is_in_the_walk():
    unlisted = [f"zhiben {' '.join(path)} 的参数 {name}" for path, name in file_options()
                if (path, name) not in INPUTS and (path, name) not in ANY_FILE and (path, name) not in NOT_INPUTS]
    assert unlisted == [], ("新的文件参数:在 tests/test_hostile_files.py 的 INPUTS(读入的文件,给出让文件到达"
                            "实际处理的命令行)或 NOT_INPUTS(写出的文件)中登记")
    assert set(INPUTS) | set(ANY_FILE) <= set(file_options())


def attacks(corpus: dict[str, Path]) -> list[dict]:
    """Every corpus entry to every file-taking option, and as the database (--db) to a report."""
    out = [{"label": f"{' '.join(path)} {name} ← {entry}", "args": make(str(file))}
           for (path, name), make in INPUTS.items() for entry, file in corpus.items()]
    out += [{"label": f"{' '.join(path)} {name} ← {entry}", "args": make(str(file))}
            for (path, name), make in ANY_FILE.items() for entry, file in corpus.items()
            if entry in hostile_corpus.WHATEVER_THE_FILE]
    out += [{"label": f"--db ← {entry}", "args": ["overdue"], "db": str(file)}
            for entry, file in corpus.items() if not entry.startswith("empty")]  # an empty file: seam's init rule
    return out


@pytest.mark.slow
@pytest.mark.sqlite_only("the corpus is about files; one backend is enough")
def test_the_corpus_is_refused_early_under_a_memory_cap(db_url, tmp_path):
    from runner import ZhibenRunner

    for args in SETUP:
        r = ZhibenRunner().invoke(app, ["--db", db_url, *args])
        assert r.exit_code == 0, r.output
    corpus = hostile_corpus.build(tmp_path / "corpus")
    plan = attacks(corpus)
    (tmp_path / "attacks.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    before = dbstate.digest(db_url)
    run = subprocess.run([sys.executable, str(TESTS / "hostile_walk.py"), db_url, str(tmp_path / "attacks.json"),
                          str(tmp_path / "results.json"), str(1024 ** 3), "30"],
                         cwd=TESTS, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    bad = []
    for r in results:
        first = r["output"].splitlines()[0] if r["output"] else ""
        if (r["crash"] or r["exit"] in (0, None) or r["changed"] or "Traceback" in r["output"]
                or not first.startswith("错误:") or r["seconds"] > 20):
            bad.append(f"{r['label']}: exit={r['exit']} {r['seconds']}s changed={r['changed']} "
                       f"{(r['crash'] or r['output'])[:300]!r}")
    assert bad == [], "\n".join(bad)
    assert dbstate.digest(db_url) == before
    print(f"{len(results)} attacks, all refused; slowest {max(r['seconds'] for r in results)} s")


# --- one test per point of issue 20 (each failed on main before the fix) ------------------------

AS_OF = "2025-07-01"


@pytest.fixture
def corpus(tmp_path_factory):
    return hostile_corpus.build(tmp_path_factory.mktemp("corpus"))


def _status_workbook(cli, tmp_path):
    """A county template with a hidden stale copy placed first: five rows filled in each sheet."""
    from openpyxl import load_workbook

    out = tmp_path / "茌平区填报.xlsx"
    r = cli("export", "template", "--county", "茌平", "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    new = wb.active
    old = wb.copy_worksheet(new)
    old.title = "旧副本"
    at = next(r for r in range(1, 8) if new.cell(row=r, column=1).value == "编号")  # below the title rows
    header = [c.value for c in new[at]]
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = [r for r in range(at + 1, new.max_row + 1) if new.cell(row=r, column=col["编号"]).value
            and new.cell(row=r, column=col["主体类别"]).value == "县级"]
    assert len(rows) >= 10
    for ws, picked in ((old, rows[:5]), (new, rows[5:10])):
        for r in picked:
            ws.cell(row=r, column=col["状态"], value="已完成")
            ws.cell(row=r, column=col["完成日期"], value="2025-06-30")
    wb.move_sheet(old, offset=-wb.index(old))
    old.sheet_state = "hidden"
    wb.active = wb.index(new)
    wb.save(out)
    ids = {(new.cell(row=r, column=col["编号"]).value, new.cell(row=r, column=col["周期"]).value) for r in rows[5:10]}
    return out, new.title, ids


def test_1_status_import_reads_the_active_sheet_never_a_hidden_stale_copy(cli, tmp_path):
    path, title, ids = _status_workbook(cli, tmp_path)
    r = cli("status", "import", str(path), "--by", "王五")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"读取工作表“{title}”\n") and "完成 5 项" in r.output
    log = json.loads(cli("log", "-n", "0", "-f", "json").output)
    assert {(e["milestone_id"], e["period_label"]) for e in log} == ids


def test_1_several_visible_template_sheets_need_a_name(cli, tmp_path):
    from openpyxl import load_workbook

    path, title, _ = _status_workbook(cli, tmp_path)
    wb = load_workbook(path)
    wb["旧副本"].sheet_state = "visible"
    wb.save(path)
    r = cli("status", "import", str(path))
    assert (r.exit_code, r.output) == (3, f"错误:{path}: 有 2 个工作表都像填报模板(“旧副本”、“{title}”),"
                                          "不知道该读哪一个;请用 --sheet 指定,如 --sheet 旧副本\n")
    assert json.loads(cli("log", "-f", "json").output) == []
    r = cli("status", "import", str(path), "--sheet", "旧副本", "--dry-run")
    assert r.exit_code == 0 and r.output.startswith("读取工作表“旧副本”\n") and "将完成 5 项" in r.output
    r = cli("status", "import", str(path), "--sheet", "没有")
    assert r.exit_code == 3 and "没有名为“没有”的工作表;有:“旧副本”、" in r.output


def test_2_a_dimension_bomb_reads_only_the_needed_columns_and_keeps_no_blank_rows(cli, tmp_path):
    import tracemalloc

    from zhiben.inputs import sheets

    path = tmp_path / "名册.xlsx"
    path.write_bytes(hostile_corpus._dimension_bomb(hostile_corpus.REGISTER_HEADER, 3000))
    r = cli("enterprise", "import", str(path))
    assert (r.exit_code, r.output) == (3, f"错误:{path}: 表头(第 1 行)之后没有数据行\n")
    tracemalloc.start()
    try:
        table = sheets.read(path, wanted=lambda h: h in hostile_corpus.REGISTER_HEADER)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.rows == [(1, hostile_corpus.REGISTER_HEADER)]
    assert peak < 5 * 1024 * 1024  # main padded 3,000 rows × 16,384 cells: about 400 MB


def test_2_bombs_are_refused_before_openpyxl_opens_them(cli, corpus):
    for name, words in [("dimension-last-row.xlsx", "行数超过 200,000 行"), ("wide-row.xlsx", "一行超过 16,384 个单元格"),
                        ("zip-bomb.xlsx", "压缩比异常"), ("bad-cell-ref.xlsx", "无法读取 Excel 文件")]:
        for command in (["enterprise", "import"], ["status", "import"]):
            r = cli(*command, str(corpus[name]))
            assert r.exit_code == 3 and words in r.output and len(r.output.splitlines()) == 1, (name, r.output)


def test_3_devices_fifos_and_sparse_giants_are_refused_unread(cli, corpus):
    cases = [
        (["enterprise", "import", "/dev/zero"], "错误:/dev/zero: 不支持的文件类型“无扩展名”,请使用 .csv 或 .xlsx"),
        (["enterprise", "import", str(corpus["link-to-zero.csv"])], f"错误:{corpus['link-to-zero.csv']} 是字符设备,不是普通文件;请给出文件的路径"),
        (["calendar", "import", str(corpus["link-to-zero.csv"])], f"错误:{corpus['link-to-zero.csv']} 是字符设备,不是普通文件;请给出节假日文件的路径"),
        (["status", "import", str(corpus["fifo.csv"])], f"错误:{corpus['fifo.csv']} 是管道,不是普通文件;请给出文件的路径"),
        (["load", "/dev/zero"], "错误:/dev/zero: 不支持的目录文件类型“无扩展名”,请使用 .toml"),
        (["catalogue", "check", str(corpus["link-to-zero.toml"])], f"错误:{corpus['link-to-zero.toml']} 是字符设备,不是普通文件;请给出目录文件的路径"),
        (["catalogue", "check", str(corpus["sparse.toml"])], f"错误:{corpus['sparse.toml']}: 文件过大(1024 MB),远超任何目录文件(上限 5 MB);请确认选对了文件"),
        (["done", "mine-02-a", "--codes-file", "/dev/urandom", "--period", "2025"], "错误:/dev/urandom 是字符设备,不是普通文件;请给出企业清单文件的路径"),
    ]
    for args, line in cases:
        r = cli(*args)
        assert r.exit_code != 0 and r.output == line + "\n", (args, r.output)


def test_3_a_deeply_nested_toml_is_one_line(cli, corpus):
    for name in ("deep.toml", "deep-legal.toml"):
        for command in (["catalogue", "check"], ["load"]):
            r = cli(*command, str(corpus[name]))
            assert (r.exit_code, r.output) == (3, f"错误:{corpus[name]}: 嵌套层数过多(最多 20 层),不是有效的目录或设置文件\n")


def test_4_control_characters_are_refused_at_the_door(cli, corpus, session):
    from sqlmodel import func, select

    from zhiben.db import models

    before = session.exec(select(func.count()).select_from(models.Enterprise)).one()
    r = cli("enterprise", "add", "--code", "91371523MA3C0000X1", "--name", "零\x01\x07\x1b[31m红色公司",
            "--county", "茌平", "--sector", "chem")
    assert (r.exit_code, r.output) == (2, "错误:--name 的值含有控制字符 U+0001(如颜色、换行或从右到左等不可见字符):"
                                          "“零\\x01\\x07\\x1b[31m红色公司”;请删除后重试\n")
    r = cli("enterprise", "show", "零\x01公司")
    assert (r.exit_code, r.output) == (2, "错误:命令行参数含有控制字符 U+0001(如颜色、换行或从右到左等不可见字符):"
                                          "“零\\x01公司”;请删除后重试\n")
    r = cli("event", "add", "--note", "a\u202eb")
    assert r.exit_code == 2 and "--note 的值含有控制字符 U+202E" in r.output
    r = cli("enterprise", "import", str(corpus["controls-register.csv"]))
    assert r.exit_code == 3 and f"{corpus['controls-register.csv']}:2:企业名称: 企业名称含有控制字符 U+0001" in r.output
    assert "\x1b" not in r.output
    r = cli("enterprise", "import", str(corpus["controls-register.xlsx"]))
    assert r.exit_code == 3 and "企业名称含有控制字符 U+009B" in r.output and "\x9b" not in r.output
    r = cli("calendar", "import", str(corpus["controls-calendar.csv"]))
    assert r.exit_code == 2 and "备注含有控制字符 U+0001" in r.output and "\x1b" not in r.output
    session.expire_all()
    assert session.exec(select(func.count()).select_from(models.Enterprise)).one() == before


def test_4_stored_controls_are_escaped_on_the_terminal_and_in_sheet_headings(cli, session, tmp_path, backend):
    import factories

    # PostgreSQL text can not hold NUL at all (the driver refuses it), so there it is left out.
    nul, nul_shown = ("\x00", "\\x00") if backend == "sqlite" else ("", "")
    ent = factories.make_enterprise(session, f"零{nul}\x1b]0;标题\x07\u202e红色公司", tags=["建设项目"], seq=1)
    session.commit()
    shown = cli("enterprise", "show", ent.credit_code).output
    assert shown.startswith(f"零{nul_shown}\\x1b]0;标题\\x07\\u202e红色公司(统一社会信用代码") and "\x1b" not in shown
    plain = cli("overdue", "--detail", "--enterprise", ent.credit_code, "-f", "plain", "--as-of", AS_OF).output
    assert f"零{nul_shown}\\x1b]0;标题" in plain and "\x1b" not in plain and "\x00" not in plain
    out = tmp_path / "x.xlsx"
    r = cli("export", "overdue", "--enterprise", ent.credit_code, "--to", str(out), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output


def test_7_free_text_is_bounded_everywhere_and_errors_quote_forty_characters(cli, session):
    import factories

    ent = factories.make_enterprise(session, "鲁西新材料有限公司", tags=["建设项目"], seq=1)
    session.commit()
    long = "长" * 20_000
    event = ["event", "add", "acceptance", "--enterprise", ent.credit_code, "--date", "2025-06-01"]
    for args, words in [([*event, "--note", long], "备注过长(20000 个字符,最多 2000 个)"),
                        ([*event, "--by", long], "记录人过长"),
                        (["county", "set-contact", "茌平", "--email", "a@example.com", "--name", long], "联系人过长"),
                        (["park", "add", long, "--county", "茌平"], "园区名称过长"),
                        (["calendar", "add", "2027-01-01", "holiday", "--note", long], "备注过长")]:
        r = cli(*args)
        assert r.exit_code == 2 and words in r.output and len(r.output) < 200, (args, r.output[:300])
    r = cli("overdue", "--county", long)
    assert r.exit_code == 2 and "“" + "长" * 40 + "…" in r.output and "长" * 41 not in r.output
    assert len(r.output) < 300


def test_5_a_malformed_webhook_is_one_line_without_the_token_or_signature(cli, monkeypatch):
    monkeypatch.setenv("ZHIBEN_DINGTALK_SECRET", "SEC-very-secret")
    for url in ["https://oapi.dingtalk.com/robot/send?access_token=TOKEN123 x",
                "https://[::1/robot/send?access_token=TOKEN123",
                "https://oapi.dingtalk.com:port/robot/send?access_token=TOKEN123",
                "https://user:pw@[fe80::1%25eth0/robot/send?access_token=TOKEN123"]:
        for platform in ("dingtalk", "wecom"):
            r = cli("notify", platform, "--webhook", url, "--as-of", AS_OF)
            assert r.exit_code == 2 and len(r.output.splitlines()) == 1 and r.output.startswith("错误:"), (url, r.output)
            for secret in ("TOKEN123", "SEC-very-secret", "sign=", "timestamp=", "pw@", "Traceback"):
                assert secret not in r.output, (url, r.output)


def test_8_a_killed_runs_temporaries_are_cleaned_on_the_next_run_and_said(cli, db_url, tmp_path):
    import os

    db = Path(db_url.removeprefix("sqlite:///"))
    if not db.is_file():
        pytest.skip("SQLite: temporaries beside the database file")
    dead = 4_000_000  # beyond any pid_max: no such process
    stale = [db.with_name(f".{db.name}.{dead}.tmp"), db.with_name(f".{db.name}.{dead}.tmp-journal"),
             db.with_name(f".{db.name}.20261204-101010.bak.{dead}.tmp"), db.with_name(f".{db.name}.{dead}.new")]
    kept = [db.with_name(f".{db.name}.{os.getpid()}.tmp"), db.with_name(f".other.db.{dead}.tmp"),
            db.with_name(f"{db.name}.{dead}.tmp")]
    for p in stale + kept:
        p.write_bytes(b"x" * 2048)
    r = cli("overdue", "--as-of", AS_OF)
    assert r.exit_code == 0
    assert sorted(line for line in r.output.splitlines() if line.startswith("已清理")) == sorted(
        f"已清理上次中断留下的临时文件:{p}(2 KB)" for p in stale)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)


def test_8_skip_invalid_never_overwrites_a_rejects_file_without_force(cli, tmp_path):
    register = tmp_path / "名册.csv"
    register.write_text("统一社会信用代码,企业名称,所属县区,行业\n123,坏行,茌平,chem\n", encoding="utf-8")
    rejects = tmp_path / "名册.rejects.csv"
    rejects.write_text("我的笔记\n", encoding="utf-8")
    r = cli("enterprise", "import", str(register), "--skip-invalid")
    assert (r.exit_code, r.output) == (2, f"错误:文件已存在:{rejects};如需覆盖请加 --force\n")
    assert rejects.read_text(encoding="utf-8") == "我的笔记\n"
    r = cli("enterprise", "import", str(register), "--skip-invalid", "--force")
    assert r.exit_code == 0, r.output
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[0] == "统一社会信用代码,企业名称,所属县区,行业,原行号,错误原因"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _limited(size: int):
    """A child whose files cannot grow past `size` bytes: writes fail as on a full disk (EFBIG)."""
    import resource
    import signal

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


@pytest.mark.slow
@pytest.mark.sqlite_only("a file-size limit on the process stands in for a full disk")
def test_9_a_full_disk_is_one_line_and_leaves_no_empty_file(db_url, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    env = {**__import__("os").environ, "ZHIBEN_DB": db_url}
    for args, left in [(["export", "overdue", "--as-of", AS_OF, "--to", str(out / "o.xlsx")], "o.xlsx"),
                       (["mail", "overdue", "--as-of", AS_OF, "--to", "a@example.com", "--smtp-from", "z@example.com",
                         "--dry-run", str(out / "eml")], "eml")]:
        run = subprocess.run([sys.executable, "-m", "zhiben", *args], preexec_fn=_limited(40_000), env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode != 0 and run.stdout == "", (args, run.stdout)
        assert run.stderr.startswith("错误:") and len(run.stderr.splitlines()) == 1, run.stderr
        assert [p.name for p in out.rglob("*") if p.is_file()] == [], left


@pytest.mark.sqlite_only("a database file in a read-only folder")
def test_9_a_database_in_a_read_only_folder_can_be_backed_up_and_exported_to_ics(cli, db_url, tmp_path, monkeypatch):
    from zhiben.db import files

    db = Path(db_url.removeprefix("sqlite:///"))
    # Checkpointed first, as a database copied onto a read-only share would be (no -wal beside it).
    assert cli("check").exit_code == 0
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    monkeypatch.setattr(files, "writable", lambda folder: False)  # root may write anywhere: the check decides
    out = tmp_path / "out"
    out.mkdir()
    r = cli("backup", str(out / "b.db"))
    assert r.exit_code == 0 and r.output.startswith(f"已备份到 {out / 'b.db'}"), r.output
    r = cli("export", "upcoming", "--as-of", AS_OF, "--days", "60", "--to", str(out / "u.ics"))
    assert r.exit_code == 0, r.output
    assert "注意:数据库只读,本次发布的日程未记录;以后事项完成或撤销时,订阅的日历不会收到取消通知\n" in r.output
    assert (out / "u.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_10_the_busy_message_says_the_wait_that_happened(monkeypatch):
    """Issue 20.10: SQLite gave up after 7.7 s (another process creating the database) and the line said 30."""
    import sqlite3

    from zhiben.db import failures

    monkeypatch.setenv(failures.BUSY_ENV, "30")
    locked = sqlite3.OperationalError("database is locked")
    assert failures.describe(locked, waited=7.7) == "数据库正被其他程序占用,等待 7.7 秒后仍未释放;本次操作已撤销,请稍后重试"
    assert failures.describe(locked, waited=31.2) == "数据库正被其他程序占用,等待 30 秒后仍未释放;本次操作已撤销,请稍后重试"
