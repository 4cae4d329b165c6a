"""Users' files: reading one with a Chinese line for each way it can fail (missing, a folder,
unreadable), and checking a file to be written before any work is done."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zhiben.errors import ImportFileError, InputError, ZhibenError, os_reason


def read_bytes(path: str | Path, *, what: str = "文件", error: type[ZhibenError] = ImportFileError,
               limit: int = -1) -> bytes:
    """The file's bytes (only the first `limit` when given, e.g. to check a header).

    A whole file beyond limits.MAX_FILE_BYTES is refused before reading: no register is that big.
    """
    from zhiben.inputs import limits

    try:
        with open(path, "rb") as fh:
            if limit < 0:
                size = os.fstat(fh.fileno()).st_size
                if size > limits.MAX_FILE_BYTES:
                    raise error(f"{path}: 文件过大({limits.megabytes(size)}),远超任何名册或填报表"
                                f"(上限 {limits.megabytes(limits.MAX_FILE_BYTES)});请确认选对了文件")
            return fh.read(limit)
    except FileNotFoundError:
        raise error(f"找不到{what}:{shown(path)}") from None
    except IsADirectoryError:
        raise error(f"{path} 是目录,不是{what}") from None
    except OSError as exc:
        raise error(f"无法读取{what} {shown(path)}:{os_reason(exc)}") from None


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
