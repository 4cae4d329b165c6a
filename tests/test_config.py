"""Mail settings: config file < environment < flags; the password only from the env or an owner-only file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner import ZhibenRunner
from zhiben.cli import app
from zhiben.db.location import default_path
from zhiben.errors import InputError
from zhiben.mail import settings as config

runner = ZhibenRunner()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in list(os.environ):
        if var.startswith(("ZHIBEN_SMTP", "ZHIBEN_MAIL", "ZHIBEN_CONFIG")):
            monkeypatch.delenv(var)
    monkeypatch.delenv("ZHIBEN_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def cfg(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "zhiben.toml"
    monkeypatch.setenv("ZHIBEN_CONFIG", str(path))
    return path


def test_path_is_in_the_user_config_directory(tmp_path):
    assert config.config_path() == tmp_path / "xdg" / "zhiben" / "config.toml"
    result = runner.invoke(app, ["config", "path"])
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'xdg' / 'zhiben' / 'config.toml'}\n"


def test_config_env_points_elsewhere(cfg):
    assert config.config_path() == cfg
    assert runner.invoke(app, ["config", "path"]).stdout == f"{cfg}\n"


def test_defaults_without_file(cfg):
    s = config.load(env={})
    assert (s.host, s.port, s.security, s.user, s.sender, s.to, s.send_empty) == (
        None, None, "starttls", None, None, [], True)
    assert s.effective_port == 587


def test_file_then_environment_then_flags(cfg):
    cfg.write_text(
        '[smtp]\nhost = "smtp.file.example"\nport = 465\nsecurity = "ssl"\nuser = "fileuser"\n'
        'from = "file@example.com"\n\n[mail]\nto = ["city@example.com", "boss@example.com"]\nsend_empty = false\n',
        encoding="utf-8")
    from_file = config.load(env={})
    assert (from_file.host, from_file.port, from_file.security, from_file.user, from_file.sender) == (
        "smtp.file.example", 465, "ssl", "fileuser", "file@example.com")
    assert from_file.to == ["city@example.com", "boss@example.com"] and from_file.send_empty is False
    assert from_file.sources["host"] == "配置文件 [smtp] host"

    env = {"ZHIBEN_SMTP_HOST": "smtp.env.example", "ZHIBEN_SMTP_PORT": "2525", "ZHIBEN_SMTP_SECURITY": "STARTTLS",
           "ZHIBEN_MAIL_TO": "env1@example.com;env2@example.com", "ZHIBEN_MAIL_SEND_EMPTY": "1"}
    from_env = config.load(env=env)
    assert (from_env.host, from_env.port, from_env.security, from_env.user) == (
        "smtp.env.example", 2525, "starttls", "fileuser")
    assert from_env.to == ["env1@example.com", "env2@example.com"] and from_env.send_empty is True
    assert from_env.sources["port"] == "环境变量 ZHIBEN_SMTP_PORT"

    flags = config.load({"host": "smtp.flag.example", "port": 25, "security": "none", "to": ["flag@example.com"],
                         "sender": None, "send_empty": False}, env=env)
    assert (flags.host, flags.port, flags.security, flags.sender) == (
        "smtp.flag.example", 25, "none", "file@example.com")
    assert flags.to == ["flag@example.com"] and flags.send_empty is False
    assert flags.sources["host"] == "命令行参数" and flags.sources["sender"] == "配置文件 [smtp] from"


@pytest.mark.parametrize("env, message", [
    ({"ZHIBEN_SMTP_SECURITY": "tls"}, "环境变量 ZHIBEN_SMTP_SECURITY:加密方式“tls”无效;可用:none、starttls、ssl"),
    ({"ZHIBEN_SMTP_PORT": "abc"}, "环境变量 ZHIBEN_SMTP_PORT:端口“abc”无效(应为 1—65535 的整数)"),
    ({"ZHIBEN_SMTP_PORT": "70000"}, "环境变量 ZHIBEN_SMTP_PORT:端口“70000”无效(应为 1—65535 的整数)"),
    ({"ZHIBEN_SMTP_FROM": "nobody"}, "环境变量 ZHIBEN_SMTP_FROM:发件人“nobody”格式不正确(应如 name@example.com)"),
    ({"ZHIBEN_MAIL_TO": "a@example.com,b@"}, "环境变量 ZHIBEN_MAIL_TO:收件人“b@”格式不正确(应如 name@example.com)"),
    ({"ZHIBEN_MAIL_SEND_EMPTY": "maybe"}, "环境变量 ZHIBEN_MAIL_SEND_EMPTY:“maybe”不是有效的开关值(应为 true 或 false)"),
])
def test_bad_values_name_their_source(cfg, env, message):
    with pytest.raises(InputError) as err:
        config.load(env=env)
    assert err.value.message == message


def test_bad_file_says_where(cfg):
    cfg.write_text('[smtp]\nhost = "a"\nport = \n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        config.load(env={})
    assert err.value.message == f"{cfg}:3:8:配置文件不是有效的 TOML"

    cfg.write_text('[smtp]\nhots = "a"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        config.load(env={})
    assert err.value.message.startswith(f"{cfg}:[smtp] 中未知的配置项“hots”;可用:")

    cfg.write_text('[smpt]\nhost = "a"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        config.load(env={})
    assert err.value.message == f"{cfg}:未知的配置项“smpt”;可用:[smtp]、[mail]"


def test_password_is_never_a_config_value(cfg):
    cfg.write_text('[smtp]\npassword = "hunter2"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        config.load(env={})
    assert "配置文件中不能写密码" in err.value.message
    assert "hunter2" not in err.value.message


def test_password_has_no_flag():
    result = runner.invoke(app, ["mail", "overdue", "--smtp-password", "x"])
    assert result.exit_code == 2
    assert "没有这个选项:--smtp-password" in result.output


def secret_file(tmp_path, mode, text="hunter2\n") -> Path:
    path = tmp_path / "smtp-password"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_password_from_env_wins(tmp_path):
    s = config.Settings(password_file=str(secret_file(tmp_path, 0o600)))
    assert config.password(s, env={"ZHIBEN_SMTP_PASSWORD": "from-env"}) == "from-env"
    assert config.password(s, env={}) == "hunter2"
    assert config.password(config.Settings(), env={}) is None


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_owner_only_password_file_is_read(tmp_path, mode):
    path = secret_file(tmp_path, mode, "pa ss\r\n")
    assert config.read_password_file(path) == "pa ss"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_password_file_readable_by_others_is_refused(tmp_path, mode):
    path = secret_file(tmp_path, mode)
    with pytest.raises(InputError) as err:
        config.read_password_file(path)
    assert err.value.message == (f"密码文件 {path} 的权限为 {mode:04o},其他用户也能访问,拒绝使用;"
                                 f"请执行 chmod 600 {path}")
    assert "hunter2" not in err.value.message


def test_missing_and_empty_password_files(tmp_path):
    with pytest.raises(InputError) as err:
        config.read_password_file(tmp_path / "nope")
    assert err.value.message == f"密码文件不存在:{tmp_path / 'nope'}"
    empty = secret_file(tmp_path, 0o600, "\n")
    with pytest.raises(InputError) as err:
        config.read_password_file(empty)
    assert err.value.message == f"密码文件 {empty} 是空的"


def test_password_file_from_environment_variable(cfg, tmp_path):
    path = secret_file(tmp_path, 0o600)
    s = config.load(env={"ZHIBEN_SMTP_PASSWORD_FILE": str(path)})
    assert s.password_file == str(path)
    assert config.password(s, env={}) == "hunter2"


def test_show_lists_settings_and_sources_without_the_password(cfg, monkeypatch):
    cfg.write_text('[smtp]\nhost = "smtp.example.com"\nfrom = "zhiben@example.com"\n', encoding="utf-8")
    monkeypatch.setenv("ZHIBEN_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("ZHIBEN_MAIL_TO", "city@example.com")
    monkeypatch.setenv("ZHIBEN_SMTP_PASSWORD", "hunter2-secret")

    result = runner.invoke(app, ["config", "show"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"配置文件:{cfg}",
        "SMTP 服务器:smtp.example.com  [配置文件 [smtp] host]",
        "端口:465  [默认]",
        "加密方式:ssl  [环境变量 ZHIBEN_SMTP_SECURITY]",
        "用户名:(未设置)  [默认]",
        "发件人:zhiben@example.com  [配置文件 [smtp] from]",
        "密码文件:(未设置)  [默认]",
        "市局收件人:city@example.com  [环境变量 ZHIBEN_MAIL_TO]",
        "无逾期时也发送:是  [默认]",
        "密码:已设置(环境变量 ZHIBEN_SMTP_PASSWORD)",
        f"数据库:{default_path()}  [默认位置]",
    ]
    assert "hunter2" not in result.output


def test_show_warns_about_an_unsafe_password_file(cfg, tmp_path):
    path = secret_file(tmp_path, 0o644)
    cfg.write_text(f'[smtp]\npassword_file = "{path}"\n', encoding="utf-8")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert f"密码:不可用:密码文件 {path} 的权限为 0644" in result.stdout
    assert "hunter2" not in result.output


def test_show_reports_a_bad_config_file(cfg):
    cfg.write_text("[smtp\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误:{cfg}:1:")


@pytest.mark.parametrize("addr", ["a@example.com", "li.si+zb@qq.com", "x@mail.gov.cn", "张三@例子.中国"])
def test_check_address_accepts(addr):
    assert config.check_address(f" {addr} ") == addr


@pytest.mark.parametrize("addr", ["", "a", "a@", "@example.com", "a@example", "a b@example.com", "a@@example.com",
                                  "<a@example.com>", "a@example.com,b@example.com"])
def test_check_address_rejects(addr):
    with pytest.raises(InputError):
        config.check_address(addr)
