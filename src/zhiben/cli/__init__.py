"""zhiben's command line: thin commands composed into one app.

Each command parses its options, calls one core function with a session, and renders. Domain
errors become one Chinese line on stderr and a non-zero exit code here, in one place.
"""

from __future__ import annotations

import gc
import importlib
import sys
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer._click as click
from typer.core import TyperGroup

from zhiben import __version__
from zhiben.cli import usage
from zhiben.db import failures as dbfailure
from zhiben.errors import DatabaseError, ZhibenError
from zhiben.inputs import limits
from zhiben.inputs.limits import SHOWN_PROBLEMS, for_terminal


def report_error(exc: ZhibenError) -> None:
    typer.echo(for_terminal(f"错误:{exc.message}"), err=True)
    for line in exc.problems[:SHOWN_PROBLEMS]:
        typer.echo(f"  {for_terminal(line)}", err=True)
    if len(exc.problems) > SHOWN_PROBLEMS:
        typer.echo(f"  ……另有 {len(exc.problems) - SHOWN_PROBLEMS} 处问题未列出(共 {len(exc.problems)} 处)", err=True)


def _check_arguments(args: list[str]) -> None:
    """The door for every value typed on the command line: no control characters or bidi overrides
    (they would be stored and later drive the terminal), nothing longer than any field takes."""
    for i, value in enumerate(args or ()):
        if not isinstance(value, str):
            continue
        before = args[i - 1] if i else ""
        option = value.split("=", 1)[0] if value.startswith("--") else before if before.startswith("-") else "命令行参数"
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
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen: BaseException | None = exc
        failed_io = False
        while seen is not None:
            # Only a failed write leaves such finalisers; a full collection per user mistake would
            # cost a long-lived caller (the test suite's thousands of refused values) seconds.
            failed_io = failed_io or isinstance(seen, OSError) or type(seen).__name__ == "SerialisationError"
            nxt = seen.__context__ or seen.__cause__
            seen.__traceback__ = seen.__context__ = seen.__cause__ = None
            seen = nxt
        if failed_io:
            gc.collect()
    finally:
        sys.unraisablehook = hook


# The root's command table, in the order of `zhiben --help`: daily work first, then data, outputs,
# administration. A command's module is imported only when that command runs or its help is shown
# (pip's commands_dict), so `zhiben overdue` does not pay for the workbook, mail or docx code.
# The one-line help is the command's own first help paragraph; tests/test_cli_lazy.py keeps them equal.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("overdue", "reports", "逾期事项:先按事项汇总(涉及县区、企业数,最长逾期),--detail 逐行列出。"),
    ("upcoming", "reports", "即将到期:未来若干天内到期、尚未完成的事项,先按事项汇总,--detail 逐行列出。"),
    ("progress", "reports", "完成进度:按县区为通报格式(本级与企业分列、按期完成率、可排名),也可按方案、事项、企业。"),
    ("trend", "trend", "趋势:各县区(方案、事项)在一串日期上的逾期率、按期完成率、已到期和逾期,每个数字与该日期的 progress --as-of 相同。"),
    ("done", "track", "标记一个事项(一个周期)已完成,并写入变更日志;--attach 同时保存佐证文件。"),
    ("reopen", "track", "撤销一个完成记录(事项恢复为未完成),并写入变更日志。"),
    ("log", "log", "查看变更日志:何时、何人、何事、状态由何变为何、佐证。"),
    ("export", "export", "把报表导出为文件(CSV 可直接用 Excel 打开,XLSX 带格式,ICS 可导入日历),或导出县区填报模板。"),
    ("report", "meeting", "生成会议用的单文件 HTML 报告,离线可打开,可直接打印为 A4,手机上也能看。"),
    ("init", "setup", "创建数据库并载入事项目录和 11 个县级单位。"),
    ("load", "setup", "重新载入事项目录:幂等,保留所有完成记录;从目录中消失的事项只标记停用并报告。"),
    ("backup", "backup", "在线备份数据库(其他人同时读写也安全);PostgreSQL 请用 pg_dump。"),
    ("restore", "backup", "从备份恢复数据库:先校验备份文件;恢复前的数据库另存为带时间的 .bak 文件(每次一个新文件,不覆盖)。"),
    ("check", "check", "核对事项实例表:从头重新计算全部期限,与表中内容逐条比较。"),
    ("evidence", "evidence", "佐证文件:随完成记录保存在数据库中,可列出、取回、校验、删除和打包。"),
    ("enterprise", "enterprise", "企业名册:导入、查询、增加、注销企业,查看企业的事项和完成情况。"),
    ("event", "event", "企业事件(试生产、竣工验收、停产停建、复工复产、师带徒、监测报警)及其派生期限。"),
    ("target", "target", "量化目标:查看目标、填报测算值。"),
    ("catalogue", "catalogue", "事项目录:校验、列出、查看。"),
    ("calendar", "calendar", "节假日日历:补充法定节假日和调休(优先于程序自带数据,用于按工作日计算的期限)。"),
    ("county", "county", "县(市、区)及市属开发区。"),
    ("park", "park", "化工园区:登记和列出园区。"),
    ("bulletin", "bulletin", "通报:按 GB/T 9704 排版的 Word 文件,保存每期印发的数字,较上期对比。"),
    ("status", "status", "填报状态回收:导入县区填好的模板。"),
    ("mail", "mail", "通过邮件发送每周逾期摘要和即将到期摘要(适合定时任务)。"),
    ("notify", "notify", "把每周摘要发到钉钉群或企业微信群(群机器人 Webhook)。"),
    ("config", "config", "设置:方案生效日期(存于数据库)、邮件等(配置文件、环境变量)。"),
)


class _LazyCommands(MutableMapping):
    """The root's `commands`: every name of COMMANDS is there, its command built on first access
    (click and the tests that walk the tree read `group.commands` like a dict)."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module = _MODULES[name]  # KeyError for an unknown name, as a dict
            self._loaded.update(_build(module))
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*_MODULES, *(n for n in self._loaded if n not in _MODULES)])

    def __len__(self) -> int:
        return len(list(iter(self)))


_MODULES = {name: module for name, module, _ in COMMANDS}
_SHORT_HELP = {name: short for name, _, short in COMMANDS}


def _build(module: str) -> dict[str, click.Command]:
    """Import one command module and turn what its register() adds into click commands."""
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(f"zhiben.cli.{module}").register(holder)
    built = dict(typer.main.get_group(holder).commands)
    for command in built.values():
        usage.install(command)
    return built


class ZhibenGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context_class = usage.CONTEXT  # Chinese help frame (用法/选项/参数/命令); commands get it when built
        self.commands = _LazyCommands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list in `zhiben --help` comes from the table: showing it imports no command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, _SHORT_HELP[name]) for name in _MODULES])

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if parent is None:
            _check_arguments(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:  # the root's own options, before any command runs
            if not usage.is_usage_error(exc):
                raise
            usage.show_usage_error(exc)
            raise typer.Exit(0 if type(exc).__name__ == "NoArgsIsHelpError" else 2) from None

    def invoke(self, ctx: click.Context) -> Any:
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
    # Reading the catalogue loads pydantic (a third of a second): only --version pays for it.
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
) -> None:
    ctx.obj = {"db": db}


def main() -> None:
    try:
        app(prog_name="zhiben")  # also under `python -m zhiben`: usage lines name the command users type
    except ZhibenError as exc:  # raised outside a command (e.g. while parsing the callback)
        report_error(exc)
        sys.exit(exc.exit_code)
