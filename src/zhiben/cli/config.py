"""zhiben config path / show."""

from __future__ import annotations

import typer

app = typer.Typer(help="邮件等设置(配置文件、环境变量)。", no_args_is_help=True)


@app.command("path")
def path():
    """显示配置文件的位置(可用环境变量 ZHIBEN_CONFIG 改用其他文件)。"""
    from zhiben.mail import settings as config

    typer.echo(str(config.config_path()))


@app.command("show")
def show():
    """显示当前生效的设置及其来源(不显示密码)。"""
    from zhiben.mail import settings as config

    file = config.config_path()
    settings = config.load()
    typer.echo(f"配置文件:{file}{'' if file.exists() else '(不存在,使用环境变量和默认值)'}")
    for name, label in config.LABELS.items():
        value = getattr(settings, name)
        if name == "port":
            value = settings.effective_port
        elif name == "to":
            value = "、".join(value) if value else None
        elif name == "send_empty":
            value = "是" if value else "否"
        shown = "(未设置)" if value in (None, "") else value
        typer.echo(f"{label}:{shown}  [{settings.sources[name]}]")
    typer.echo(f"密码:{config.password_source(settings)}")


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="config")
