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
    if "unexpected extra argument" in text:
        extra = re.search(r"\(([^()]*)\)$", text)
        return f"多余的参数:{extra.group(1) if extra else text}{where}"
    if text.startswith("Option ") and "requires" in text:
        return f"选项 {text.split()[1].strip(chr(39))} 需要一个值{where}"
    return f"命令用法有误:{text}{where}"
