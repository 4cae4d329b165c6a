"""Where the database is: the one resolver for `--db`, ZHIBEN_DB and the per-user default.

Parsed by hand, without SQLAlchemy, because the lean read path (db/read.py) must know whether it
may open a SQLite file directly before anything heavy is imported. Every place that prints a
database or a driver's message masks passwords here (`mask`): a URL can carry one in its user
part (`postgresql://u:secret@host/db`) or in its query (`?password=secret`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import platformdirs

ENV_VAR = "ZHIBEN_DB"

# As SQLAlchemy reads a URL: the password runs to the first '@', spaces and '/' included.
_USER_PASSWORD = re.compile(r"(\b[A-Za-z][\w+.-]*://[^:/@\s]*:)[^@\n]*?@")
_QUERY_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('[^']*'|[^&\s;,)]*)", re.IGNORECASE)


def mask(text: str) -> str:
    """`text` with every password in it replaced by ***: URLs' user parts and password= settings."""
    return _QUERY_PASSWORD.sub(r"\1***", _USER_PASSWORD.sub(r"\1***@", text))


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("zhiben", appauthor=False)) / "zhiben.db"


@dataclass(frozen=True)
class Location:
    url: str  # what SQLAlchemy opens; may hold a password, so never print it (print `shown`)
    path: Path | None  # the SQLite file; None for a server or an in-memory database
    explicit: bool  # named by --db or ZHIBEN_DB rather than the per-user default

    @property
    def backend(self) -> str:
        return self.url.split("://", 1)[0].split("+", 1)[0].lower()

    @property
    def shown(self) -> str:
        """The database for people: the file, or the URL with its passwords masked."""
        if self.path is not None:
            return str(self.path)
        base, sep, query = self.url.partition("?")
        # Each query setting on its own: a password value may hold spaces or ';'.
        settings = ["password=***" if q.lower().startswith("password=") else q for q in query.split("&")]
        return mask(base) + sep + "&".join(settings)


def _file_url(scheme: str, path: Path, query: str = "") -> str:
    # SQLAlchemy unquotes the database part and stops it at '?': keep both inside a file name.
    quoted = str(path).replace("%", "%25").replace("?", "%3F")
    return f"{scheme}:///{quoted}" + (f"?{query}" if query else "")


def _absolute(text: str) -> Path:
    path = Path(text).expanduser()
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links or a name too long: the open reports it
        return path.absolute()


def resolve(db: str | None = None) -> Location:
    """`--db` (else ZHIBEN_DB): a SQLAlchemy URL or a file path; neither: the per-user default file."""
    value = db or os.environ.get(ENV_VAR)
    if not value:
        path = default_path()
        return Location(_file_url("sqlite", path), path, explicit=False)
    if "://" not in value:
        path = _absolute(value)
        return Location(_file_url("sqlite", path), path, explicit=True)
    scheme, rest = value.split("://", 1)
    if scheme.split("+", 1)[0].lower() != "sqlite":
        return Location(value, None, explicit=True)
    rest, _, query = rest.partition("?")
    name = unquote(rest[1:]) if rest.startswith("/") else ""
    if not name or name == ":memory:" or re.search(r"(^|&)uri=true(&|$)", query, re.IGNORECASE):
        return Location(value, None, explicit=True)  # in memory, or a file: URI SQLAlchemy passes on
    return Location(_file_url(scheme, _absolute(name), query), _absolute(name), explicit=True)
