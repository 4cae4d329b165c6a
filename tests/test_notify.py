"""钉钉 / 企业微信 group robots against a real HTTP server on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhiben.mail import robots

DAY = "2025-01-10"
SECRET = "SECd3adb33f-not-a-real-secret"


class Robot:
    """A loopback HTTP server that answers like the platforms and keeps every request."""

    def __init__(self):
        self.requests: list[tuple[str, dict, dict]] = []
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                robot.requests.append((parts.path, query, json.loads(body.decode("utf-8")),
                                       self.headers["Content-Type"]))
                data = json.dumps(robot.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=tok-123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    with Robot() as r:
        yield r


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in list(os.environ):
        if var.startswith(("ZHIBEN_DINGTALK", "ZHIBEN_WECOM")):
            monkeypatch.delenv(var)


def test_sign_matches_the_documented_scheme():
    # HmacSHA256(secret, timestamp + "\n" + secret) → Base64 → urlEncode (DingTalk's 加签 documentation)
    expected = base64.b64encode(hmac.new(b"this is secret", b"1577262236757\nthis is secret", hashlib.sha256).digest())
    assert robots.dingtalk_sign("this is secret", 1577262236757) == urllib.parse.quote_plus(expected)
    url = robots.signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "this is secret", 1577262236757)
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1577262236757&sign="
                   + urllib.parse.quote_plus(expected))


def test_dingtalk_signed_markdown_summary(cli, robot, tmp_path):
    secret = tmp_path / "dingtalk-secret"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    secret.chmod(0o600)
    before = int(time.time() * 1000)

    result = cli("notify", "dingtalk", "--webhook", robot.url, "--secret-file", str(secret), "--as-of", DAY)

    assert result.exit_code == 0, result.output
    (path, query, body, ctype) = robot.requests[0]
    assert path == "/robot/send" and ctype == "application/json; charset=utf-8"
    assert query["access_token"] == "tok-123"
    ts = int(query["timestamp"])
    assert before <= ts <= int(time.time() * 1000)
    mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(mac).decode()  # parse_qsl undid the URL encoding
    assert body["msgtype"] == "markdown"
    title, text = body["markdown"]["title"], body["markdown"]["text"]
    overdue = json.loads(cli("overdue", "--as-of", DAY, "--detail", "-f", "json").output)
    assert title == f"治本攻坚周报:全市逾期 {len(overdue)} 项"
    assert text.startswith(f"### {title}\n\n截至 {DAY},逾期率 ")
    for head in ("**一、各县(市、区)逾期情况", "**二、新增逾期", "**三、逾期最久的", "**四、未来 14 天内到期"):
        assert head in text
    assert "本消息由系统自动发送" in text and len(text.encode()) <= robots.LIMITS["dingtalk"]
    # only what DingTalk renders: no WeCom <font> tags; a blank line before every list (else lines run together)
    assert "<font" not in text and "\n> 逾期率 = 逾期 ÷ 已到期" in text
    assert "**\n\n- " in text and "**\n- " not in text
    assert result.stdout.startswith("已发送到钉钉群(已加签):治本攻坚周报:全市逾期")
    assert SECRET not in result.output and "tok-123" not in result.output


def test_secret_from_environment_and_refused_message(cli, robot):
    robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
    result = cli("notify", "dingtalk", "--webhook", robot.url, "--as-of", DAY,
                 env={"ZHIBEN_DINGTALK_SECRET": SECRET})
    assert result.exit_code == 5
    assert "sign" in robot.requests[0][1]
    assert result.stderr.startswith("错误:钉钉机器人拒收消息(errcode 310000:sign not match);请检查加签密钥")
    assert SECRET not in result.output and "tok-123" not in result.output


def test_world_readable_secret_file_is_refused(cli, robot, tmp_path):
    secret = tmp_path / "s"
    secret.write_text(SECRET, encoding="utf-8")
    secret.chmod(0o644)
    result = cli("notify", "dingtalk", "--webhook", robot.url, "--secret-file", str(secret), "--as-of", DAY)
    assert result.exit_code == 2 and "其他用户也能访问,拒绝使用" in result.stderr
    assert robot.requests == [] and SECRET not in result.output


def test_wecom_markdown_fits_its_limit_and_county_scope(cli, robot):
    url = robot.url.replace("access_token=tok-123", "key=wecom-key")
    result = cli("notify", "wecom", "--county", "冠县", "--as-of", DAY, env={"ZHIBEN_WECOM_WEBHOOK": url})
    assert result.exit_code == 0, result.output
    (path, query, body, _) = robot.requests[0]
    assert query == {"key": "wecom-key"}  # no signing for WeCom robots
    content = body["markdown"]["content"]
    assert content.startswith("### 治本攻坚周报:冠县逾期 ")
    assert "一、冠县分方案逾期情况" in content and len(content.encode()) <= robots.LIMITS["wecom"]
    assert '<font color="comment">' in content  # WeCom's own grey note
    assert "wecom-key" not in result.output


def test_unreachable_robot_is_one_chinese_line(cli, robot):
    url = robot.url
    robot.server.shutdown()
    robot.server.server_close()
    result = cli("notify", "wecom", "--webhook", url, "--as-of", DAY)
    assert result.exit_code == 5
    port = urllib.parse.urlsplit(url).port
    assert result.stderr == f"错误:无法连接企业微信机器人 http://127.0.0.1:{port}/robot/send:连接被拒绝\n"
    missing = cli("notify", "wecom", "--as-of", DAY)
    assert missing.exit_code == 2 and "未指定企业微信机器人地址" in missing.stderr
