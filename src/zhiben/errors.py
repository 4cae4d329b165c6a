"""Domain errors. Every message is one line of Chinese a user can act on.

The CLI catches `ZhibenError` and prints `错误:<message>` with the class's exit code; nothing
else in the package prints or exits.
"""


class ZhibenError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        # Importers collect every problem in one run; the CLI prints them all.
        self.problems = problems or []


class InputError(ZhibenError):
    """The user named something that does not exist or gave an impossible value."""

    exit_code = 2


class NotFound(InputError):
    pass


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
