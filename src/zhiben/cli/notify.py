"""zhiben notify dingtalk|wecom: the weekly summary to a 钉钉 or 企业微信 group robot."""

from __future__ import annotations

import os

import typer

from zhiben.cli import common
from zhiben.mail import robots
from zhiben.tracking import subjects

app = typer.Typer(help="把每周摘要发到钉钉群或企业微信群(群机器人 Webhook)。", no_args_is_help=True)

Webhook = typer.Option(None, "--webhook", metavar="<地址>", help="机器人 Webhook 地址(也可用环境变量设置,见 docs/mail.md)")
County = typer.Option(None, "--county", help="只发某个县级单位的摘要(可用简称)")
Kind = typer.Option("overdue", "--kind", metavar="overdue|upcoming", help="overdue:逾期摘要(默认);upcoming:即将到期摘要")
Days = typer.Option(14, "--days", help="“未来几天内到期”的天数", min=0, max=common.MAX_DAYS)
AsOf = typer.Option(None, "--as-of", metavar="<日期>", help=common.AS_OF_HELP)


def _send(ctx: typer.Context, platform: str, webhook: str | None, county: str | None, kind: str, days: int,
          as_of: str | None, secret_file: str | None = None) -> None:
    common.choice(kind, ("overdue", "upcoming"), "摘要类型")
    day = common.as_of(as_of)
    url = robots.check_webhook(webhook or os.environ.get(robots.WEBHOOK_ENV[platform]), platform)
    secret = robots.read_secret(secret_file) if platform == "dingtalk" else None
    with common.session(ctx) as s:
        subject = subjects.county_subject(s, county) if county is not None else None
        title, size = robots.send_summary(s, platform, url, day, county_id=subject.id if subject else None,
                                          county_name=subject.name if subject else None, kind=kind, days=days,
                                          secret=secret)
    signed = "(已加签)" if secret else ""
    typer.echo(f"已发送到{robots.NAMES[platform]}群{signed}:{title}({size:,} 字节)")


@app.command("dingtalk")
def dingtalk(ctx: typer.Context, webhook: str = Webhook,
             secret_file: str = typer.Option(None, "--secret-file", metavar="<文件>",
                                             help="加签密钥文件(仅本人可读);也可用环境变量 ZHIBEN_DINGTALK_SECRET"),
             county: str = County, kind: str = Kind, days: int = Days, as_of: str = AsOf) -> None:
    """发到钉钉群:markdown 消息;机器人开启“加签”时按钉钉文档签名(密钥不写在命令行里,也从不显示)。"""
    _send(ctx, "dingtalk", webhook, county, kind, days, as_of, secret_file)


@app.command("wecom")
def wecom(ctx: typer.Context, webhook: str = Webhook, county: str = County, kind: str = Kind, days: int = Days,
          as_of: str = AsOf) -> None:
    """发到企业微信群:markdown 消息(企业微信群机器人不签名,Webhook 地址中的 key 即凭据,请妥善保管)。"""
    _send(ctx, "wecom", webhook, county, kind, days, as_of)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="notify")
