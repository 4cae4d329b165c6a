"""Command-line usage mistakes (missing argument, unknown option, bad value) in Chinese.

The parser's own messages are English; users read Chinese. Matched by class name so this works
whether typer vendors click or uses it directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer
from typer._click.core import Context
from typer._click.formatting import HelpFormatter

if TYPE_CHECKING:
    from typer._click.core import Command, Context
    from typer._click.formatting import HelpFormatter

TYPE_NAMES = {"integer": "整数", "int": "整数", "int range": "整数", "float": "数字", "boolean": "是/否",
              "choice": "可选值之一", "text": "文本", "path": "路径", "file": "文件", "integer range": "范围内的整数",
              "float range": "范围内的数字"}


def is_usage_error(exc: BaseException) -> bool:
    return any(c.__name__ == "UsageError" for c in type(exc).__mro__)


def _hint(exc: BaseException) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint:
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    param = getattr(exc, "param", None)
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts)
    return (getattr(param, "metavar", None) or param.name or "").upper()


def message(exc: Any) -> str:  # a click usage error: each kind has its own attributes
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
        ptype = getattr(param, "type", None)
        type_name = getattr(ptype, "name", "")
        detail = str(getattr(exc, "message", ""))
        if type_name not in TYPE_NAMES:  # a pydantic-validating typer names the type in the message
            type_name = next((t for t in ("integer", "float", "boolean") if t in detail), type_name)
        expected = f"(应为{TYPE_NAMES[type_name]})" if type_name in TYPE_NAMES else ""
        # The bounds sit on the option (typer) or on its click range type.
        low = next((v for v in (getattr(param, "min", None), getattr(ptype, "min", None)) if v is not None), None)
        high = next((v for v in (getattr(param, "max", None), getattr(ptype, "max", None)) if v is not None), None)
        outside = "than" in detail or ("range" in detail and "not a valid" not in detail)
        if (low is not None or high is not None) and outside:
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
    """Columns `text` takes on a terminal: CJK characters are two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


# Chinese lines may break between any two characters, but never before closing punctuation (a
# lone "。" line) or after opening punctuation; runs of ASCII ("shutdown", "--detail",
# "YYYY-MM-DD", "docs/mail.md", "7,1") break only at spaces. The help texts write ASCII ",:;()"
# inside Chinese too, so an ASCII mark right after a Chinese character counts as Chinese punctuation.
CLOSING = set("\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u300b\u300d\u300f\u3011\u3015\u201d\u2019\u2026,.;:!?)]}%")
OPENING = set("\uff08\u300a\u300c\u300e\u3010\u3014\u201c\u2018([")


def _pieces(text: str) -> list[tuple[str, str]]:
    """Unbreakable pieces of one paragraph, each with the space that goes before it on a line.

    A note in brackets ("[默认:14;0<=x<=3660]") is one piece, kept two spaces from the help text.
    """
    pieces: list[list[str]] = []
    gap, depth = "", 0
    for char in text:
        if char.isspace() and not depth:
            gap += char
            continue
        last = pieces[-1][0] if pieces else ""
        prev, before = last[-1:], last[-2:-1]
        # A line break inside Chinese text (a wrapped docstring) is not a space.
        space = "" if not gap or ("\n" in gap and _wide(prev) and _wide(char)) else "  " if gap == "  " else " "
        chinese_mark = prev in CLOSING and (_wide(prev) or _wide(before))
        word = not (_wide(char) or _wide(prev) or chinese_mark or (char in OPENING and char != "["))
        if depth or (prev and not space and (char in CLOSING or prev in OPENING or word)):
            pieces[-1][0] += " " if char.isspace() else char
        else:
            pieces.append([char, space])
        depth += (char == "[") - (char == "]") if (depth or char == "[") else 0
        gap = ""
    return [(piece, space) for piece, space in pieces]


def wrap(text: str, columns: int, first: str = "", rest: str = "") -> list[str]:
    """`text` filled into lines of at most `columns` display columns (indents included); a last line
    of a character or two ("出。") takes a piece from the line before when it fits."""

    def shown(line: list[tuple[str, str]]) -> str:  # a line's first piece drops its space
        return "".join((space if n else "") + piece for n, (piece, space) in enumerate(line))

    lines: list[list[tuple[str, str]]] = [[]]
    for piece, space in _pieces(text):
        indent = first if len(lines) == 1 else rest
        if lines[-1] and width(indent + shown([*lines[-1], (piece, space)])) > columns:
            lines.append([])
            indent = rest
        while not lines[-1] and width(indent + piece) > columns and len(piece) > 1:  # longer than a line: cut it
            cut = 1
            while cut < len(piece) - 1 and width(indent + piece[:cut + 1]) <= columns:
                cut += 1
            lines[-1].append((piece[:cut], space))
            lines.append([])
            piece, space, indent = piece[cut:], "", rest
        lines[-1].append((piece, space))
    orphan = len(lines[-1]) == 1 and _wide(lines[-1][0][0][0]) and width(lines[-1][0][0]) <= 4
    if len(lines) > 1 and len(lines[-2]) > 1 and orphan:
        candidate = [lines[-2][-1], *lines[-1]]
        if width(rest + shown(candidate)) <= columns:
            lines[-2:] = [lines[-2][:-1], candidate]
    return [(first if n == 0 else rest) + shown(line) for n, line in enumerate(lines)]


def fill(text: str, columns: int, indent: str = "") -> list[str]:
    """Paragraphs (separated by blank lines) wrapped by display width; a paragraph whose first line
    is "\\b" keeps its lines as written (click's marker)."""
    out: list[str] = []
    for n, para in enumerate(re.split(r"\n\s*\n", text.strip("\n"))):
        if n:
            out.append("")
        if para.lstrip().startswith("\b"):
            out.extend(indent + line for line in para.splitlines()[1:])
        else:
            out.extend(wrap(para.strip(), columns, indent, indent))
    return out


def translate_metavars(text: str) -> str:
    for english, chinese in METAVARS:
        text = text.replace(english, chinese)
    return text


def translate_note(text: str) -> str:
    for pattern, chinese in NOTES:
        text = pattern.sub(chinese, text)
    return text


def formatter_class() -> type[HelpFormatter]:
    class ChineseHelpFormatter(HelpFormatter):
        # click wraps by characters; Chinese ones take two columns, so every text is wrapped here.
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            prefix = "用法:" if prefix is None else prefix
            head = f"{prefix:>{self.current_indent}}{prog} "
            args = re.sub(r"\{([^{}]*)\}", r"\1", translate_metavars(args))  # typer braces a required argument
            lines = wrap(args, self.width, head, " " * width(head))
            self.write("\n".join(lines) + "\n")

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{SECTIONS.get(heading, heading)}:\n")

        def write_text(self, text: str) -> None:
            self.write("\n".join(fill(text, self.width, " " * self.current_indent)) + "\n")

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            rows = [(translate_metavars(a), translate_note(b)) for a, b in rows]
            first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
            indent = " " * self.current_indent
            hanging = " " * (first_col + self.current_indent)
            for first, second in rows:
                self.write(f"{indent}{first}")
                if not second:
                    self.write("\n")
                    continue
                if width(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - width(first)))
                else:
                    self.write("\n" + hanging)
                lines = fill(second, max(self.width, first_col + self.current_indent + 10), hanging)
                self.write(lines[0][len(hanging):] + "\n" + "".join(line + "\n" for line in lines[1:]))

    return ChineseHelpFormatter


def context_class() -> type[Context]:
    class ChineseContext(Context):
        formatter_class = formatter_class()

    return ChineseContext


def install(command: Command) -> None:
    """Give `command` and every subcommand the Chinese help frame."""
    command.context_class = CONTEXT
    # click shortens a command's summary in a group's list by counting characters and words; the
    # first paragraph is shown whole instead, wrapped by display width like the rest.
    text = getattr(command, "help", None)
    if text and not getattr(command, "short_help", None):
        command.short_help = " ".join(text.split("\n\n")[0].split())
    for sub in getattr(command, "commands", {}).values():
        install(sub)


CONTEXT = context_class()


def show_usage_error(exc: Any) -> None:
    """A usage error raised while the root parses its own arguments (outside any command)."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        typer.echo(exc.ctx.get_help())
        return
    typer.echo(f"错误:{message(exc)}", err=True)
