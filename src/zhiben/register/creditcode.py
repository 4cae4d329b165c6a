"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalise, check, complete.

Eighteen characters from a 31-character set (no I, O, S, V, Z, which read like digits); the
last is a check character computed from the first seventeen with fixed weights, modulo 31.
"""

from __future__ import annotations

import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {c: i for i, c in enumerate(CHARSET)}


def normalise(text: str) -> str:
    """Full-width characters and lower case as people type them → the canonical form."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def check_char(first17: str) -> str:
    """The check character for the first seventeen characters of a code."""
    body = normalise(first17)
    if len(body) != LENGTH - 1:
        raise ValueError(f"expected {LENGTH - 1} characters, got {len(body)}")
    total = sum(_VALUE[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code (one line of Chinese), or None when it is."""
    code = normalise(code)
    if not code:
        return "统一社会信用代码为空"
    if len(code) != LENGTH:
        return f"统一社会信用代码应为 {LENGTH} 位,实际为 {len(code)} 位"
    for pos, c in enumerate(code, start=1):
        if c not in _VALUE:
            return f"第 {pos} 位字符“{c}”不合法(只能是数字和除 I、O、S、V、Z 以外的大写字母)"
    expected = check_char(code[:-1])
    if code[-1] != expected:
        return f"校验位错误:第 18 位应为“{expected}”,实际为“{code[-1]}”"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def complete(first17: str) -> str:
    """A full, valid code from its first seventeen characters."""
    body = normalise(first17)
    return body + check_char(body)
