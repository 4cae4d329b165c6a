"""zhiben mail overdue against a real SMTP server on loopback (aiosmtpd), never a mock."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import Session, select

import factories
from zhiben.db import models
from zhiben.reports import rows as reports
from zhiben.reports.records import row_record

DAY = "2025-01-10"  # a Friday of ISO week 2025-W02
CITY = "city@example.com"
SENDER = "zhiben@example.com"
SECRET = "s3cret-Pa55"


class Collector:
    """An SMTP handler that keeps every accepted envelope and refuses the addresses in `refuse`."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()
        self.too_big = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.too_big:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


class Server:
    """A loopback SMTP server that tests can stop and start again on the same port."""

    def __init__(self, **kwargs):
        self.handler = Collector()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.kwargs = kwargs
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in list(os.environ):
        if var.startswith(("ZHIBEN_SMTP", "ZHIBEN_MAIL")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("ZHIBEN_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def server():
    srv = Server()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def mail(cli, server):
    """Run `zhiben mail overdue` against the loopback server."""

    def run(*args, env=None):
        return cli("mail", "overdue", "--as-of", DAY, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port),
                   "--smtp-security", "none", "--smtp-from", SENDER, *args, env=env)

    return run


def sent_log(engine):
    with Session(engine) as s:
        return sorted((r.week, r.recipient, r.kind) for r in s.exec(select(models.SentMail)).all())


def overdue_records(engine, county: str | None = None):
    with Session(engine) as s:
        county_id = None
        if county:
            county_id = s.exec(select(models.County.id).where(models.County.name == county)).one()
        rows = reports.overdue(s, reports.Filters(county_id=county_id), dt.date.fromisoformat(DAY))
        return [row_record(r) for r in rows]


def attachment(msg):
    (part,) = list(msg.iter_attachments())
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return part


def attachment_rows(msg, sheet="清单"):
    """The attached workbook's list rows (below its title and header rows) as {header: value}."""
    import io

    from openpyxl import load_workbook

    from factories import header_row

    ws = load_workbook(io.BytesIO(attachment(msg).get_payload(decode=True)))[sheet]
    at = header_row(ws)
    header = [c.value for c in ws[at]]
    return [dict(zip(header, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=at + 1)
            if row[0].value and any(c.value is not None for c in row[1:])]


def add_enterprise(engine, county: str) -> str:
    with Session(engine) as s:
        cid = s.exec(select(models.County.id).where(models.County.name == county)).one()
        s.add(models.Enterprise(credit_code="91371500MA3C000001", name="冠县测试机械有限公司", county_id=cid,
                                sector="chem", risk="橙"))  # 橙: the county owes its 2024-H2 inspection
        factories.declare_enterprises(s)
        s.commit()
    return "冠县测试机械有限公司"


def test_message_headers_summary_first_and_xlsx_attachment(mail, server, engine):
    records = overdue_records(engine)
    n = len(records)
    assert n > 0
    since = dt.date.fromisoformat(DAY) - dt.timedelta(days=7)
    new = sum(1 for r in records if r["due"] >= since)

    result = mail("--to", CITY)

    assert result.exit_code == 0, result.output
    assert f"已发送:市局 <{CITY}>,{n} 项," in result.stdout
    (env,) = server.handler.envelopes
    assert env.mail_from == SENDER and env.rcpt_tos == [CITY]
    assert len(env.content) < 200_000
    raw_headers = env.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
    raw_subject = raw_headers.split("Subject: ", 1)[1].split("\r\nFrom:", 1)[0]
    assert raw_subject.startswith("=?utf-8?")
    subject = f"【治本攻坚】截至 {DAY} 逾期 {n} 项(新增 {new} 项)"
    assert str(make_header(decode_header(raw_subject))) == subject

    (msg,) = server.handler.messages()
    assert msg["Subject"] == subject and msg["From"] == SENDER and msg["To"] == CITY
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "multipart/mixed"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert plain.startswith(f"市应急管理局:截至 {DAY}(第 2 周),全市逾期未完成事项 {n} 项,逾期率 ")
    heads = ["一、各县(市、区)逾期情况(按逾期率从高到低)", f"二、新增逾期:{since} 以来到期仍未完成({new} 项)",
             "三、逾期最久的", "四、未来 14 天内到期", f"完整清单见附件“逾期事项_全市_{DAY}.xlsx”(逐条列出全部 {n} 项)"]
    assert [plain.index(h) for h in heads] == sorted(plain.index(h) for h in heads)
    assert all(h.split("(")[0] in re.sub(r"<[^>]+>", "", html) for h in heads)
    assert f'<span style="white-space:nowrap">{DAY}</span>' in html  # a phone never breaks a date at its hyphens
    assert plain.rstrip().endswith("本邮件由系统自动发送,请勿直接回复。完成事项后请及时登记(zhiben done),下次邮件将自动更新。")
    # readable in a proportional font: no columns padded with runs of spaces
    assert not any("  " in line.strip() for line in plain.splitlines())
    city_line = next(line for line in plain.splitlines() if line.startswith("· 聊城市应急管理局(市级事项,单列)"))
    assert "逾期" in city_line
    counties = html.split("<table", 2)[1]  # the compact table: short names, key columns first
    assert counties.count("<tr") == 11 + 1 + 1 + 1  # header, the counties, the city bureau, the total
    assert '<td class="key nw" data-label="县(市、区)">高新区</td>' in counties
    assert [th for th in re.findall(r"<th[^>]*>([^<]+)</th>", counties)][:4] == ["排名", "县(市、区)", "逾期率", "逾期"]

    part = attachment(msg)
    name = f"逾期事项_全市_{DAY}.xlsx"
    assert part.get_filename() == name
    raw_part = env.content.decode("ascii").split("Content-Type: application/vnd.openxmlformats", 1)[1]
    legacy = raw_part.split('name="', 1)[1].split('"', 1)[0]
    assert legacy.startswith("=?utf-8?b?") and str(make_header(decode_header(legacy))) == name
    assert "filename*=utf-8''%E9%80%BE%E6%9C%9F" in raw_part
    rows = attachment_rows(msg)
    assert len(rows) == n
    assert sorted((r["编号"], r["责任主体"], r["周期"]) for r in rows) == sorted(
        (r["milestone_id"], r["subject"], r["period_label"]) for r in records)
    total = next(r for r in attachment_rows(msg, "汇总") if r["县(市、区)"] == "全市合计")
    assert total["逾期"] == n
    assert sent_log(engine) == [("2025-W02", CITY, "overdue")]


def test_sender_display_name_is_encoded(mail, server, engine):
    result = mail("--to", CITY, "--smtp-from", f"聊城市应急管理局治本攻坚专班 <{SENDER}>")
    assert result.exit_code == 0, result.output
    (env,) = server.handler.envelopes
    assert env.mail_from == SENDER
    (msg,) = server.handler.messages()
    assert msg["From"].addresses[0].display_name == "聊城市应急管理局治本攻坚专班"
    assert msg["From"].addresses[0].addr_spec == SENDER
    bad = mail("--to", CITY, "--smtp-from", "专班 <not-an-address>")
    assert bad.exit_code == 2 and "发件人“专班 <not-an-address>”格式不正确" in bad.stderr


def test_oversized_message_is_reported_as_too_big(mail, server, engine):
    server.handler.too_big = True
    result = mail("--to", CITY)
    assert result.exit_code == 5
    assert "邮件过大,邮件服务器拒收(552 5.3.4" in result.stderr
    assert "拒绝发件人" not in result.stderr
    assert sent_log(engine) == []


def test_newly_overdue_counts_from_the_last_mail(cli, server, engine):
    base = ["--to", CITY, "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--smtp-security", "none",
            "--smtp-from", SENDER]
    assert cli("mail", "overdue", "--as-of", "2025-01-06", *base).exit_code == 0
    later = cli("mail", "overdue", "--as-of", "2025-02-03", *base)
    assert later.exit_code == 0, later.output
    msg = server.handler.messages()[-1]
    with Session(engine) as s:
        rows = reports.overdue(s, reports.Filters(), dt.date(2025, 2, 3))
    # the last mail was for week 2025-W02 (6-12 January): new means due since its end
    new = [r for r in rows if r.due >= dt.date(2025, 1, 12)]
    assert new and len(new) < len(rows)
    assert f"2025-01-12 以来新增逾期 {len(new)} 项" in msg.get_body(("plain",)).get_content()


def test_upcoming_digest_is_its_own_weekly_mail(mail, cli, server, engine):
    assert mail("--to", CITY).exit_code == 0
    result = cli("mail", "upcoming", "--days", "30", "--as-of", DAY, "--to", CITY, "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(server.port), "--smtp-security", "none", "--smtp-from", SENDER)
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        ahead = reports.upcoming(s, reports.Filters(), dt.date.fromisoformat(DAY), 30)
    assert ahead
    msg = server.handler.messages()[-1]
    assert msg["Subject"] == f"【治本攻坚】{DAY} 起 30 天内到期 {len(ahead)} 项"
    assert attachment(msg).get_filename() == f"即将到期事项_全市_{DAY}.xlsx"
    assert len(attachment_rows(msg)) == len(ahead)
    assert sent_log(engine) == [("2025-W02", CITY, "overdue"), ("2025-W02", CITY, "upcoming")]


def test_xlsx_attachment_is_guarded(mail, server, engine):
    import io

    from openpyxl import load_workbook

    with Session(engine) as s:
        c = s.exec(select(models.County).where(models.County.name == "冠县")).one()
        s.add(models.Enterprise(credit_code="91371500MA3C000002", name="=1+2公司", county_id=c.id,
                                sector="trade", risk="橙"))
        factories.declare_enterprises(s)
        s.commit()

    assert mail("--to", CITY).exit_code == 0

    ws = load_workbook(io.BytesIO(attachment(server.handler.messages()[0]).get_payload(decode=True)))["清单"]
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if c.value == "=1+2公司"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_second_run_same_week_sends_nothing_force_sends_again(mail, cli, server, engine):
    assert mail("--to", CITY).exit_code == 0
    assert len(server.handler.envelopes) == 1

    again = cli("mail", "overdue", "--as-of", "2025-01-06", "--to", CITY, "--smtp-host", "127.0.0.1",
                "--smtp-port", str(server.port), "--smtp-security", "none", "--smtp-from", SENDER)
    assert again.exit_code == 0, again.output
    assert f"跳过(本周已发送):市局 <{CITY}>" in again.stdout
    assert "2025-W02:发送 0 封,跳过 1 封,失败 0 封" in again.stdout
    assert len(server.handler.envelopes) == 1

    forced = mail("--to", CITY, "--force")
    assert forced.exit_code == 0
    assert len(server.handler.envelopes) == 2
    assert sent_log(engine) == [("2025-W02", CITY, "overdue")]

    next_week = cli("mail", "overdue", "--as-of", "2025-01-13", "--to", CITY, "--smtp-host", "127.0.0.1",
                    "--smtp-port", str(server.port), "--smtp-security", "none", "--smtp-from", SENDER)
    assert next_week.exit_code == 0
    assert len(server.handler.envelopes) == 3
    assert sent_log(engine) == [("2025-W02", CITY, "overdue"), ("2025-W03", CITY, "overdue")]


def test_second_run_needs_no_server(mail, server, engine):
    assert mail("--to", CITY).exit_code == 0
    server.stop()
    result = mail("--to", CITY)
    assert result.exit_code == 0
    assert "跳过(本周已发送)" in result.stdout


def set_contacts(cli):
    assert cli("county", "set-contact", "冠县", "--email", "guanxian@example.com", "--name", "李四").exit_code == 0
    assert cli("county", "set-contact", "茌平", "--email", "chiping@example.com").exit_code == 0


def test_per_county_one_message_per_contact_and_one_to_city(mail, cli, server, engine):
    set_contacts(cli)
    company = add_enterprise(engine, "冠县")

    result = mail("--to", CITY, "--per-county")

    assert result.exit_code == 0, result.output
    assert "未设置联系邮箱" in result.stderr and "东昌府区" in result.stderr and "冠县" not in result.stderr
    assert sorted(tuple(e.rcpt_tos) for e in server.handler.envelopes) == [
        ("chiping@example.com",), (CITY,), ("guanxian@example.com",)]
    by_rcpt = {m["To"]: m for m in server.handler.messages()}

    guan = overdue_records(engine, "冠县")
    assert {r["county"] for r in guan} == {"冠县"}
    assert {r["subject_kind"] for r in guan} == {"county", "enterprise"}
    msg = by_rcpt["guanxian@example.com"]
    new = sum(1 for r in guan if r["due"] >= dt.date(2025, 1, 3))
    assert msg["Subject"] == f"【治本攻坚】冠县截至 {DAY} 逾期 {len(guan)} 项(新增 {new} 项)"
    plain = msg.get_body(("plain",)).get_content()
    assert plain.startswith(f"李四:截至 {DAY}(第 2 周),冠县逾期未完成事项 {len(guan)} 项")
    # the county's own summary: its plans, not the city's county table
    assert "一、冠县分方案逾期情况" in plain and "东昌府区" not in plain
    rows = attachment_rows(msg)
    assert attachment(msg).get_filename() == f"逾期事项_冠县_{DAY}.xlsx"
    assert len(rows) == len(guan) and {r["所属县区"] for r in rows} == {"冠县"}
    assert company in {r["责任主体"] for r in rows}

    chiping = overdue_records(engine, "茌平区")
    chiping_rows = attachment_rows(by_rcpt["chiping@example.com"])
    assert len(chiping_rows) == len(chiping) and company not in {r["责任主体"] for r in chiping_rows}

    city = by_rcpt[CITY]
    assert len(attachment_rows(city)) == len(overdue_records(engine))
    summary = city.get_body(("plain",)).get_content().split("一、各县(市、区)逾期情况", 1)[1].split("二、", 1)[0]
    for name in ("聊城市应急管理局", "东昌府区", "冠县", "江北水城旅游度假区"):
        assert name in summary
    assert sent_log(engine) == [("2025-W02", "chiping@example.com", "overdue:茌平区"),
                                ("2025-W02", CITY, "overdue"),
                                ("2025-W02", "guanxian@example.com", "overdue:冠县")]

    again = mail("--to", CITY, "--per-county")
    assert again.exit_code == 0
    assert len(server.handler.envelopes) == 3
    assert "发送 0 封,跳过 3 封" in again.stdout


def test_per_county_without_city_address_sends_counties_only(mail, cli, server, engine):
    set_contacts(cli)
    result = mail("--per-county")
    assert result.exit_code == 0, result.output
    assert sorted(e.rcpt_tos[0] for e in server.handler.envelopes) == ["chiping@example.com", "guanxian@example.com"]


def test_refused_connection_marks_nothing_then_next_run_delivers_all(mail, cli, server, engine):
    set_contacts(cli)
    server.stop()

    failed = mail("--to", CITY, "--per-county")

    assert failed.exit_code == 5
    reason = f"无法连接邮件服务器 127.0.0.1:{server.port}:连接被拒绝(服务器未运行或端口不对)"
    assert failed.stderr.splitlines()[-4:] == [
        f"错误:3 封邮件未能发出,均未记为已发送,下次运行将重新发送:{reason}",
        f"  市局 <{CITY}>:{reason}",
        f"  茌平区 <chiping@example.com>:{reason}",
        f"  冠县 <guanxian@example.com>:{reason}",
    ]
    assert "Traceback" not in failed.output
    assert sent_log(engine) == []

    server.start()
    ok = mail("--to", CITY, "--per-county")
    assert ok.exit_code == 0, ok.output
    assert len(server.handler.envelopes) == 3
    assert len(sent_log(engine)) == 3


def test_refused_recipient_fails_alone_and_is_retried(mail, cli, server, engine):
    set_contacts(cli)
    server.handler.refuse = {"chiping@example.com"}

    failed = mail("--to", CITY, "--per-county")

    assert failed.exit_code == 5
    assert "错误:1 封邮件未能发出(已发出 2 封并已记录),下次运行只补发未发出的:邮件服务器拒收该收件人(550" in failed.stderr
    assert "茌平区 <chiping@example.com>:邮件服务器拒收该收件人(550" in failed.stderr
    assert [k for _, _, k in sent_log(engine)] == ["overdue", "overdue:冠县"]

    server.handler.refuse = set()
    ok = mail("--to", CITY, "--per-county")
    assert ok.exit_code == 0
    assert "发送 1 封,跳过 2 封" in ok.stdout
    assert [e.rcpt_tos for e in server.handler.envelopes][-1] == ["chiping@example.com"]
    assert len(sent_log(engine)) == 3


def test_dry_run_writes_eml_and_sends_nothing(mail, cli, server, engine, tmp_path):
    set_contacts(cli)
    out = tmp_path / "eml"

    result = mail("--to", CITY, "--per-county", "--dry-run", str(out))

    assert result.exit_code == 0, result.output
    assert "试运行:写入 3 封,未发送任何邮件" in result.stdout
    files = sorted(out.glob("*.eml"))
    assert [f.name for f in files] == ["2025-W02-overdue-01-city@example.com.eml",
                                       "2025-W02-overdue-02-chiping@example.com.eml",
                                       "2025-W02-overdue-03-guanxian@example.com.eml"]
    first = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert first["Subject"].startswith(f"【治本攻坚】截至 {DAY} 逾期 {len(overdue_records(engine))} 项(新增 ")
    assert first["From"] == SENDER  # the From a real send uses
    assert server.handler.envelopes == []
    assert sent_log(engine) == []
    # the upcoming preview beside it, and a second overdue preview, overwrite nothing
    upcoming = cli("mail", "upcoming", "--as-of", DAY, "--to", CITY, "--smtp-from", SENDER, "--dry-run", str(out))
    assert upcoming.exit_code == 0, upcoming.output
    again = mail("--to", CITY, "--dry-run", str(out))
    assert again.exit_code == 0, again.output
    assert sorted(f.name for f in out.glob("*.eml")) == sorted(
        [f.name for f in files] + ["2025-W02-upcoming-01-city@example.com.eml", "2025-W02-overdue-01-city@example.com-2.eml"])


def test_dry_run_without_a_sender_is_refused_like_a_real_send(cli, tmp_path):
    r = cli("mail", "overdue", "--as-of", DAY, "--to", CITY, "--dry-run", str(tmp_path / "eml"), env={"ZHIBEN_SMTP_FROM": ""})
    assert r.exit_code != 0
    assert "未设置发件人" in r.output and not (tmp_path / "eml").exists()


def test_nothing_overdue_sends_short_message_unless_configured_off(cli, server, engine, tmp_path):
    base = ["mail", "overdue", "--as-of", "2024-01-02", "--to", CITY, "--smtp-host", "127.0.0.1",
            "--smtp-port", str(server.port), "--smtp-security", "none", "--smtp-from", SENDER]

    result = cli(*base)

    assert result.exit_code == 0, result.output
    (msg,) = server.handler.messages()
    assert msg["Subject"] == "【治本攻坚】截至 2024-01-02 无逾期事项"
    assert msg.get_body(("plain",)).get_content().startswith("市应急管理局:截至 2024-01-02(第 1 周),全市无逾期事项。")
    assert list(msg.iter_attachments()) == []

    config = tmp_path / "config.toml"
    config.write_text("[mail]\nsend_empty = false\n", encoding="utf-8")
    off = cli(*base, "--force")
    assert off.exit_code == 0
    assert "无逾期事项,按设置不发送:市局" in off.stderr
    assert len(server.handler.envelopes) == 1

    on = cli(*base, "--force", "--send-empty")
    assert on.exit_code == 0
    assert len(server.handler.envelopes) == 2


def test_settings_from_environment(cli, server, engine):
    env = {"ZHIBEN_SMTP_HOST": "127.0.0.1", "ZHIBEN_SMTP_PORT": str(server.port), "ZHIBEN_SMTP_SECURITY": "none",
           "ZHIBEN_SMTP_FROM": SENDER, "ZHIBEN_MAIL_TO": "a@example.com, b@example.com"}

    result = cli("mail", "overdue", "--as-of", DAY, env=env)

    assert result.exit_code == 0, result.output
    assert sorted(e.rcpt_tos[0] for e in server.handler.envelopes) == ["a@example.com", "b@example.com"]


def test_missing_settings_are_clear_errors(cli, engine):
    no_to = cli("mail", "overdue", "--as-of", DAY)
    assert no_to.exit_code == 5
    assert "错误:未指定收件人" in no_to.stderr

    no_host = cli("mail", "overdue", "--as-of", DAY, "--to", CITY, "--smtp-from", SENDER)
    assert no_host.exit_code == 5
    assert "错误:未配置邮件服务器" in no_host.stderr

    nobody = cli("mail", "overdue", "--as-of", DAY, "--per-county", "--smtp-from", SENDER)
    assert nobody.exit_code == 5
    assert nobody.stderr.endswith("错误:没有任何收件人:市局收件地址未设置,县级单位也都没有联系邮箱\n")

    bad_to = cli("mail", "overdue", "--as-of", DAY, "--to", "city-at-example")
    assert bad_to.exit_code == 2
    assert "错误:命令行参数:收件人“city-at-example”格式不正确" in bad_to.stderr
    assert sent_log(engine) == []


class Auth:
    def __init__(self):
        self.logins = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        self.logins.append(auth_data.login.decode())
        ok = auth_data.login == b"city" and auth_data.password == SECRET.encode()
        # handled=False makes the server answer a failure with 535 itself.
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server():
    auth = Auth()
    srv = Server(authenticator=auth, auth_require_tls=False)
    srv.auth = auth
    srv.start()
    yield srv
    srv.stop()


def auth_run(cli, srv, env):
    return cli("mail", "overdue", "--as-of", DAY, "--to", CITY, "--smtp-host", "127.0.0.1", "--smtp-port",
               str(srv.port), "--smtp-security", "none", "--smtp-from", SENDER, "--smtp-user", "city", env=env)


def test_login_with_password_file_never_prints_it(cli, auth_server, engine, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    secret.chmod(0o600)

    result = auth_run(cli, auth_server, {"ZHIBEN_SMTP_PASSWORD_FILE": str(secret)})

    assert result.exit_code == 0, result.output
    assert auth_server.auth.logins == ["city"]
    assert len(auth_server.handler.envelopes) == 1
    assert SECRET not in result.output


def test_wrong_password_is_a_clear_error(cli, auth_server, engine):
    result = auth_run(cli, auth_server, {"ZHIBEN_SMTP_PASSWORD": "wrong-one"})

    assert result.exit_code == 5
    assert "拒绝登录,请检查用户名和密码" in result.stderr
    assert "wrong-one" not in result.output
    assert sent_log(engine) == []


def test_user_without_password_is_refused(cli, auth_server, engine):
    result = auth_run(cli, auth_server, {})
    assert result.exit_code == 5
    assert "已设置 SMTP 用户名但没有密码" in result.stderr
    assert auth_server.handler.envelopes == []


def test_world_readable_password_file_is_refused(cli, auth_server, engine, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(SECRET, encoding="utf-8")
    secret.chmod(0o644)
    (tmp_path / "config.toml").write_text(f'[smtp]\npassword_file = "{secret}"\n', encoding="utf-8")

    result = auth_run(cli, auth_server, {})

    assert result.exit_code == 2
    assert f"错误:密码文件 {secret} 的权限为 0644,其他用户也能访问,拒绝使用;请执行 chmod 600 {secret}" in result.stderr
    assert SECRET not in result.output
    assert auth_server.handler.envelopes == []


def test_set_contact(cli, engine):
    ok = cli("county", "set-contact", "经开区", "--email", "kfq@example.com", "--name", "王五")
    assert ok.exit_code == 0
    assert ok.stdout == "已设置 聊城经济技术开发区 的联系邮箱:kfq@example.com(联系人:王五)\n"
    with Session(engine) as s:
        row = s.exec(select(models.County).where(models.County.name == "聊城经济技术开发区")).one()
        assert (row.contact_name, row.contact_email) == ("王五", "kfq@example.com")

    unknown = cli("county", "set-contact", "火星区", "--email", "x@example.com")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("错误:未知的县(市、区)“火星区”")

    bad = cli("county", "set-contact", "冠县", "--email", "guanxian@")
    assert bad.exit_code == 2
    assert bad.stderr == "错误:邮箱地址“guanxian@”格式不正确(应如 name@example.com)\n"


# ---------------------------------------------------------------- encrypted connections


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_context(certificate):
    import ssl

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


def tls_run(cli, srv, security, env=None):
    return cli("mail", "overdue", "--as-of", DAY, "--to", CITY, "--smtp-host", "127.0.0.1", "--smtp-port",
               str(srv.port), "--smtp-security", security, "--smtp-from", SENDER, env=env)


@pytest.mark.slow  # the certificate fixture runs openssl
def test_starttls_delivers_with_a_trusted_certificate(cli, engine, certificate):
    srv = Server(tls_context=server_context(certificate), require_starttls=True)
    srv.start()
    try:
        result = tls_run(cli, srv, "starttls", {"SSL_CERT_FILE": str(certificate[0])})
    finally:
        srv.stop()
    assert result.exit_code == 0, result.output
    assert [e.rcpt_tos for e in srv.handler.envelopes] == [[CITY]]


@pytest.mark.slow  # the certificate fixture runs openssl
def test_ssl_delivers_with_a_trusted_certificate(cli, engine, certificate):
    srv = Server(ssl_context=server_context(certificate))
    srv.start()
    try:
        result = tls_run(cli, srv, "ssl", {"SSL_CERT_FILE": str(certificate[0])})
    finally:
        srv.stop()
    assert result.exit_code == 0, result.output
    assert len(srv.handler.envelopes) == 1


@pytest.mark.slow  # the certificate fixture runs openssl
def test_untrusted_certificate_is_refused(cli, engine, certificate, tmp_path):
    srv = Server(ssl_context=server_context(certificate))
    srv.start()
    try:
        result = tls_run(cli, srv, "ssl", {"SSL_CERT_FILE": str(tmp_path / "no-such-ca.pem")})
    finally:
        srv.stop()
    assert result.exit_code == 5
    assert f"邮件服务器 127.0.0.1:{srv.port} 的证书验证失败(" in result.stderr
    assert srv.handler.envelopes == [] and sent_log(engine) == []


def test_starttls_against_a_plain_server_is_a_clear_error(cli, server, engine):
    result = tls_run(cli, server, "starttls")
    assert result.exit_code == 5
    assert "不支持所需功能(STARTTLS 或登录);请检查 --smtp-security 设置" in result.stderr
    assert sent_log(engine) == []


def test_csv_copy_is_text_csv_utf8_with_both_name_encodings(mail, server, engine):
    result = mail("--to", CITY, "--csv")
    assert result.exit_code == 0, result.output
    (env,) = server.handler.envelopes
    assert len(env.content) < 200_000
    (msg,) = server.handler.messages()
    xlsx, csv_part = list(msg.iter_attachments())
    assert xlsx.get_filename() == f"逾期事项_全市_{DAY}.xlsx"
    assert csv_part.get_filename() == f"逾期事项_全市_{DAY}.csv"
    assert csv_part.get_content_type() == "text/csv" and csv_part.get_param("charset") == "utf-8"
    raw = env.content.decode("ascii").split("Content-Type: text/csv", 1)[1].split("\r\n\r\n", 1)[0]
    assert raw.startswith("; charset=utf-8; name=\"=?utf-8?b?") and "filename*=utf-8''" in raw
    text = csv_part.get_payload(decode=True).decode("utf-8")
    assert text.startswith("\ufeff编号,方案,事项") and len(text.splitlines()) == len(overdue_records(engine)) + 1
    assert "另附同一清单的 CSV 文件。" in msg.get_body(("plain",)).get_content()
