"""Mail settings: the TOML config file, then environment variables, then command-line flags.

The SMTP password is deliberately not a setting like the others: it comes only from
ZHIBEN_SMTP_PASSWORD or from a file no one but its owner can read, so it never appears on a
command line (visible in `ps`), in the config file, or in any output.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import platformdirs

from zhiben.errors import InputError, os_reason
from zhiben.inputs import files, limits
from zhiben.terms import check_email as check_address

SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
CONFIG_ENV = "ZHIBEN_CONFIG"
PASSWORD_ENV = "ZHIBEN_SMTP_PASSWORD"
PASSWORD_FILE_ENV = "ZHIBEN_SMTP_PASSWORD_FILE"

# setting → (table in the config file, key there, environment variable)
KEYS = {
    "host": ("smtp", "host", "ZHIBEN_SMTP_HOST"),
    "port": ("smtp", "port", "ZHIBEN_SMTP_PORT"),
    "security": ("smtp", "security", "ZHIBEN_SMTP_SECURITY"),
    "user": ("smtp", "user", "ZHIBEN_SMTP_USER"),
    "sender": ("smtp", "from", "ZHIBEN_SMTP_FROM"),
    "password_file": ("smtp", "password_file", PASSWORD_FILE_ENV),
    "to": ("mail", "to", "ZHIBEN_MAIL_TO"),
    "send_empty": ("mail", "send_empty", "ZHIBEN_MAIL_SEND_EMPTY"),
}
LABELS = {"host": "SMTP 服务器", "port": "端口", "security": "加密方式", "user": "用户名", "sender": "发件人",
          "password_file": "密码文件", "to": "市局收件人", "send_empty": "无逾期时也发送"}

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass
class Settings:
    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    sender: str | None = None
    # The display name of "聊城市应急管理局治本攻坚专班 <zhiben@example.com>", if one was given.
    sender_name: str | None = None
    password_file: str | None = None
    to: list[str] = field(default_factory=list)
    send_empty: bool = True
    # setting → where its value came from (Chinese, for `zhiben config show`)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()

    return Path(platformdirs.user_config_dir("zhiben", appauthor=False)) / "config.toml"


def parse_sender(text: str, what: str = "发件人") -> tuple[str, str | None]:
    """(address, display name or None) from "name@example.com" or "显示名 <name@example.com>"."""
    value = text.strip()
    if "<" not in value:
        return check_address(value, what), None
    name, addr = parseaddr(value)
    if not value.endswith(">") or not addr or "@" not in addr:
        raise InputError(f"{what}“{text}”格式不正确(应如 name@example.com 或 显示名 <name@example.com>)")
    try:
        check_address(addr, what)
    except InputError:
        raise InputError(f"{what}“{text}”格式不正确(应如 name@example.com 或 显示名 <name@example.com>)") from None
    return addr, name.strip().strip('"') or None


def _read_file(path: Path) -> dict:
    if not path.exists() and not path.is_symlink():
        return {}
    raw = files.read_bytes(path, what="配置文件", error=InputError, budget=limits.MAX_TOML_BYTES)
    try:
        data = files.toml_loads(raw.decode("utf-8"), str(path), InputError)
    except UnicodeDecodeError:
        raise InputError(f"{path}:配置文件不是 UTF-8 编码") from None
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POS.search(str(exc))
        where = f"{path}:{m.group(1)}:{m.group(2)}" if m else str(path)
        raise InputError(f"{where}:配置文件不是有效的 TOML") from None
    allowed = {"smtp": {k for t, k, _ in KEYS.values() if t == "smtp"},
               "mail": {k for t, k, _ in KEYS.values() if t == "mail"}}
    for table, body in data.items():
        if table not in allowed or not isinstance(body, dict):
            raise InputError(f"{path}:未知的配置项“{table}”;可用:[smtp]、[mail]")
        for key in body:
            if table == "smtp" and key == "password":
                raise InputError(f"{path}:配置文件中不能写密码;请用环境变量 {PASSWORD_ENV} 或 password_file 指定的文件")
            if key not in allowed[table]:
                raise InputError(f"{path}:[{table}] 中未知的配置项“{key}”;可用:{'、'.join(sorted(allowed[table]))}")
    return data


def _coerce(name: str, value: Any, where: str) -> Any:
    """Validate one setting's value; `where` names its source in error messages."""
    if name == "port":
        try:
            port = int(str(value).strip())
        except ValueError:
            port = 0
        if not 0 < port < 65536 or isinstance(value, bool):
            raise InputError(f"{where}:端口“{value}”无效(应为 1—65535 的整数)")
        return port
    if name == "security":
        text = str(value).strip().lower()
        if text not in SECURITY:
            raise InputError(f"{where}:加密方式“{value}”无效;可用:{'、'.join(SECURITY)}")
        return text
    if name == "send_empty":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on", "是"):
            return True
        if text in ("0", "false", "no", "off", "否"):
            return False
        raise InputError(f"{where}:“{value}”不是有效的开关值(应为 true 或 false)")
    if name == "to":
        items = value if isinstance(value, list) else [p for p in re.split(r"[,;,;\s]+", str(value)) if p]
        return [check_address(str(a), f"{where}:收件人") for a in items]
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}:{LABELS[name]}不能为空")
    value = value.strip()
    if name == "sender":
        return parse_sender(value, f"{where}:发件人")
    return value


def load(overrides: dict | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the config file, overridden by the environment, overridden by `overrides` (flags)."""
    env = os.environ if env is None else env
    path = config_path()
    data = _read_file(path)
    settings = Settings()
    for name, (table, key, var) in KEYS.items():
        value, where, source = None, "", "默认"
        if key in data.get(table, {}):
            value, where, source = data[table][key], f"{path}", f"配置文件 [{table}] {key}"
        if env.get(var):
            value, where, source = env[var], f"环境变量 {var}", f"环境变量 {var}"
        if overrides and overrides.get(name) not in (None, [], ()):
            value, where, source = overrides[name], "命令行参数", "命令行参数"
        if value is not None:
            coerced = _coerce(name, value, where)
            if name == "sender":
                coerced, settings.sender_name = coerced
            setattr(settings, name, coerced)
        settings.sources[name] = source
    return settings


def password(settings: Settings, *, env: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from ZHIBEN_SMTP_PASSWORD or the owner-only password file, else None."""
    env = os.environ if env is None else env
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if not settings.password_file:
        return None
    return read_password_file(Path(settings.password_file).expanduser())


def read_password_file(path: Path) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"密码文件不存在:{path}") from None
    except OSError as exc:
        raise InputError(f"无法读取密码文件 {path}:{os_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"密码文件 {path} 不是普通文件")
    if st.st_mode & 0o077:
        raise InputError(f"密码文件 {path} 的权限为 {stat.S_IMODE(st.st_mode):04o},其他用户也能访问,拒绝使用;"
                         f"请执行 chmod 600 {path}")

    # A secret is a line: a file far beyond one is the wrong file (and is never echoed).
    data = files.read_bytes(path, what="密码文件", error=InputError, budget=64 * 1024)
    try:
        secret = data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(f"无法读取密码文件 {path}:不是 UTF-8 文本") from None
    if not secret:
        raise InputError(f"密码文件 {path} 是空的")
    return secret


def password_source(settings: Settings, *, env: Mapping[str, str] | None = None) -> str:
    """Where the password would come from (never the password itself)."""
    env = os.environ if env is None else env
    if env.get(PASSWORD_ENV):
        return f"已设置(环境变量 {PASSWORD_ENV})"
    if settings.password_file:
        try:
            read_password_file(Path(settings.password_file).expanduser())
        except InputError as exc:
            return f"不可用:{exc.message}"
        return f"已设置(密码文件 {settings.password_file})"
    return "未设置"
