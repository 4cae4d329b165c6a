"""Every command that prints a table, on a bench-like register, at 80 and 120 columns and piped.

On a terminal: one line per row, no line wider than the terminal (display width, wcwidth), no item
id, date or credit code split across lines, the key columns (编号, 统一社会信用代码, 县区) kept. Piped:
full width, nothing cut, every enterprise found whole by name.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from wcwidth import wcswidth

from conftest import ROOT, _clone
from runner import ZhibenRunner
from zhiben.cli import app
from zhiben.outputs import terminal
from zhiben.register import creditcode

sys.path.insert(0, str(ROOT / "bench"))
import register_gen  # noqa: E402  (bench/ is not a package)

SIZE = 400  # the bench's mix (counties, sectors, tags, parks, long names) at a size the suite affords
AS_OF = ("--as-of", "2026-11-29")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
WIDTHS = (80, 120)


def run(url, *args, width=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(terminal, "screen", lambda: width)
    r = ZhibenRunner().invoke(app, ["--db", url, *args])
    assert r.exit_code == 0, (args, r.output)
    return ANSI.sub("", r.stdout)


@pytest.fixture(scope="module")
def city(tmp_path_factory, template_db, backend):
    """A register from bench/register_gen.py plus one of everything the other lists show."""
    folder = tmp_path_factory.mktemp("city")
    rows = register_gen.generate(SIZE, seed=2024)
    register_gen.write_csv(rows, folder / "city.csv")
    with _clone(template_db, backend, folder / "zhiben.db") as url:
        def do(*args):
            r = ZhibenRunner().invoke(app, ["--db", url, *args])
            assert r.exit_code == 0, (args, r.output)

        do("enterprise", "import", str(folder / "city.csv"))
        chem = [r for r in rows if r[3] != "工贸"]
        longest = max(rows, key=lambda r: len(r[1]))
        do("event", "add", "acceptance", "--enterprise", chem[3][0], "--date", "2025-09-26", "--note", "验收组现场核查通过",
           "--by", "王建国")
        do("event", "add", "trial-start", "--enterprise", chem[4][0], "--date", "2026-12-20", "--planned")
        do("done", "chem-10-a", "--enterprise", chem[3][1], "--period", "2024-03", "--on", "2024-04-02",
           "--evidence", "2024年3月隐患排查记录表及整改闭环台账(含照片)", "--by", "李明")
        (folder / "2024年3月隐患排查记录表及整改闭环台账(含现场照片及签字页).pdf").write_bytes(b"%PDF-1.7\n" + bytes(2000))
        do("done", "trade-05-a", "--enterprise", longest[1], "--period", "2024-Q2", "--on", "2024-07-01", "--by", "张三",
           "--attach", str(folder / "2024年3月隐患排查记录表及整改闭环台账(含现场照片及签字页).pdf"))
        do("done", "chem-guard-1-a", "--county", "高新区", "--on", "2025-06-20", "--evidence", "总结报告")
        do("reopen", "chem-guard-1-a", "--county", "高新区", "--reason", "材料不全,退回补充")
        do("target", "record", "mine-19-1-a", "--county", "茌平", "--value", "80%", "--on", "2026-06-30")
        do("county", "set-contact", "聊城高新技术产业开发区", "--email", "gaoxin.anjian@example.cn", "--name", "赵海涛")
        do("calendar", "add", "2027-10-08", "workday", "--note", "国庆节调休上班")
        do("calendar", "add", "2027-10-01", "holiday", "--note", "国庆节")
        changed = [[*r[:5], "红", r[6], "王建国", "wang.jianguo@lc-qiye.cn"] for r in rows[:3]]
        new = [creditcode.complete("91371503MA3C00001"), "聊城市茌平区某某某某精细化工股份有限公司第二分公司", "茌平区", "化工/危险化学品",
               "重大危险源", "橙", "茌平化工产业园", "张三", "anquan@example.cn"]
        register_gen.write_csv([*changed, new], folder / "changes.csv")
        yield url, rows, folder


def commands(rows, folder) -> list[tuple[str, ...]]:
    chem = [r for r in rows if r[3] != "工贸"]
    return [
        ("overdue", *AS_OF), ("overdue", *AS_OF, "--detail"), ("upcoming", *AS_OF),
        ("upcoming", *AS_OF, "--detail"), ("upcoming", *AS_OF, "--days", "90"),
        ("progress", *AS_OF), ("progress", *AS_OF, "--sort", "按期完成率"), ("progress", *AS_OF, "--by", "plan"),
        ("progress", *AS_OF, "--by", "milestone"), ("progress", *AS_OF, "--by", "enterprise"),
        ("progress", *AS_OF, "--targets"), ("progress", *AS_OF, "--chart"),
        ("progress", *AS_OF, "--by", "enterprise", "--chart"),
        ("enterprise", "list"), ("enterprise", "list", "--all"), ("enterprise", "show", chem[3][0], *AS_OF),
        ("enterprise", "tags"), ("catalogue", "list"), ("event", "list"), ("event", "list", "--enterprise", chem[3][0]),
        ("catalogue", "show", "chem-09-b"), ("log",), ("target", "list"),
        ("county", "list"), ("park", "list"), ("calendar", "show", "2027"),
        ("enterprise", "import", str(Path(folder) / "changes.csv"), "--dry-run"),
        ("evidence", "list"), ("progress", *AS_OF, "--evidence"),
        ("trend", "--to", "2026-11-29"), ("trend", "--by", "milestone", "--every", "week", "--to", "2026-11-29"),
    ]


def _known(words) -> dict[str, set[str]]:
    """Every proper prefix of each word → the rest of the word."""
    out: dict[str, set[str]] = {}
    for w in words:
        for k in range(1, len(w)):
            out.setdefault(w[:k], set()).add(w[k:])
    return out


def split_tokens(lines: list[str], known: dict[str, set[str]]) -> list[str]:
    """Ids, codes and dates broken across two lines (the end of one, the start of the next)."""
    found = []
    for a, b in zip(lines, lines[1:], strict=False):
        tail, head = (a.split() or [""])[-1], (b.split() or [""])[0]
        for k in range(1, min(len(tail), 18) + 1):
            if any(head.startswith(rest) for rest in known.get(tail[-k:], ())):
                found.append(f"{tail} / {head}")
        joined = tail + head
        if any(m.start() < len(tail) < m.end() for m in DATE.finditer(joined)):
            found.append(f"{tail} / {head}")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_table_fits_the_terminal_one_line_per_row(city, width, monkeypatch):
    url, rows, folder = city
    ids = [m["id"] for m in json.loads(run(url, "catalogue", "list", "-f", "json"))]
    known = _known(ids + [r[0] for r in rows])
    for args in commands(rows, folder):
        out = run(url, *args, width=width, monkeypatch=monkeypatch).splitlines()
        wide = [line for line in out if wcswidth(line) > width]
        assert not wide, (args, width, wide[:3])
        assert not split_tokens(out, known), (args, width, split_tokens(out, known)[:3])


@pytest.mark.parametrize("width", WIDTHS)
def test_lists_keep_their_key_columns_and_every_row_whole(city, width, monkeypatch):
    url, rows, folder = city
    out = run(url, "enterprise", "list", width=width, monkeypatch=monkeypatch).splitlines()
    assert len(out) == 2 + len(rows)  # the title, the header, one line per enterprise
    head = out[1].split()
    assert head[:3] == ["统一社会信用代码", "企业名称", "县区"]
    for (code, name, *_), line in zip(sorted(rows, key=lambda r: r[0]), sorted(out[2:]), strict=True):
        assert line.startswith(f"{code}  {name} ")
    events = run(url, "event", "list", width=width, monkeypatch=monkeypatch).splitlines()
    assert {"编号", "统一社会信用代码", "县区"} <= set(events[1].split())
    log = run(url, "log", width=width, monkeypatch=monkeypatch).splitlines()
    assert len(log) == 2 + len(json.loads(run(url, "log", "-f", "json"))) and all(DATE.search(line) for line in log[2:])


def test_piped_tables_are_full_width_and_found_by_name(city):
    url, rows, folder = city
    out = run(url, "enterprise", "list")
    for code, name, county, *_ in rows:
        found = [line for line in out.splitlines() if name in line]
        assert len(found) >= 1 and any(code in line and county in line for line in found), name
    assert "…" not in out
    catalogue = run(url, "catalogue", "list")
    for m in json.loads(run(url, "catalogue", "list", "-f", "json")):
        assert m["title"] in catalogue and m["schedule"] in catalogue
    assert "…" not in run(url, "overdue", *AS_OF, "--detail")
    chart = run(url, "progress", *AS_OF, "--by", "enterprise", "--chart")
    assert all(f"{code}  {name} " in chart for code, name, *_ in rows)
    assert re.search("[█░]{20}", chart)


def test_progress_by_milestone_and_enterprise_carry_the_key_columns(city, monkeypatch, tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    url, rows, folder = city
    keys = {"milestone": (["编号", "事项"], "milestone_id"),
            "enterprise": (["统一社会信用代码", "企业名称", "所属县区"], "credit_code")}
    for by, (heads, key) in keys.items():
        table = list(csv.reader(io.StringIO(run(url, "progress", *AS_OF, "--by", by, "-f", "csv").lstrip("\ufeff"))))
        assert table[0][:len(heads)] == heads
        records = json.loads(run(url, "progress", *AS_OF, "--by", by, "-f", "json"))
        assert [r[0] for r in table[1:]] == [r[key] for r in records]
        out = run(url, "progress", *AS_OF, "--by", by, width=80, monkeypatch=monkeypatch).splitlines()
        assert out[3].split()[:len(heads)] == [h.replace("所属县区", "县区") for h in heads]
        to = tmp_path / f"{by}.xlsx"
        run(url, "export", "progress", "--by", by, *AS_OF, "--to", str(to))
        sheet = load_workbook(to, read_only=True)[f"按{'事项' if by == 'milestone' else '企业'}"]
        values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        assert heads in [v[:len(heads)] for v in values]
    county_of = {code: county for code, _, county, *_ in rows}
    assert all(county_of[r["credit_code"]] == r["county"]
               for r in json.loads(run(url, "progress", *AS_OF, "--by", "enterprise", "-f", "json")))


@pytest.mark.parametrize("width", WIDTHS)
def test_event_add_lists_its_deadlines_fitted(city, width, monkeypatch):
    url, rows, folder = city
    chem = [r for r in rows if r[3] != "工贸"]
    ent = chem[10 + WIDTHS.index(width)]
    out = run(url, "event", "add", "acceptance", "--enterprise", ent[0], "--date", "2025-12-29", width=width,
              monkeypatch=monkeypatch).splitlines()
    assert out[1:3] and all(wcswidth(line) <= width for line in out), out
    assert not split_tokens(out, _known([ent[0], "chem-09-i"]))


def test_markdown_right_aligns_numbers_everywhere(city):
    url, rows, folder = city
    for args, numeric in ((("target", "list"), "目标值"), (("progress", *AS_OF, "--targets"), "测算值"),
                          (("progress", *AS_OF), "完成率"), (("park", "list"), "在册企业数")):
        head, rule = [line for line in run(url, *args, "-f", "markdown").splitlines() if line.startswith("|")][:2]
        cells = [c.strip() for c in head.strip("|").split("|")]
        marks = rule.strip("|").split("|")
        assert marks[cells.index(numeric)].endswith(":"), (args, rule)
