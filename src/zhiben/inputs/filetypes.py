"""What an evidence file is, told by its content (magic bytes), never by its name.

The evidence a county keeps is minutes and plans (PDF, Office), photos (PNG/JPEG/GIF/WebP), notes
(UTF-8 text) and archives of them (ZIP). Anything that runs (ELF, PE, Mach-O, a script) is refused
whatever it is called, and so is a name ending like a program: the bundle is opened on office
computers with a double click.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from zhiben.inputs.limits import MAX_UNPACKED_BYTES, is_bomb, megabytes

HEAD = 8192  # bytes looked at for the signature

ALLOWED = "PDF、图片(PNG/JPEG/GIF/WebP)、Office 文档、UTF-8 文本和 ZIP"
EXECUTABLE_SUFFIXES = {
    ".exe", ".dll", ".com", ".scr", ".msi", ".msp", ".cpl", ".sys", ".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".vbe",
    ".js", ".jse", ".wsf", ".wsh", ".hta", ".lnk", ".reg", ".sh", ".bash", ".zsh", ".csh", ".py", ".pyw", ".pl",
    ".rb", ".php", ".jar", ".app", ".command", ".elf", ".bin", ".so", ".dylib", ".apk",
}
_EXECUTABLE_MAGIC = {
    b"\x7fELF": "Linux 可执行程序(ELF)",
    b"MZ": "Windows 可执行程序(PE)",
    b"\xfe\xed\xfa\xce": "macOS 可执行程序(Mach-O)",
    b"\xfe\xed\xfa\xcf": "macOS 可执行程序(Mach-O)",
    b"\xce\xfa\xed\xfe": "macOS 可执行程序(Mach-O)",
    b"\xcf\xfa\xed\xfe": "macOS 可执行程序(Mach-O)",
    b"\xca\xfe\xba\xbe": "macOS 通用程序或 Java 类文件",
    b"#!": "脚本",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
              ".ppt": "application/vnd.ms-powerpoint", ".wps": "application/vnd.ms-works"}
_OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
# Mime type → the word people know, for listings and the bundle's index.
LABELS = {
    "application/pdf": "PDF", "image/png": "PNG 图片", "image/jpeg": "JPEG 图片", "image/gif": "GIF 图片",
    "image/webp": "WebP 图片", "text/plain": "文本", "application/zip": "ZIP",
    "application/x-ole-storage": "Office 文档(97-2003)", **{t: "Office 文档(97-2003)" for t in _OLE_TYPES.values()},
    _OOXML["word/"]: "Word 文档", _OOXML["xl/"]: "Excel 表格", _OOXML["ppt/"]: "PowerPoint 演示文稿",
}


class Refused(Exception):
    """Why a file is not accepted (Chinese, without the file name: the caller adds it)."""


def refuse_name(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix in EXECUTABLE_SUFFIXES:
        raise Refused(f"文件名后缀 {suffix} 属于程序或脚本,不接受(可接受:{ALLOWED})")


def sniff(head: bytes) -> str | None:
    """The mime type of a non-text signature in `head`, "zip" or "ole" for containers to look into,
    None when it may be text; Refused for programs and unknown binaries."""
    for magic, what in _EXECUTABLE_MAGIC.items():
        if head.startswith(magic):
            raise Refused(f"是{what},不接受(可接受:{ALLOWED})")
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    return None


class TextCheck:
    """Feeds a file through an incremental UTF-8 decoder: text is UTF-8 without NUL bytes."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        if b"\x00" in chunk:
            self.ok = False
            return
        try:
            self.decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.ok = False


def resolve(kind: str | None, path: Path, name: str, text: TextCheck) -> str:
    """The final mime type once the whole file has been read (containers are opened by path)."""
    if kind == "zip":
        return _zip_type(path)
    if kind == "ole":
        return _OLE_TYPES.get(Path(name).suffix.lower(), "application/x-ole-storage")
    if kind is not None:
        return kind
    if text.ok:
        return "text/plain"
    raise Refused(f"不是可接受的文件类型(按内容识别;可接受:{ALLOWED};文本须为 UTF-8 编码)")


def _zip_type(path: Path) -> str:
    """OOXML documents are ZIPs with a known part layout; anything else stays a ZIP. Only the
    directory is read (nothing is unpacked); a ZIP that would unpack into a bomb is refused, since
    the inspector who opens the bundle would unpack it."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused("看起来是 ZIP 或 Office 文档,但已损坏,无法打开") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise Refused(f"ZIP 或 Office 文档解压后有 {megabytes(total)}(上限 {megabytes(MAX_UNPACKED_BYTES)}),疑似压缩炸弹")
    for i in infos:
        if is_bomb(i.file_size, i.compress_size):
            raise Refused(f"ZIP 或 Office 文档中的 {i.filename[:60]} 压缩比异常"
                          f"({megabytes(i.compress_size)} 解压为 {megabytes(i.file_size)}),疑似压缩炸弹")
    names = [i.filename for i in infos]
    if "[Content_Types].xml" in names:
        for prefix, mime in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return mime
    return "application/zip"


def label(mime: str) -> str:
    return LABELS.get(mime, mime)


EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
              "image/webp": ".webp", "text/plain": ".txt", "application/zip": ".zip",
              _OOXML["word/"]: ".docx", _OOXML["xl/"]: ".xlsx", _OOXML["ppt/"]: ".pptx",
              "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
              "application/vnd.ms-powerpoint": ".ppt", "application/x-ole-storage": ".doc"}
