"""Domain errors. Every message is one line of Chinese a user can act on.

The CLI catches `ZhibenError` and prints `错误:<message>` with the class's exit code; nothing
else in the package prints or exits.
"""

import errno


class ZhibenError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Importers collect every problem in one run; the CLI prints them all.
        self.problems = problems or []


class InputError(ZhibenError):
    """The user named something that does not exist or gave an impossible value."""

    exit_code = 2


class NotFound(InputError):
    pass


class NotOwed(InputError):
    """A duty that does not fall on this subject (or has no such period): there is no occurrence row.

    `about` says which part of the reference is wrong: "subject" or "period"."""

    def __init__(self, message: str, *, about: str = "subject") -> None:
        super().__init__(message)
        self.about = about


class CatalogueError(ZhibenError):
    """A catalogue file is malformed or fails validation."""

    exit_code = 3


class ImportFileError(ZhibenError):
    """A file to import (register, status sheet) is unreadable or has invalid rows."""

    exit_code = 3


class CalendarError(InputError):
    """A working-day computation went beyond the holiday calendar's data."""


class DatabaseError(ZhibenError):
    """The database cannot be opened, is from a newer release, or is busy."""

    exit_code = 4


class MailError(ZhibenError):
    exit_code = 5


def os_reason(exc: OSError) -> str:
    """An OSError's cause in Chinese (the system's own text is English)."""
    reasons: dict[int | None, str] = {
        errno.ENOTDIR: "路径中有同名文件而不是目录",
        errno.EEXIST: "已有同名文件,不是目录",
        errno.EISDIR: "是目录",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EROFS: "文件系统只读",
        errno.ENOSPC: "磁盘空间不足",
        errno.EDQUOT: "磁盘配额已满",
        errno.ENOENT: "文件或目录不存在",
        errno.EFBIG: "文件过大",
        errno.ENAMETOOLONG: "文件名过长",
        errno.EIO: "磁盘读写错误",
        errno.EBUSY: "设备或资源正忙",
        errno.ELOOP: "符号链接层数过多",
        errno.EINVAL: "路径或参数无效",
        errno.ETXTBSY: "文件正被其他程序使用",
        errno.EMFILE: "打开的文件过多",
    }
    if reasons.get(exc.errno):
        return reasons[exc.errno]
    return f"系统错误 {errno.errorcode[exc.errno]}" if exc.errno is not None and exc.errno in errno.errorcode else "系统错误"
