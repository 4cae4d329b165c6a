"""zhiben's command line: thin commands composed into one app.

Each command parses its options, calls one core function with a session, and renders. Domain
errors become one Chinese line on stderr and a non-zero exit code here, in one place.
"""

from __future__ import annotations

import sys
import time

import typer
from typer.core import TyperGroup

from zhiben.errors import DatabaseError, ZhibenError


def report_error(exc: ZhibenError) -> None:
    from zhiben.inputs.limits import SHOWN_PROBLEMS, for_terminal

    typer.echo(for_terminal(f"错误:{exc.message}"), err=True)
    for line in exc.problems[:SHOWN_PROBLEMS]:
        typer.echo(f"  {for_terminal(line)}", err=True)
    if len(exc.problems) > SHOWN_PROBLEMS:
        typer.echo(f"  ……另有 {len(exc.problems) - SHOWN_PROBLEMS} 处问题未列出(共 {len(exc.problems)} 处)", err=True)


def _check_arguments(args) -> None:
    """The door for every value typed on the command line: no control characters or bidi overrides
    (they would be stored and later drive the terminal), nothing longer than any field takes."""
    from zhiben.inputs import limits

    for i, value in enumerate(args or ()):
        if not isinstance(value, str):
            continue
        before = args[i - 1] if i else ""
        option = value.split("=", 1)[0] if value.startswith("--") else before if before.startswith("-") else f"第 {i + 1} 个参数"
        try:
            limits.check_argument(option, value)
        except ZhibenError as exc:
            report_error(exc)
            _release(exc)
            raise typer.Exit(exc.exit_code) from None


def _release(exc: BaseException) -> None:
    """Free what the failed work still holds (through the error's tracebacks) now, quietly: a half
    written workbook's zip file and XML writers try to finish in their finalisers and, on a full
    disk, would print "Exception ignored … Traceback" after the one Chinese line."""
    import gc

    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen: BaseException | None = exc
        while seen is not None:
            nxt = seen.__context__ or seen.__cause__
            seen.__traceback__ = seen.__context__ = seen.__cause__ = None
            seen = nxt
        gc.collect()
    finally:
        sys.unraisablehook = hook


class ZhibenGroup(TyperGroup):
    def __init__(self, *args, **kwargs):
        from zhiben.cli import usage

        super().__init__(*args, **kwargs)
        usage.install(self)  # Chinese help frame (用法/选项/参数/命令) for every command

    def make_context(self, info_name, args, parent=None, **extra):
        from zhiben.cli import usage

        if parent is None:
            _check_arguments(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:  # the root's own options, before any command runs
            if not usage.is_usage_error(exc):
                raise
            usage.show_usage_error(exc)
            raise typer.Exit(0 if type(exc).__name__ == "NoArgsIsHelpError" else 2) from None

    def invoke(self, ctx):
        from zhiben.db import failures as dbfailure

        started = time.monotonic()  # a busy message says how long this command really waited
        try:
            return super().invoke(ctx)
        except ZhibenError as exc:
            report_error(exc)
            _release(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:  # click would print "Aborted!"
            typer.echo("\n已中止(未完成的操作已撤销)", err=True)
            raise typer.Exit(130) from None
        except OverflowError:
            # A number or date too large for the computation; the specific options are bounded,
            # this keeps any that are not from ending in a traceback.
            typer.echo("错误:数值或日期超出可处理的范围", err=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if dbfailure.is_driver_error(exc):  # busy, read-only, disk full, unreachable server, write conflict
                report_error(DatabaseError(dbfailure.describe(exc, waited=time.monotonic() - started)))
                raise typer.Exit(DatabaseError.exit_code) from None
            from zhiben.cli import usage

            if not usage.is_usage_error(exc):
                raise
            usage.show_usage_error(exc)
            raise typer.Exit(0 if type(exc).__name__ == "NoArgsIsHelpError" else 2) from None


app = typer.Typer(
    cls=ZhibenGroup,
    help="治本:聊城市安全生产治本攻坚三年行动(2024—2026)期限跟踪工具。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if not value:
        return
    from zhiben import __version__
    from zhiben.catalogue import model

    cat = model.read()
    revised = f",修订日期 {cat.revised}" if cat.revised else ""
    typer.echo(f"zhiben {__version__}")
    typer.echo(f"事项目录:版本 {cat.version or '未标注'}{revised},{len(cat.milestones)} 个事项")
    raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar="ZHIBEN_DB", metavar="<路径或地址>", help="数据库文件路径或 SQLAlchemy 地址(默认在用户数据目录)"),
    version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                 help="显示程序版本和事项目录的版本、修订日期,然后退出"),
):
    ctx.obj = {"db": db}


def _register() -> None:
    # Order is the order of `zhiben --help`: daily work first, then data, outputs, administration.
    from zhiben.cli import (
        backup,
        bulletin,
        calendar,
        catalogue,
        check,
        config,
        county,
        enterprise,
        event,
        evidence,
        export,
        mail,
        meeting,
        notify,
        park,
        reports,
        setup,
        status,
        target,
        track,
        trend,
    )

    for module in (reports, trend, track, evidence, enterprise, event, target, catalogue, calendar, county, park, export,
                   meeting, bulletin, status,
                   mail, notify, config, setup, backup, check):
        module.register(app)


_register()


def main() -> None:
    try:
        app(prog_name="zhiben")  # also under `python -m zhiben`: usage lines name the command users type
    except ZhibenError as exc:  # raised outside a command (e.g. while parsing the callback)
        report_error(exc)
        sys.exit(exc.exit_code)
