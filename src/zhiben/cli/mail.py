"""zhiben mail overdue|upcoming: the weekly digest mails (meant for cron / a systemd timer)."""

from __future__ import annotations

from pathlib import Path

import typer

from zhiben.cli import common
from zhiben.errors import MailError
from zhiben.mail import digest as notify
from zhiben.mail import send
from zhiben.mail import settings as config

app = typer.Typer(help="通过邮件发送每周逾期摘要和即将到期摘要(适合定时任务)。", no_args_is_help=True)


def _run(ctx: typer.Context, kind: str, days: int, to: list[str] | None, per_county: bool, as_of: str | None,
         dry_run: Path | None, force: bool, send_empty: bool | None, smtp_host: str | None, smtp_port: int | None,
         smtp_security: str | None, smtp_user: str | None, smtp_from: str | None, with_csv: bool = False) -> None:
    settings = config.load({"host": smtp_host, "port": smtp_port, "security": smtp_security, "user": smtp_user,
                            "sender": smtp_from, "to": to, "send_empty": send_empty})
    day = common.as_of(as_of)
    week = send.iso_week(day)
    if not settings.to and not per_county:
        raise MailError("未指定收件人:请用 --to、环境变量 ZHIBEN_MAIL_TO 或配置文件 [mail] to 设置市局收件地址")
    if settings.sender is None and settings.user and "@" in settings.user:
        settings.sender = settings.user
    if settings.sender is None:
        # A preview too: it shows the From a real send would use, not a stand-in.
        raise MailError("未设置发件人:请用 --smtp-from、环境变量 ZHIBEN_SMTP_FROM 或配置文件 [smtp] from 设置")
    # Read (and permission-check) the password before building anything, so a bad file fails fast.
    password = None if dry_run is not None else config.password(settings)
    with common.session(ctx) as s:
        items, notes = notify.build(s, settings, day, per_county=per_county, kind=kind, days=days,
                                    with_csv=with_csv)
        for note in notes:
            typer.echo(f"提示:{note}", err=True)
        if not items:
            typer.echo(f"{week}:没有需要发送的邮件")
            return
        if dry_run is not None:
            done = set() if force else send.already_sent(s, week, items)
            pending = [o for o in items if (o.recipient, o.kind) not in done]
            for o in items:
                if (o.recipient, o.kind) in done:
                    typer.echo(f"跳过(本周已发送):{o.label} <{o.recipient}>")
            for path, o in zip(send.write_eml(pending, dry_run, week), pending, strict=True):
                typer.echo(f"已写入:{path}({o.label} <{o.recipient}>,{o.count} 项,{_kb(o.size)})")
            typer.echo(f"试运行:写入 {len(pending)} 封,未发送任何邮件")
            return
        result = send.deliver(s, items, settings, password, week, force=force)
    for o in result.skipped:
        typer.echo(f"跳过(本周已发送):{o.label} <{o.recipient}>")
    for o in result.sent:
        typer.echo(f"已发送:{o.label} <{o.recipient}>,{o.count} 项,{_kb(o.size)}")
    typer.echo(f"{week}:发送 {len(result.sent)} 封,跳过 {len(result.skipped)} 封,失败 {len(result.failed)} 封")
    if result.failed:
        reasons = list(dict.fromkeys(reason for _, reason in result.failed))
        head = (f"{len(result.failed)} 封邮件未能发出(已发出 {len(result.sent)} 封并已记录),下次运行只补发未发出的"
                if result.sent else f"{len(result.failed)} 封邮件未能发出,均未记为已发送,下次运行将重新发送")
        raise MailError(f"{head}:{reasons[0]}",
                        problems=[f"{o.label} <{o.recipient}>:{reason}" for o, reason in result.failed])


def _kb(size: int) -> str:
    return f"{size / 1000:.0f} KB"


To = typer.Option(None, "--to", metavar="<地址>", help="市局收件地址(可重复);默认取 ZHIBEN_MAIL_TO 或配置文件")
PerCounty = typer.Option(False, "--per-county", help="另给每个设置了联系邮箱的县级单位发送其自身的摘要和清单")
AsOf = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP)
DryRun = typer.Option(None, "--dry-run", metavar="<目录>", help="只把每封邮件写成 .eml 文件存入该目录,不发送(文件名含 overdue/upcoming,不覆盖已有文件)",
                      file_okay=False)
Force = typer.Option(False, "--force", help="本周已发送过的也再发一次")
SendEmpty = typer.Option(None, "--send-empty/--no-send-empty", help="没有事项时是否仍发送简短邮件(默认发送)")
Host = typer.Option(None, "--smtp-host", help="SMTP 服务器(覆盖 ZHIBEN_SMTP_HOST 和配置文件)")
Port = typer.Option(None, "--smtp-port", min=1, max=65535, help="SMTP 端口(默认按加密方式 25/587/465)")
Security = typer.Option(None, "--smtp-security", metavar="none|starttls|ssl", help="加密方式:none|starttls|ssl(默认 starttls)")
User = typer.Option(None, "--smtp-user", help="SMTP 用户名(密码只从 ZHIBEN_SMTP_PASSWORD 或密码文件读取)")
Csv = typer.Option(False, "--csv", help="另附同一清单的 CSV 文件(仅在邮件仍小于 200 KB 时附上)")
From = typer.Option(None, "--smtp-from", help="发件人,可带显示名:“聊城市应急管理局治本攻坚专班 <zhiben@example.com>”")


@app.command("overdue")
def overdue(ctx: typer.Context, to: list[str] = To, per_county: bool = PerCounty, as_of: str = AsOf,
            days: int = typer.Option(14, "--days", help="摘要中“未来几天内到期”的天数", min=0, max=common.MAX_DAYS),
            dry_run: Path = DryRun, force: bool = Force, send_empty: bool = SendEmpty, smtp_host: str = Host,
            smtp_port: int = Port, smtp_security: str = Security, smtp_user: str = User, smtp_from: str = From,
            with_csv: bool = Csv) -> None:
    """每周逾期摘要:各县区×方案逾期率、上次邮件以来新增逾期、逾期最久的 20 个事项、未来 14 天到期,附 XLSX 清单。

    市局收到全市摘要,--per-county 时各县级单位收到本单位摘要。每封邮件小于 200 KB。
    每周(按 ISO 周)每个收件人只发一次,重复运行不会重复发送;发送失败时以非零状态退出。
    """
    _run(ctx, "overdue", days, to, per_county, as_of, dry_run, force, send_empty, smtp_host, smtp_port,
         smtp_security, smtp_user, smtp_from, with_csv)


@app.command("upcoming")
def upcoming(ctx: typer.Context, to: list[str] = To, per_county: bool = PerCounty, as_of: str = AsOf,
             days: int = typer.Option(14, "--days", help="未来天数", min=0, max=common.MAX_DAYS),
             dry_run: Path = DryRun, force: bool = Force, send_empty: bool = SendEmpty, smtp_host: str = Host,
             smtp_port: int = Port, smtp_security: str = Security, smtp_user: str = User, smtp_from: str = From,
            with_csv: bool = Csv) -> None:
    """即将到期摘要:未来若干天(默认 14 天)内到期的事项,按事项汇总,附 XLSX 清单。每周每个收件人只发一次。"""
    _run(ctx, "upcoming", days, to, per_county, as_of, dry_run, force, send_empty, smtp_host, smtp_port,
         smtp_security, smtp_user, smtp_from, with_csv)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="mail")
