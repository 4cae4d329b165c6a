"""Bad input, everywhere: random and malformed files never produce a traceback or a partial write.

Each importer gets random bytes, random text and realistic damage to a good file (lines dropped,
duplicated, cut short, values replaced). Whatever it is fed, the command either succeeds or ends
with one "错误:" line (plus the listed problems), a non-zero exit and the database as it was.
Each example runs on a database of its own, so no example depends on what an earlier one wrote.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbstate import snapshot
from runner import ZhibenRunner
from zhiben.catalogue import model as catalogue
from zhiben.cli import app
from zhiben.register import creditcode

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
GOOD_CATALOGUE = catalogue.default_path().read_text(encoding="utf-8").splitlines()

junk_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
toml_values = st.one_of(
    junk_text.map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.integers(-10**6, 10**6).map(str), st.sampled_from(["[]", "{}", "true", "2025-02-30", "2025-13-01",
                                                        '["红", 3]', '{ kind = "weekly" }', '"', "[[", "= ="]),
    junk_text,
)


@st.composite
def damaged_catalogue(draw) -> str:
    lines = list(GOOD_CATALOGUE)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "duplicate", "value", "cut", "insert"]))
        if action == "drop":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "value" and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + draw(toml_values)
        elif action == "cut":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        else:
            lines.insert(i, draw(junk_text))
    return "\n".join(lines) + "\n"


catalogue_files = st.one_of(
    damaged_catalogue().map(lambda t: t.encode("utf-8")),
    junk_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=300),
    damaged_catalogue().map(lambda t: t.encode("gb18030", errors="replace")),
)


def _run(cli_args):
    return ZhibenRunner().invoke(app, cli_args)


def _assert_clean_failure_or_success(r, expected_codes):
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    if r.exit_code != 0:
        assert r.exit_code in expected_codes, (r.exit_code, r.output)
        assert r.output.startswith("错误:") and len(r.output.splitlines()[0]) > len("错误:"), r.output


@pytest.mark.slow
@FUZZ
@given(data=catalogue_files)
def test_catalogue_check_and_load_never_crash_nor_write_half(tmp_path, fresh_db, data):
    path = tmp_path / "目录.toml"
    path.write_bytes(data)
    with fresh_db() as db_url:
        checked = _run(["--db", db_url, "catalogue", "check", str(path)])
        _assert_clean_failure_or_success(checked, {3})

        before = snapshot(db_url)
        loaded = _run(["--db", db_url, "load", str(path)])
        _assert_clean_failure_or_success(loaded, {2, 3})
        if checked.exit_code != 0:
            assert loaded.exit_code == checked.exit_code
            assert loaded.output == checked.output
        if loaded.exit_code != 0:
            assert snapshot(db_url) == before


REGISTER_HEADER = ["统一社会信用代码", "企业名称", "所属县区", "行业", "标签", "风险等级", "所属园区", "联系人", "邮箱"]
STATUS_HEADER = ["编号", "方案", "事项", "主体类别", "责任主体", "统一社会信用代码", "周期", "期限", "当前情况",
                 "状态", "完成日期", "佐证材料", "备注"]
cells = st.one_of(
    junk_text,
    st.sampled_from(["茌平", "临清市", "不存在县", "化工/危险化学品", "工贸", "非煤矿山", "橙", "紫", "重大危险源",
                     "已完成", "撤销", "2025-06-31", "2024-01-02", "3000-01-01", "mine-req-2-b", "chem-99-z",
                     "县级", "企业", "2024-01", "2024-Q5", "=cmd|' /C calc'!A0", "", " ", "\"", "a,b"]),
    st.integers(1, 40).map(lambda n: creditcode.complete(f"91371523{n:09d}")),
    st.integers(1, 40).map(lambda n: creditcode.complete(f"91371523{n:09d}")[:17] + "Z"),
)


@st.composite
def sheet_rows(draw, header: list[str]):
    cols = draw(st.one_of(st.just(header), st.permutations(header), st.lists(st.sampled_from(header), max_size=6)))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 2), max_size=6))
    return [cols, *rows]


def _csv_bytes(rows, encoding: str) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    for r in rows:  # cells Excel itself could hold: no control characters, formulas as text
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _broken_zip(payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", payload)
    return buf.getvalue()


def sheet_files(header):
    rows = sheet_rows(header)
    return st.one_of(
        st.tuples(st.just(".csv"), st.tuples(rows, st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
                  .map(lambda a: _csv_bytes(*a))),
        st.tuples(st.just(".xlsx"), rows.map(_xlsx_bytes)),
        st.tuples(st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ""]), st.binary(max_size=300)),
        st.tuples(st.just(".xlsx"), st.binary(max_size=100).map(_broken_zip)),
    )


def _fuzz_import(tmp_path, fresh_db, command, suffix, data):
    path = tmp_path / f"导入{suffix}"
    path.write_bytes(data)
    with fresh_db() as db_url:
        before = snapshot(db_url)
        r = _run(["--db", db_url, *command, str(path)])
        _assert_clean_failure_or_success(r, {2, 3})
        if r.exit_code != 0:
            assert snapshot(db_url) == before


@pytest.mark.slow
@FUZZ
@given(file=sheet_files(REGISTER_HEADER))
def test_enterprise_import_never_crashes_nor_writes_half(tmp_path, fresh_db, file):
    _fuzz_import(tmp_path, fresh_db, ["enterprise", "import"], *file)


@pytest.mark.slow
@FUZZ
@given(file=sheet_files(STATUS_HEADER))
def test_status_import_never_crashes_nor_writes_half(tmp_path, fresh_db, file):
    _fuzz_import(tmp_path, fresh_db, ["status", "import"], *file)


@pytest.mark.parametrize("text", ["", "\x00\x01", "[catalogue]\ntitle = 1\n", "[[milestone]]\nid = \"x\"\n"])
def test_tiny_malformed_catalogues_name_the_file(tmp_path, db_url, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    r = _run(["--db", db_url, "load", str(path)])
    assert r.exit_code == 3
    assert r.output.splitlines()[0].startswith(f"错误:{path}"), r.output
