"""Evidence files: attached through done, evidence add and status import, got back byte for byte,
bundled for an inspection, verified, removed, and kept through backup and restore."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from dbstate import digest, snapshot
from factories import make_enterprise

AS_OF = "2025-07-01"


def _png(extra: bytes = b"") -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(64) + extra


def _files(folder: Path) -> dict[str, Path]:
    """One file of each accepted kind, with distinct random content."""
    folder.mkdir(exist_ok=True)
    from openpyxl import Workbook

    book = io.BytesIO()
    wb = Workbook()
    wb.active.append(["检查记录", os.urandom(8).hex()])
    wb.save(book)
    contents = {
        "会议纪要.pdf": b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n",
        "演练照片.png": _png(),
        "现场.jpg": b"\xff\xd8\xff\xe0" + os.urandom(2000),
        "说明.txt": "整改说明:已完成。\n".encode() + os.urandom(4).hex().encode(),
        "检查表.xlsx": book.getvalue(),
        "旧版.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1000),
    }
    out = {}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(cli, *args) -> list[dict]:
    r = cli("evidence", "list", "-f", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _template_with_files(cli, tmp_path, names_for_rows: list[str]) -> tuple[Path, list[dict]]:
    """The county template with the first county-level overdue rows marked done, naming files."""
    from openpyxl import load_workbook

    path = tmp_path / "茌平填报.xlsx"
    r = cli("export", "template", "--county", "茌平", "--to", str(path), "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    wb = load_workbook(path)
    ws = wb.active
    top = next(r[0].row for r in ws.iter_rows() if r[0].value == "编号")  # below the title rows
    col = {c.value: i + 1 for i, c in enumerate(ws[top])}
    filled = []
    for row in range(top + 1, ws.max_row + 1):
        values = {h: ws.cell(row=row, column=i).value for h, i in col.items()}
        if len(filled) == len(names_for_rows):
            break
        if values["主体类别"] == "县级" and values["周期"] == "一次性" and values["编号"] != "chem-guard-1-a":
            ws.cell(row=row, column=col["状态"], value="已完成")
            ws.cell(row=row, column=col["完成日期"], value="2025-06-30")
            ws.cell(row=row, column=col["佐证文件"], value=names_for_rows[len(filled)])
            filled.append(values)
    wb.save(path)
    return path, filled


def test_attach_through_done_add_and_status_import_get_back_bundle_and_verify(cli, tmp_path, session, db_url):
    files = _files(tmp_path / "材料")
    pdf, png, jpg, txt, xlsx, doc = files.values()

    r = cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--evidence", "总结报告",
            "--attach", str(pdf), "--attach", str(png), "--by", "李明")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "已完成:chem-guard-1-a 县级“茌平区”,完成日期 2025-06-20",
        f"已添加佐证文件:会议纪要.pdf(PDF,{pdf.stat().st_size / 1024:.1f} KB)→ chem-guard-1-a 县级“茌平区”",
        f"已添加佐证文件:演练照片.png(PNG 图片,{png.stat().st_size} B)→ chem-guard-1-a 县级“茌平区”",
    ]
    # The same bytes again for the same record: stored once, and said so.
    again = cli("evidence", "add", "chem-guard-1-a", "--county", "茌平", str(pdf))
    assert again.exit_code == 0, again.output
    assert again.output == "无变化:会议纪要.pdf 已是 chem-guard-1-a 县级“茌平区” 的佐证文件(内容相同,只保存一份)\n"

    assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20").exit_code == 0
    r = cli("evidence", "add", "mine-req-2-b", "--county", "茌平", "--period", "2024年3月", str(jpg), str(txt),
            str(xlsx), str(doc))
    assert r.exit_code == 0, r.output
    assert "已添加佐证文件:检查表.xlsx(Excel 表格," in r.output and "周期 2024年3月" in r.output

    # Status import: the template's 佐证文件 column names files in a folder; the PNG again is cited, not copied.
    folder = tmp_path / "回收"
    folder.mkdir()
    (folder / "纪要2.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(500))
    (folder / "照片.png").write_bytes(png.read_bytes())
    sheet, filled = _template_with_files(cli, tmp_path, ["纪要2.pdf、照片.png", "照片.png"])
    r = cli("status", "import", str(sheet), "--evidence-dir", str(folder), "--by", "王五")
    assert r.exit_code == 0, r.output
    assert "已添加佐证文件:纪要2.pdf(PDF," in r.output and r.output.count("已添加佐证文件:照片.png") == 2

    listed = _listed(cli)
    assert len(listed) == 2 + 4 + 3
    originals = {**{p.name: p for p in files.values()}, "纪要2.pdf": folder / "纪要2.pdf", "照片.png": png}
    for f in listed:
        assert f["sha256"] == _sha(originals[f["name"]]) and f["size"] == originals[f["name"]].stat().st_size
        out = tmp_path / "取回" / f"{f['id']}-{f['name']}"
        out.parent.mkdir(exist_ok=True)
        r = cli("evidence", "show", str(f["id"]), "--to", str(out))
        assert r.exit_code == 0, r.output
        assert out.read_bytes() == originals[f["name"]].read_bytes()
    # The PNG is cited by three records and stored once.
    assert len(snapshot(db_url)["evidencecontent"]) == 7
    assert {e["action"] for e in json.loads(cli("log", "-n", "0", "-f", "json").output)} >= {"添加佐证", "完成"}
    assert [f["name"] for f in _listed(cli, "--id", "mine-req-2-b", "--period", "2024-03")] == [
        "现场.jpg", "说明.txt", "检查表.xlsx", "旧版.doc"]

    # A completion without a file, to be marked in the index.
    assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-04", "--on", "2024-04-20").exit_code == 0
    target = tmp_path / "茌平佐证.zip"
    r = cli("evidence", "bundle", "--county", "茌平", "--as-of", AS_OF, "--to", str(target))
    assert r.exit_code == 0, r.output
    assert r.output == f"已写出 {target}:完成记录 5 项,佐证文件 9 个({_mb(listed)}),无佐证文件的完成记录 1 项(索引中标红)\n"
    _check_bundle(target, listed, originals)

    assert cli("evidence", "verify").output == "校验了 7 个佐证文件内容,全部与记录的 SHA-256 相符\n"
    _alter_one_byte(session, _sha(txt))
    bad = cli("evidence", "verify")
    assert bad.exit_code == 1
    assert bad.output.startswith(f"不符:说明.txt:记录的 SHA-256 {_sha(txt)}")
    assert bad.output.endswith("错误:校验了 7 个佐证文件内容,1 个与记录不符(见上)\n")
    txt_id = next(f["id"] for f in listed if f["name"] == "说明.txt")
    refused = cli("evidence", "show", str(txt_id), "--to", str(tmp_path / "坏.txt"))
    assert refused.exit_code == 1 and not (tmp_path / "坏.txt").exists()
    failed = cli("evidence", "bundle", "--county", "茌平", "--to", str(tmp_path / "坏.zip"))
    assert failed.exit_code == 1 and "说明.txt" in failed.output and not (tmp_path / "坏.zip").exists()


def _mb(listed) -> str:
    from zhiben.reports.evidence import size_text

    return size_text(sum(f["size"] for f in listed))


def _alter_one_byte(session, sha: str) -> None:
    from sqlalchemy import text

    data = bytearray(session.execute(text("SELECT data FROM evidencecontent WHERE sha256 = :s"), {"s": sha}).scalar_one())
    data[5] ^= 0x01
    session.execute(text("UPDATE evidencecontent SET data = :d WHERE sha256 = :s"), {"d": bytes(data), "s": sha})
    session.commit()


def _check_bundle(target: Path, listed: list[dict], originals: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        assert {"索引.xlsx", "索引.html"} <= set(names)
        packed = [n for n in names if "/" in n]
        assert len(packed) == len(listed)
        by_sha = {}
        for n in packed:
            data = zf.read(n)
            by_sha.setdefault(hashlib.sha256(data).hexdigest(), []).append(n)
        for f in listed:
            assert f["sha256"] in by_sha, f["name"]
            assert any(n.endswith(f["name"]) for n in by_sha[f["sha256"]])
            assert by_sha[f["sha256"]] and zf.read(by_sha[f["sha256"]][0]) == originals[f["name"]].read_bytes()
        assert any(n.startswith("chem-guard-1-a ") and n.endswith("/茌平区_一次性_会议纪要.pdf") for n in packed)
        assert any(n.endswith("/茌平区_2024年3月_现场.jpg") for n in packed)
        ws = load_workbook(io.BytesIO(zf.read("索引.xlsx"))).active
        html = zf.read("索引.html").decode()
    top = next(r[0].row for r in ws.iter_rows() if r[0].value == "编号")  # below the title rows
    rows = list(ws.iter_rows(min_row=top + 1))
    header = [c.value for c in ws[top]]
    file_col, sha_col = header.index("文件(包内路径)"), header.index("SHA-256")
    assert {r[sha_col].value for r in rows if r[sha_col].value} == {f["sha256"] for f in listed}
    assert {r[file_col].value for r in rows if r[file_col].value != "无佐证文件"} == set(packed)
    missing = [r for r in rows if r[file_col].value == "无佐证文件"]
    assert len(missing) == 1 and missing[0][4].value == "2024年4月"
    assert missing[0][0].fill.fgColor.rgb.endswith("F4B6B6")
    assert html.count('<tr class="missing">') == 1 and all(f["sha256"] in html for f in listed)


def test_batch_done_attaches_one_stored_copy_to_each_enterprise(cli, tmp_path, session, db_url):
    for n in (1, 2):
        make_enterprise(session, f"茌平化工{n}有限公司", n)
    session.commit()
    pdf = _files(tmp_path)["会议纪要.pdf"]
    r = cli("done", "chem-10-b", "--all-in-county", "茌平", "--on", "2025-06-20", "--attach", str(pdf))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "佐证文件 1 个:添加到 2 条记录,新增引用 2 个(内容各只保存一份)"
    assert len(snapshot(db_url)["evidencecontent"]) == 1
    assert {f["subject"] for f in _listed(cli, "--county", "茌平")} == {"茌平化工1有限公司", "茌平化工2有限公司"}
    assert len(_listed(cli, "--enterprise", "茌平化工1有限公司")) == 1


BAD = {
    "missing": (lambda d: d / "没有.pdf", "文件不存在"),
    "folder": (lambda d: d, "是目录,不是文件"),
    "device": (lambda d: Path("/dev/zero"), "不是普通文件(设备、管道或套接字)"),
    "fifo": (lambda d: _fifo(d / "管道.pdf"), "不是普通文件(设备、管道或套接字)"),
    "empty": (lambda d: _write(d / "空.pdf", b""), "文件是空的"),
    "elf": (lambda d: _write(d / "报告.pdf", b"\x7fELF\x02\x01\x01" + bytes(100)), "是Linux 可执行程序(ELF),不接受"),
    "pe": (lambda d: _write(d / "照片.jpg", b"MZ\x90\x00" + bytes(100)), "是Windows 可执行程序(PE),不接受"),
    "script": (lambda d: _write(d / "说明.txt", b"#!/bin/sh\nrm -rf /\n"), "是脚本,不接受"),
    "bat": (lambda d: _write(d / "run.bat", b"echo hi\r\n"), "文件名后缀 .bat 属于程序或脚本,不接受"),
    "gbk": (lambda d: _write(d / "说明.txt", "整改说明".encode("gbk") + b"\xff"), "文本须为 UTF-8 编码"),
    "bomb": (lambda d: _zip(d / "炸弹.xlsx", {"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"<row/>" * 2_000_000}),
             "xl/worksheets/sheet1.xml 压缩比异常"),
    "big": (lambda d: _write(d / "大.pdf", b"%PDF-1.4\n" + bytes(40 * 1024)), "文件过大(40 KB,每个文件上限 32 KB)"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("case", list(BAD))
def test_a_refused_file_is_one_line_naming_it_and_nothing_is_stored(cli, tmp_path, db_url, case):
    make, why = BAD[case]
    folder = tmp_path / "输入"
    folder.mkdir()
    bad = make(folder)
    good = _files(tmp_path / "好")["会议纪要.pdf"]
    assert cli("config", "set", "evidence-file-limit", "32KB").exit_code == 0
    before = digest(db_url)
    r = cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--attach", str(good) if case != "big"
            else str(bad), "--attach", str(bad))
    assert r.exit_code == 2, r.output
    lines = r.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误:佐证文件 {bad}:") and why in lines[0], r.output
    assert digest(db_url) == before  # not even the completion


def test_attaching_to_a_record_not_done_says_so(cli, tmp_path, db_url):
    pdf = _files(tmp_path)["会议纪要.pdf"]
    before = digest(db_url)
    r = cli("evidence", "add", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", str(pdf))
    assert r.exit_code == 2
    assert r.output == "错误:mine-req-2-b 县级“茌平区” 该周期尚未标记完成,不能添加佐证文件;请先用 zhiben done 记录完成\n"
    assert digest(db_url) == before


def test_remove_is_logged_and_drops_content_only_when_nothing_cites_it(cli, tmp_path, db_url):
    pdf = _files(tmp_path)["会议纪要.pdf"]
    for period in ("2024-03", "2024-04"):
        assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", period, "--on", "2024-05-01",
                   "--attach", str(pdf)).exit_code == 0
    first, second = _listed(cli)
    assert cli("evidence", "remove", str(first["id"])).exit_code == 2  # --reason is required
    r = cli("evidence", "remove", str(first["id"]), "--reason", "传错了", "--by", "李明")
    assert r.output == (f"已删除佐证文件 会议纪要.pdf(编号 {first['id']})← mine-req-2-b 县级“茌平区” 周期 2024年3月;"
                        "其他记录仍引用相同内容,内容保留\n")
    assert len(snapshot(db_url)["evidencecontent"]) == 1
    r = cli("evidence", "remove", str(second["id"]), "--reason", "传错了")
    assert r.output.endswith(";文件内容已删除\n")
    assert snapshot(db_url)["evidencecontent"] == [] and _listed(cli) == []
    log = json.loads(cli("log", "-n", "0", "-f", "json").output)
    removed = [e for e in log if e["action"] == "删除佐证"]
    assert len(removed) == 2 and removed[-1]["by"] == "李明"
    assert removed[-1]["evidence"].endswith(":传错了") and "会议纪要.pdf" in removed[-1]["evidence"]
    assert cli("evidence", "remove", "999", "--reason", "x").output == \
        "错误:没有编号为 999 的佐证文件(用 zhiben evidence list 查看编号)\n"


def test_reopen_keeps_files_for_the_corrected_record(cli, tmp_path):
    pdf = _files(tmp_path)["会议纪要.pdf"]
    args = ("mine-req-2-b", "--county", "茌平", "--period", "2024-03")
    assert cli("done", *args, "--on", "2024-05-01", "--attach", str(pdf)).exit_code == 0
    assert cli("reopen", *args, "--reason", "更正日期").exit_code == 0
    assert [f["done_on"] for f in _listed(cli)] == [None]
    assert cli("done", *args, "--on", "2024-03-28").exit_code == 0
    assert [f["done_on"] for f in _listed(cli)] == ["2024-03-28"]


def test_status_import_names_a_missing_file_per_row_and_imports_nothing(cli, tmp_path, db_url):
    folder = tmp_path / "回收"
    folder.mkdir()
    (folder / "有.pdf").write_bytes(b"%PDF-1.4\nx")
    sheet, filled = _template_with_files(cli, tmp_path, ["有.pdf", "没有.pdf", "../有.pdf"])
    before = digest(db_url)
    r = cli("status", "import", str(sheet), "--evidence-dir", str(folder))
    assert r.exit_code == 3, r.output
    lines = r.output.splitlines()
    assert lines[0] == f"错误:{sheet.name} 工作表“茌平区填报”:有 2 处问题,未导入任何记录"
    assert "(佐证文件):回收 中没有文件“没有.pdf”" in lines[1]
    assert "(佐证文件):文件名“../有.pdf”指向 回收 以外的位置" in lines[2]
    assert digest(db_url) == before
    no_dir = cli("status", "import", str(sheet))
    assert no_dir.exit_code == 3 and "导入时须用 --evidence-dir" in no_dir.output


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_status_import_reads_a_zip_and_refuses_one_that_escapes_or_unpacks_too_much(cli, tmp_path, db_url, monkeypatch):
    pdf = b"%PDF-1.4\n" + os.urandom(800)
    sheet, filled = _template_with_files(cli, tmp_path, ["纪要.pdf"])
    # Zipping a folder wraps the files in it: the sheet names them without that folder.
    good = _zip(tmp_path / "回收.zip", {"茌平佐证/纪要.pdf": pdf})
    before = digest(db_url)
    escape = _zip(tmp_path / "坏.zip", {"纪要.pdf": pdf, "../../etc/cron.d/x": b"x"})
    r = cli("status", "import", str(sheet), "--evidence-dir", str(escape))
    assert r.exit_code == 2 and r.output == \
        f"错误:{escape}:ZIP 中的文件名“../../etc/cron.d/x”指向压缩包以外的位置,未导入\n"
    from zhiben.tracking import evidence

    monkeypatch.setattr(evidence, "ZIP_BUDGET", 4096)
    bomb = _zip(tmp_path / "炸弹.zip", {"纪要.pdf": pdf, "填充.txt": b"a" * 1_000_000})
    r = cli("status", "import", str(sheet), "--evidence-dir", str(bomb))
    assert r.exit_code == 2 and r.output == f"错误:{bomb}:ZIP 解压后共 977 KB,超出预算 4 KB,未导入\n"
    assert digest(db_url) == before
    monkeypatch.undo()

    r = cli("status", "import", str(sheet), "--evidence-dir", str(good))
    assert r.exit_code == 0, r.output
    [f] = _listed(cli)
    assert f["name"] == "纪要.pdf" and f["sha256"] == hashlib.sha256(pdf).hexdigest() and f["source"] == sheet.name


@pytest.mark.sqlite_only("backup/restore copy SQLite files; PostgreSQL: test_pg_dump_and_restore_keep_files")
def test_backup_and_restore_keep_the_files(cli, tmp_path):
    files = _files(tmp_path / "材料")
    args = ["done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20"]
    for p in files.values():
        args += ["--attach", str(p)]
    assert cli(*args).exit_code == 0
    backup = tmp_path / "备份.db"
    assert cli("backup", str(backup)).exit_code == 0
    for f in _listed(cli):
        assert cli("evidence", "remove", str(f["id"]), "--reason", "测试").exit_code == 0
    assert _listed(cli) == []
    assert cli("restore", str(backup)).exit_code == 0
    _all_back(cli, tmp_path, files)


def _all_back(cli, tmp_path: Path, files: dict[str, Path]) -> None:
    listed = _listed(cli)
    assert sorted(f["name"] for f in listed) == sorted(files)
    for f in listed:
        out = tmp_path / f"回来-{f['id']}"
        assert cli("evidence", "show", str(f["id"]), "--to", str(out)).exit_code == 0
        assert out.read_bytes() == files[f["name"]].read_bytes()
    assert cli("evidence", "verify").exit_code == 0


@pytest.mark.slow
def test_pg_dump_and_restore_keep_files(cli, tmp_path, backend, db_url):
    """PostgreSQL's own tools (docs/postgres.md) carry the evidence table like any other."""
    import subprocess

    from sqlalchemy.engine import make_url

    from runner import ZhibenRunner
    from zhiben.cli import app

    if backend != "postgresql":
        pytest.skip("PostgreSQL only (SQLite: test_backup_and_restore_keep_the_files)")
    files = _files(tmp_path / "材料")
    args = ["done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20"]
    for p in files.values():
        args += ["--attach", str(p)]
    assert cli(*args).exit_code == 0
    url = make_url(db_url)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    conn = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    dump = tmp_path / "zhiben.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), *conn, url.database], check=True, env=env)
    copy = f"{url.database}_restored"
    subprocess.run(["createdb", *conn, copy], check=True, env=env)
    try:
        subprocess.run(["pg_restore", "-d", copy, *conn, str(dump)], check=True, env=env)
        restored = url.set(database=copy).render_as_string(hide_password=False)
        runner = ZhibenRunner()
        _all_back(lambda *a: runner.invoke(app, ["--db", restored, *a]), tmp_path, files)
    finally:
        subprocess.run(["dropdb", "--force", *conn, copy], check=True, env=env)


def test_counts_beside_completions_in_log_enterprise_page_progress_and_report(cli, tmp_path, session):
    ent = make_enterprise(session, "茌平佐证化工有限公司", 7)
    session.commit()
    files = _files(tmp_path)
    assert cli("done", "chem-10-b", "--enterprise", ent.credit_code, "--on", "2025-06-20",
               "--attach", str(files["会议纪要.pdf"]), "--attach", str(files["现场.jpg"])).exit_code == 0
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20").exit_code == 0

    log = json.loads(cli("log", "-f", "json").output)
    assert [(e["action"], e["milestone_id"], e["files"]) for e in log if e["action"] == "完成"] == [
        ("完成", "chem-guard-1-a", 0), ("完成", "chem-10-b", 2)]
    page = cli("enterprise", "show", ent.credit_code, "--as-of", AS_OF).output
    line = next(row for row in page.splitlines() if row.startswith("chem-10-b"))
    assert line.split()[-2:] == ["2025-06-20", "2"]

    rows = json.loads(cli("progress", "--evidence", "--as-of", AS_OF, "-f", "json").output)
    by = {r["label"]: r for r in rows}
    assert (by["茌平区"]["evidence_share"], by["茌平区"]["with_evidence"]) == (0.5, 1)
    assert by["冠县"]["evidence_share"] is None
    table = cli("progress", "--evidence", "--as-of", AS_OF, "-f", "plain").output
    assert "有佐证" in table and "50.0%" in table
    assert cli("progress", "--evidence", "--by", "plan").exit_code == 2

    report = tmp_path / "报告.html"
    assert cli("report", "--as-of", AS_OF, "--to", str(report)).exit_code == 0
    html = report.read_text(encoding="utf-8")
    section = html[html.index("<h2>佐证文件</h2>"):html.index("<h2>量化目标</h2>")]
    assert '<td class="key nw" data-label="县(市、区)">茌平区</td>' in section
    assert ">2</td>" in section and ">50.0%</td>" in section and ">1.0</td>" in section


def test_the_database_total_limit_names_the_file_that_would_pass_it(cli, tmp_path, db_url):
    files = _files(tmp_path)
    assert cli("config", "set", "evidence-total-limit", "4KB").output.startswith("数据库中佐证文件的总量上限:4 KB")
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20").exit_code == 0
    before = digest(db_url)
    r = cli("evidence", "add", "chem-guard-1-a", "--county", "茌平", str(files["现场.jpg"]), str(files["会议纪要.pdf"]))
    assert (r.exit_code, r.output) == (2, f"错误:佐证文件 {files['会议纪要.pdf']}:数据库中的佐证文件将超过总量上限(4 KB);"
                                          "可用 zhiben config set evidence-total-limit 调整\n")
    assert digest(db_url) == before  # the JPEG that fitted is not kept either
    assert cli("config", "unset", "evidence-total-limit").output.startswith("数据库中佐证文件的总量上限:2048 MB  [默认]")
    assert cli("evidence", "add", "chem-guard-1-a", "--county", "茌平", str(files["会议纪要.pdf"])).exit_code == 0


def test_bundle_by_plan_leaves_other_plans_out(cli, tmp_path):
    files = _files(tmp_path)
    assert cli("done", "chem-guard-1-a", "--county", "茌平", "--on", "2025-06-20", "--attach", str(files["会议纪要.pdf"])).exit_code == 0
    assert cli("done", "mine-req-2-b", "--county", "茌平", "--period", "2024-03", "--on", "2024-03-20",
               "--attach", str(files["现场.jpg"])).exit_code == 0
    target = tmp_path / "化工.zip"
    r = cli("evidence", "bundle", "--county", "茌平", "--plan", "chem", "--to", str(target))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(target) as zf:
        assert [n for n in zf.namelist() if "/" in n] == [next(n for n in zf.namelist() if n.endswith("会议纪要.pdf"))]
    assert cli("evidence", "bundle", "--county", "茌平", "--to", str(target)).output == \
        f"错误:文件已存在:{target};如需覆盖请加 --force\n"
