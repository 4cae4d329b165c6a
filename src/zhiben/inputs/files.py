"""Reading a user's file with one Chinese line for each way it can fail (missing, a folder, unreadable)."""

from __future__ import annotations

from pathlib import Path

from zhiben.errors import ImportFileError, ZhibenError


def read_bytes(path: str | Path, *, what: str = "文件", error: type[ZhibenError] = ImportFileError,
               limit: int = -1) -> bytes:
    """The file's bytes (only the first `limit` when given, e.g. to check a header)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except FileNotFoundError:
        raise error(f"找不到{what}:{path}") from None
    except IsADirectoryError:
        raise error(f"{path} 是目录,不是{what}") from None
    except OSError as exc:
        raise error(f"无法读取{what} {path}:{exc.strerror}") from None
