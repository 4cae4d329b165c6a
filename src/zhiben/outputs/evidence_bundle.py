"""The inspection bundle: one ZIP with a folder per milestone, the files named by subject and
period, and an index (索引.xlsx, 索引.html) of every completion in scope, its files and their
SHA-256, the completions without a file in red.

Streamed: each file's bytes go from the database into the ZIP chunk by chunk (db/blobs.py via
the `chunks` callable), hashed on the way; a file whose bytes no longer match its SHA-256 stops
the bundle, since an inspection copy must be exactly what was recorded. Written to a temporary
file and renamed (inputs.files.replacing): an interrupted bundle leaves nothing under the name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TextIO

from zhiben.errors import ZhibenError
from zhiben.inputs.evidence import clean_name
from zhiben.inputs.files import replacing
from zhiben.outputs import progress, xlsx
from zhiben.reports.evidence import Completed, size_text

# Already compressed: storing them again deflated only costs time.
_STORED = ("application/pdf", "image/", "application/zip", "application/vnd.openxmlformats")
NO_FILE = "无佐证文件"
# Ids, codes, periods, dates and sizes are never broken across lines.
NO_WRAP = {"milestone_id", "credit_code", "period_label", "done_on", "size"}
INDEX_COLUMNS = [("milestone_id", "编号"), ("title", "事项"), ("subject", "责任主体"), ("credit_code", "统一社会信用代码"),
                 ("period_label", "周期"), ("done_on", "完成日期"), ("evidence", "佐证(文字)"), ("file", "文件(包内路径)"),
                 ("size", "大小"), ("sha256", "SHA-256")]


class Altered(ZhibenError):
    """Stored bytes no longer match their SHA-256 (exit 1, like evidence verify)."""


@dataclass
class Bundled:
    completions: int
    files: int
    without: int
    bytes: int


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n]


def _unique(path: str, used: set[str]) -> str:
    stem, suffix = os.path.splitext(path)
    candidate, n = path, 2
    while candidate.lower() in used:
        candidate, n = f"{stem}({n}){suffix}", n + 1
    used.add(candidate.lower())
    return candidate


def _paths(scope: list[Completed]) -> dict[int, str]:
    """Each file's path in the ZIP: 编号 事项/责任主体_周期_文件名 (short enough for Windows)."""
    used: set[str] = set()
    out = {}
    for done in scope:
        folder = clean_name(f"{done.milestone_id} {_cut(done.title, 24)}")
        for f in done.files:
            name = clean_name(f"{_cut(done.subject, 40)}_{done.period_label}_{f['name']}")
            out[f["id"]] = _unique(f"{folder}/{name}", used)
    return out


def _index_records(scope: list[Completed], paths: dict[int, str]) -> Iterable[dict]:
    for done in scope:
        base = {"milestone_id": done.milestone_id, "title": done.title, "subject": done.subject,
                "credit_code": done.credit_code, "period_label": done.period_label, "done_on": done.done_on,
                "evidence": done.evidence or ""}
        if not done.files:
            yield {**base, "file": NO_FILE, "size": "", "sha256": "", "missing": True}
        for f in done.files:
            yield {**base, "file": paths[f["id"]], "size": size_text(f["size"]), "sha256": f["sha256"], "missing": False}


CSS = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:16px;font-size:13px;color:#1f2933}"
       "table{border-collapse:collapse;width:100%}th,td{border:1px solid #cbd2d9;padding:3px 6px;text-align:left;"
       "vertical-align:top}th{background:#d9e2ec}thead{display:table-header-group}tr{page-break-inside:avoid}"
       "tr.missing td{background:#f8d7d3;color:#9b1c1c;font-weight:600}td.hash{font-family:monospace;font-size:11px;"
       "word-break:break-all}.nw{white-space:nowrap}@page{size:A4 landscape;margin:12mm}")


def _html(title: str, heading: str, records: Iterable[dict], out: TextIO) -> None:
    out.write("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
              f"<title>{escape(title)}</title><style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
              f"<p>{escape(heading)}</p><table><thead><tr>"
              + "".join(f"<th class=\"nw\">{escape(lab)}</th>" for _, lab in INDEX_COLUMNS) + "</tr></thead><tbody>")
    for rec in records:
        cells = []
        for key, _ in INDEX_COLUMNS:
            value = rec.get(key)
            cls = ' class="hash"' if key == "sha256" else ' class="nw"' if key in NO_WRAP else ""
            cells.append(f"<td{cls}>{escape('' if value is None else str(value))}</td>")
        row_class = ' class="missing"' if rec["missing"] else ""
        out.write(f"<tr{row_class}>{''.join(cells)}</tr>\n")
    out.write("</tbody></table></body></html>\n")


def write(target: Path, scope: list[Completed], *, chunks: Callable[[str], Iterable[bytes]], scope_name: str,
          as_of: dt.date) -> Bundled:
    paths = _paths(scope)
    book = xlsx.Book(report="佐证材料索引", scope=scope_name, as_of=as_of, remark="红色行:已记录完成但没有佐证文件")
    title = book.title
    total_files = sum(len(d.files) for d in scope)
    written = 0
    with replacing(target) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        with progress.Bar("打包佐证文件", total_files, unit="个") as bar:
            for done in scope:
                for f in done.files:
                    written += _copy(zf, paths[f["id"]], f, chunks, done)
                    bar.advance()
        with tempfile.TemporaryDirectory(prefix="zhiben-bundle-") as folder:
            index = Path(folder) / "索引.xlsx"
            sheet = xlsx.Sheet("佐证材料索引", _index_records(scope, paths), INDEX_COLUMNS,
                               highlight=lambda r: "severe" if r["missing"] else None, heading=book.heading(),
                               date_keys=("done_on",), wrap={"title": 16, "subject": 14, "evidence": 16, "file": 28, "sha256": 33})
            xlsx.write(index, [sheet], book, progress_label="写入索引")
            zf.write(index, "索引.xlsx", compress_type=zipfile.ZIP_DEFLATED)
        page = zipfile.ZipInfo("索引.html", date_time=_now())
        page.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(page, "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            _html(title, "  |  ".join(book.heading()), _index_records(scope, paths), text)
            text.flush()
            text.detach()
    without = sum(1 for d in scope if not d.files)
    return Bundled(len(scope), total_files, without, written)


def _now() -> tuple[int, int, int, int, int, int]:
    t = dt.datetime.now()
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


def _copy(zf: zipfile.ZipFile, path: str, f: dict, chunks: Callable[[str], Iterable[bytes]], done: Completed) -> int:
    info = zipfile.ZipInfo(path, date_time=_now())
    info.compress_type = zipfile.ZIP_STORED if f["mime"].startswith(_STORED) else zipfile.ZIP_DEFLATED
    info.file_size = f["size"]  # lets zipfile choose ZIP64 for a large file up front
    digest, n = hashlib.sha256(), 0
    with zf.open(info, "w") as out:
        for piece in chunks(f["sha256"]):
            digest.update(piece)
            n += len(piece)
            out.write(piece)
    if digest.hexdigest() != f["sha256"] or n != f["size"]:
        raise Altered(f"佐证文件 {f['name']}(编号 {f['id']},{done.milestone_id} {done.subject})的内容与记录的 SHA-256 不符,"
                      "数据库中的文件已被改动;请运行 zhiben evidence verify 查看,未生成打包文件")
    return n

