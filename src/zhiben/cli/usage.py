"""Command-line usage mistakes (missing argument, unknown option, bad value) in Chinese.

The parser's own messages are English; users read Chinese. Matched by class name so this works
whether typer vendors click or uses it directly.
"""

from __future__ import annotations

import re

TYPE_NAMES = {"integer": "整数", "float": "数字", "boolean": "是/否", "choice": "可选值之一", "text": "文本",
              "path": "路径", "file": "文件", "integer range": "范围内的整数", "float range": "范围内的数字"}


def is_usage_error(exc: BaseException) -> bool:
    return any(c.__name__ == "UsageError" for c in type(exc).__mro__)


def _hint(exc) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint:
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    param = getattr(exc, "param", None)
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts)
    return (getattr(param, "metavar", None) or param.name or "").upper()


def message(exc) -> str:
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    where = f"(用 {ctx.command_path} -h 查看用法)" if ctx is not None else ""
    if kind == "MissingParameter":
        param = getattr(exc, "param", None)
        what = "选项" if getattr(param, "param_type_name", "") == "option" else "参数"
        return f"缺少{what} {_hint(exc)}{where}"
    if kind == "NoSuchOption":
        near = sorted(getattr(exc, "possibilities", None) or [])
        also = f";是否要用:{'、'.join(near)}" if near else ""
        return f"没有这个选项:{exc.option_name}{also}{where}"
    if kind == "BadParameter":
        param = getattr(exc, "param", None)
        type_name = getattr(getattr(param, "type", None), "name", "")
        detail = str(getattr(exc, "message", ""))
        if type_name not in TYPE_NAMES:  # typer validates through pydantic and names the type in English
            type_name = next((t for t in ("integer", "float", "boolean") if t in detail), type_name)
        expected = f"(应为{TYPE_NAMES[type_name]})" if type_name in TYPE_NAMES else ""
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if (low is not None or high is not None) and ("than" in detail or "range" in detail):
            expected = (f"(应为 {low} 到 {high} 之间的整数)" if low is not None and high is not None
                        else f"(应为不小于 {low} 的整数)" if low is not None else f"(应为不大于 {high} 的整数)")
        return f"{_hint(exc)} 的值无效{expected}{where}"
    text = str(getattr(exc, "message", exc))
    if kind == "NoSuchCommand" or text.startswith("No such command"):
        name = re.search(r"No such command '(.*?)'", text)
        near = re.findall(r"'([^']*)'", text.split("Did you mean", 1)[1]) if "Did you mean" in text else []
        also = f";是否要用:{'、'.join(near)}" if near else ""
        return f"没有这个命令:{name.group(1) if name else text}{also}{where}"
    if "unexpected extra argument" in text:
        extra = re.search(r"\(([^()]*)\)$", text)
        return f"多余的参数:{extra.group(1) if extra else text}{where}"
    if text.startswith("Option ") and "requires" in text:
        return f"选项 {text.split()[1].strip(chr(39))} 需要一个值{where}"
    return f"命令用法有误:{text}{where}"


# --- help text ---------------------------------------------------------------------------------
# The vendored click writes its help frame in English with no translation hook for most strings
# ("Usage: " and "Show this message and exit." are literals), so the formatter translates them.

SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
METAVARS = [("<int range>", "<整数>"), ("<float range>", "<数字>"), ("<str>", "<文本>"), ("<int>", "<整数>"),
            ("<float>", "<数字>"), ("<path>", "<路径>"), ("<file>", "<文件>"), ("<bool>", "<是/否>"),
            ("<text>", "<文本>"), ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."),
            ("[ARGS]...", "[参数]...")]
NOTES = [(re.compile(r"\[default: (.*?)(; |\])"), r"[默认:\1\2"), (re.compile(r"\[env var: ([^\];]*)"), r"[环境变量:\1"),
         (re.compile(r"\[required\]"), "[必填]"), (re.compile(r"; required\]"), ";必填]"),
         (re.compile(r"^Show this message and exit\.$"), "显示本帮助并退出。")]


def width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def translate_metavars(text: str) -> str:
    for english, chinese in METAVARS:
        text = text.replace(english, chinese)
    return text


def translate_note(text: str) -> str:
    for pattern, chinese in NOTES:
        text = pattern.sub(chinese, text)
    return text


def formatter_class():
    from typer._click.formatting import HelpFormatter

    class ChineseHelpFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, translate_metavars(args), "用法:" if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{SECTIONS.get(heading, heading)}:\n")

        def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
            # click measures characters; Chinese ones are two columns wide, so align by display width.
            from typer._click.formatting import wrap_text

            rows = [(translate_metavars(a), translate_note(b)) for a, b in rows]
            first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
            indent = " " * self.current_indent
            for first, second in rows:
                self.write(f"{indent}{first}")
                if not second:
                    self.write("\n")
                    continue
                if width(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - width(first)))
                else:
                    self.write("\n" + " " * (first_col + self.current_indent))
                lines = wrap_text(second, max(self.width - first_col - 2, 10), preserve_paragraphs=True).splitlines()
                self.write(f"{lines[0] if lines else ''}\n")
                for line in lines[1:]:
                    self.write(f"{'':>{first_col + self.current_indent}}{line}\n")

    return ChineseHelpFormatter


def context_class():
    from typer._click.core import Context

    class ChineseContext(Context):
        formatter_class = formatter_class()

    return ChineseContext


def install(command) -> None:
    """Give `command` and every subcommand the Chinese help frame."""
    command.context_class = CONTEXT
    for sub in getattr(command, "commands", {}).values():
        install(sub)


CONTEXT = context_class()


def show_usage_error(exc) -> None:
    """A usage error raised while the root parses its own arguments (outside any command)."""
    import typer

    if type(exc).__name__ == "NoArgsIsHelpError":
        typer.echo(exc.ctx.get_help())
        return
    typer.echo(f"错误:{message(exc)}", err=True)
