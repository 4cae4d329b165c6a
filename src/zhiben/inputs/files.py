"""Users' files: reading one with a Chinese line for each way it can fail (missing, a folder,
unreadable), and checking a file to be written before any work is done."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from zhiben.errors import ImportFileError, InputError, ZhibenError, os_reason
from zhiben.inputs import limits


def check_suffix(path: str | Path, suffixes: Iterable[str], *, what: str = "文件",
                 error: type[ZhibenError] = ImportFileError) -> None:
    """Refuse a file by its name before opening it (a device or a wrong file never gets read)."""
    suffix = Path(path).suffix.lower()
    allowed = tuple(suffixes)
    if suffix not in allowed:
        named = "、".join(s or "无扩展名" for s in allowed)
        raise error(f"{shown(path)}: 不支持的{what}类型“{suffix or '无扩展名'}”,请使用 {named}")


def read_bytes(path: str | Path, *, what: str = "文件", error: type[ZhibenError] = ImportFileError,
               limit: int = -1, budget: int | None = None, suffixes: Iterable[str] | None = None,
               kind: str | None = None) -> bytes:
    """The file's bytes (only the first `limit` when given, e.g. to check a header).

    Only a regular file is read (a device, pipe or socket, or a link to one, has no end or blocks);
    its name is checked against `suffixes` first, and at most `budget` bytes are ever read
    (limits.MAX_FILE_BYTES by default): a whole file beyond it is refused before reading, the
    message saying it is far beyond any `kind` of file (default: `what`).
    """
    if suffixes is not None:
        check_suffix(path, suffixes, what=what, error=error)
    budget = limits.MAX_FILE_BYTES if budget is None else budget
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        _check_regular(path, st, what, error)
        # O_NONBLOCK: a FIFO swapped in after the stat must not hang the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fd)
            _check_regular(path, st, what, error)
            if limit >= 0:
                return fh.read(limit)
            if st.st_size > budget:
                raise _too_big(path, st.st_size, budget, kind or what, error)
            # read(n) reserves n bytes up front: ask for what the file holds, more only if it grew.
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:
                data += fh.read(budget + 1 - len(data))
            if len(data) > budget:
                raise _too_big(path, len(data), budget, kind or what, error)
            return data
    except FileNotFoundError:
        raise error(f"找不到{what}:{shown(path)}") from None
    except IsADirectoryError:
        raise error(f"{shown(path)} 是目录,不是{what}") from None
    except OSError as exc:
        raise error(f"无法读取{what} {shown(path)}:{os_reason(exc)}") from None


def read_text(path: str | Path, *, what: str = "文件", error: type[ZhibenError] = ImportFileError,
              budget: int | None = None, suffixes: Iterable[str] | None = None) -> str:
    """A UTF-8 text file (a BOM is dropped) read as read_bytes does; a GB18030 one as a fallback."""
    data = read_bytes(path, what=what, error=error, budget=budget, suffixes=suffixes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise error(f"{shown(path)}: 不是 UTF-8 或 GB18030 编码的文本文件") from None


def _check_regular(path: str | Path, st: os.stat_result, what: str, error: type[ZhibenError]) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = ("字符设备" if stat.S_ISCHR(st.st_mode) else "块设备" if stat.S_ISBLK(st.st_mode)
                else "管道" if stat.S_ISFIFO(st.st_mode) else "套接字" if stat.S_ISSOCK(st.st_mode) else "特殊文件")
        raise error(f"{shown(path)} 是{kind},不是普通文件;请给出{what}的路径")


def _too_big(path: str | Path, size: int, budget: int, what: str, error: type[ZhibenError]) -> ZhibenError:
    return error(f"{shown(path)}: 文件过大({limits.megabytes(size)}),远超任何{what}"
                 f"(上限 {limits.megabytes(budget)});请确认选对了文件")


def check_target(path: str | Path, *, force: bool = False, what: str = "文件") -> Path:
    """A file the user asked us to write: checked before any work, the same rule for every command.

    Refuses an existing folder, a missing parent folder (a typo must not create folders) and an
    existing file unless `force`, so a long export never ends in a misleading late failure.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(f"{path} 是目录;请给出{what}名,如 {path / ('输出' + (path.suffix or '.xlsx'))}")
        parent = path.parent
        if not parent.is_dir():
            raise InputError(f"目录不存在:{parent};请先创建该目录或换一个路径")
        if path.exists() and not force:
            raise InputError(f"{what}已存在:{path};如需覆盖请加 --force")
        if not os.access(parent, os.W_OK):
            raise InputError(f"目录不可写:{parent}")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise InputError(f"无法使用路径 {shown(path)}:{os_reason(exc)}") from None
    return path


def shown(path: str | Path, limit: int = 120) -> str:
    """A path for a one-line message: a pasted-in wall of text is cut short."""
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit]}…(共 {len(text)} 个字符)"


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` that replaces it when the block succeeds and is removed when it
    fails, so an interrupted write never leaves half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"无法写入文件 {path}:{os_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_target(path: str | Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def toml_loads(text: str, where: str, error: type[ZhibenError]) -> dict:
    """tomllib.loads with a bound on nesting: Python's TOML reader recurses once per level, so a few
    thousand `[` end in RecursionError, and even a legal deep nest is no catalogue or setting.
    TOMLDecodeError is left to the caller, which names line and column in its own words."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        data = None
    if data is None or _depth(data) > limits.MAX_TOML_DEPTH:
        raise error(f"{where}: 嵌套层数过多(最多 {limits.MAX_TOML_DEPTH} 层),不是有效的目录或设置文件")
    for key, text in _strings(data):
        # TOML escapes (\u001b) can put controls in a string that would reach the database and terminal.
        if (bad := limits.control_in(text, multiline=True)) is not None:
            raise error(f"{where}: {key} 含有控制字符 {bad}(如颜色或从右到左等不可见字符);请删除后重试")
    return data


def _children(item: object) -> list:
    return list(item.items()) if isinstance(item, dict) else list(enumerate(item)) if isinstance(item, list) else []


def _depth(value: object) -> int:
    """Nesting depth of tables and arrays, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for _, c in _children(item) if isinstance(c, (dict, list)))
    return deepest


def _strings(value: object) -> Iterator[tuple[str, str]]:
    """(dotted key, text) of every string (keys too), without recursion."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, str):
            yield key or "值", item
        for k, child in _children(item):
            name = f"{key}.{k}" if key else str(k)
            if isinstance(k, str):
                yield name, k
            stack.append((name, child))


# Temporaries zhiben names after the file they stand in for: `.NAME.PID.tmp` (replacing(), backup
# and restore copies, NAME possibly NAME.<stamp>.bak) and `.NAME.PID.new` (a database built on first
# use), each with SQLite's -journal/-wal/-shm beside it.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?:tmp|new)(?:-journal|-wal|-shm)?$")


def clean_leftovers(path: str | Path) -> list[tuple[Path, int]]:
    """Remove the temporaries a killed zhiben left beside the database `path` (only its own names,
    only when the process that made them is gone); (file, size) of each removed."""
    path = Path(path)
    removed: list[tuple[Path, int]] = []
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.")]
    except OSError:
        return removed
    for p in candidates:
        m = _LEFTOVER.match(p.name)
        if m is None or not m.group("name").startswith(path.name) or _alive(int(m.group("pid"))):
            continue
        try:
            size = p.lstat().st_size
            p.unlink()
        except OSError:
            continue
        removed.append((p, size))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not a pid we can judge: leave its files alone
    return True
