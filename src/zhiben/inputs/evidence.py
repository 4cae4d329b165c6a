"""Evidence files as users give them: checked, hashed and named before anything is stored.

A file is examined in one streamed pass (regular file first, then at most `max_bytes` read in
chunks: SHA-256, type by content) and read again only when it is stored, its hash checked once
more, so memory holds one file at a time whatever the number of files. Devices, pipes and folders
are refused by `stat` before they are opened: reading /dev/zero never ends.

A folder of evidence for status import is a directory or a ZIP; a ZIP is checked whole when
opened (names that climb out of it, too many entries, more declared bytes than the budget) and a
member is unpacked, to a private temporary folder, only when a row names it, counting real bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from zhiben.errors import InputError, os_reason
from zhiben.inputs import filetypes
from zhiben.inputs.files import shown
from zhiben.inputs.limits import megabytes

CHUNK = 1024 * 1024
MAX_NAME = 120  # characters kept of a file name (the bundle adds subject and period to it)
MAX_ZIP_ENTRIES = 10_000
# Windows cannot store these in a name, and the bundle is unpacked on Windows.
_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_BIDI = {"\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


@dataclass(frozen=True)
class Candidate:
    """A checked file, ready to store."""

    path: Path  # where to read it (for a ZIP member: the unpacked copy)
    shown: str  # how messages name it (the user's path, or ZIP:member)
    name: str  # the cleaned original name that is stored
    size: int
    sha256: str
    mime: str


def clean_name(raw: str) -> str:
    """The last path part without control or direction characters; kept short, its suffix kept."""
    base = re.split(r"[/\\]", raw)[-1]
    text = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in _BIDI)
    text = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", text)).strip().strip(".").strip()
    if len(text) > MAX_NAME:
        stem, suffix = os.path.splitext(text)
        suffix = suffix if len(suffix) <= 10 else ""
        text = stem[: MAX_NAME - len(suffix)] + suffix
    return text


def _refuse(where: str, why: str) -> InputError:
    return InputError(f"佐证文件 {where}:{why}")


def _regular(path: Path, where: str) -> os.stat_result:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _refuse(where, "文件不存在") from None
    except OSError as exc:
        raise _refuse(where, f"无法读取({os_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(where, "是目录,不是文件")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(where, "不是普通文件(设备、管道或套接字)")
    return st


@contextmanager
def _open(path: Path, where: str) -> Iterator[BinaryIO]:
    """Open for reading without blocking on a pipe swapped in after the stat, and stat it again."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _refuse(where, f"无法读取({os_reason(exc)})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise _refuse(where, "不是普通文件(设备、管道或套接字)")
        yield fh


def _chunks(fh: BinaryIO, budget: int, where: str, limit_text: str) -> Iterator[bytes]:
    """The file's bytes in chunks; more than `budget` bytes is refused (a file that grew)."""
    seen = 0
    while chunk := fh.read(CHUNK):
        seen += len(chunk)
        if seen > budget:
            raise _refuse(where, limit_text)
        yield chunk


def examine(path: str | Path, *, max_bytes: int, shown_as: str | None = None, name: str | None = None) -> Candidate:
    """Check one file (regular, not empty, within `max_bytes`, an accepted type) and hash it."""
    path = Path(path)
    where = shown_as or shown(path)
    name = clean_name(name if name is not None else path.name)
    try:
        filetypes.refuse_name(name)
    except filetypes.Refused as why:
        raise _refuse(where, str(why)) from None
    st = _regular(path, where)
    too_big = f"文件过大({megabytes(max(st.st_size, max_bytes + 1))},每个文件上限 {megabytes(max_bytes)})"
    if st.st_size > max_bytes:
        raise _refuse(where, too_big)
    if st.st_size == 0:
        raise _refuse(where, "文件是空的")
    digest, text, size, kind = hashlib.sha256(), filetypes.TextCheck(), 0, None
    try:
        with _open(path, where) as fh:
            for chunk in _chunks(fh, max_bytes, where, too_big):
                if size == 0:
                    kind = filetypes.sniff(chunk[: filetypes.HEAD])
                digest.update(chunk)
                if kind is None:
                    text.feed(chunk)
                size += len(chunk)
        text.feed(b"", final=True)
        mime = filetypes.resolve(kind, path, name, text)
    except filetypes.Refused as why:
        raise _refuse(where, str(why)) from None
    except OSError as exc:
        raise _refuse(where, f"读取失败({os_reason(exc)})") from None
    if size == 0:
        raise _refuse(where, "文件是空的")
    if not name:
        name = "未命名" + filetypes.EXTENSIONS.get(mime, "")
    return Candidate(path, where, name, size, digest.hexdigest(), mime)


def read_checked(c: Candidate) -> bytes:
    """The bytes of a file examined earlier, refused if it changed since."""
    parts = []
    digest = hashlib.sha256()
    _regular(c.path, c.shown)
    try:
        with _open(c.path, c.shown) as fh:
            for chunk in _chunks(fh, c.size, c.shown, "读取期间文件被修改"):
                digest.update(chunk)
                parts.append(chunk)
    except OSError as exc:
        raise _refuse(c.shown, f"读取失败({os_reason(exc)})") from None
    if digest.hexdigest() != c.sha256:
        raise _refuse(c.shown, "读取期间文件被修改")
    return b"".join(parts)


# --- a folder of evidence: a directory or a ZIP ---------------------------------------------------

def _safe_parts(name: str) -> list[str] | None:
    """The parts of a relative name, or None when it is absolute or climbs out (.., C:, \\\\server)."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or not parts:
        return None
    return parts


class Folder:
    """Files named by a status sheet's 佐证文件 cells, looked up in a directory or a ZIP."""

    def __init__(self, source: Path, root: Path, members: dict[str, zipfile.ZipInfo] | None,
                 zf: zipfile.ZipFile | None, max_bytes: int, budget: int) -> None:
        self.source, self.root, self.members, self.zf = source, root, members, zf
        self.max_bytes, self.budget, self.unpacked, self.count = max_bytes, budget, 0, 0

    def find(self, name: str) -> Candidate:
        """The checked file `name` names; InputError (one line) when it is missing or refused."""
        parts = _safe_parts(name)
        if parts is None:
            raise InputError(f"文件名“{name}”指向 {self.source.name} 以外的位置")
        rel = "/".join(parts)
        if self.members is None:
            path = self.root.joinpath(*parts)
            if not path.exists() and not path.is_symlink():
                raise InputError(f"{self.source.name} 中没有文件“{rel}”")
            return examine(path, max_bytes=self.max_bytes, shown_as=f"{self.source.name}/{rel}", name=parts[-1])
        info = self.members.get(rel)
        if info is None:
            raise InputError(f"{self.source.name} 中没有文件“{rel}”")
        return examine(self._unpack(rel, info), max_bytes=self.max_bytes, shown_as=f"{self.source.name}:{rel}",
                       name=parts[-1])

    def _unpack(self, rel: str, info: zipfile.ZipInfo) -> Path:
        self.count += 1
        target = self.root / f"{self.count}.bin"
        where = f"{self.source.name}:{rel}"
        if info.file_size > self.max_bytes:
            raise _refuse(where, f"文件过大({megabytes(info.file_size)},每个文件上限 {megabytes(self.max_bytes)})")
        assert self.zf is not None
        try:
            with self.zf.open(info) as src, open(target, "wb") as out:
                written = 0
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    self.unpacked += len(chunk)
                    # Declared sizes can lie: count what actually comes out.
                    if written > info.file_size or self.unpacked > self.budget:
                        raise _refuse(where, f"解压后超出预算({megabytes(self.budget)}),疑似压缩炸弹")
                    out.write(chunk)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise _refuse(where, f"无法解压({type(exc).__name__})") from None
        except OSError as exc:
            raise _refuse(where, f"无法解压({os_reason(exc)})") from None
        return target


@contextmanager
def folder(path: str | Path, *, max_bytes: int, budget: int) -> Iterator[Folder]:
    """A directory, or a ZIP checked whole before any member is read (names, entries, sizes)."""
    path = Path(path)
    where = shown(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"佐证文件夹不存在:{where}") from None
    except OSError as exc:
        raise InputError(f"无法读取佐证文件夹 {where}:{os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        yield Folder(path, path, None, None, max_bytes, budget)
        return
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{where} 不是文件夹或 ZIP 文件(设备、管道或套接字)")
    with _open(path, where) as fh:
        head = fh.read(4)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise InputError(f"{where} 不是文件夹,也不是 ZIP 文件")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(f"{where}:ZIP 文件已损坏,无法打开") from None
    with zf, tempfile.TemporaryDirectory(prefix="zhiben-evidence-") as tmp:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise InputError(f"{where}:ZIP 中文件过多({len(infos)} 个,上限 {MAX_ZIP_ENTRIES})")
        declared = 0
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            parts = _safe_parts(info.filename)
            if parts is None:
                raise InputError(f"{where}:ZIP 中的文件名“{shown(info.filename, 60)}”指向压缩包以外的位置,未导入")
            if info.is_dir():
                continue
            declared += info.file_size
            members["/".join(parts)] = info
        if declared > budget:
            raise InputError(f"{where}:ZIP 解压后共 {megabytes(declared)},超出预算 {megabytes(budget)},未导入")
        # A ZIP made by zipping a folder wraps everything in it: names in the sheet omit that folder.
        tops = {PurePosixPath(n).parts[0] for n in members}
        if len(tops) == 1 and all("/" in n for n in members):
            top = tops.pop() + "/"
            members = {n[len(top):]: i for n, i in members.items()}
        yield Folder(path, Path(tmp), members, zf, max_bytes, budget)
        shutil.rmtree(tmp, ignore_errors=True)
