"""Bounds on what users type and the files they give us.

Real values are far below these (the longest enterprise name in Liaocheng's registers is under 40
characters, a register of every enterprise in the city is a few thousand rows and under 2 MB). A
value or file beyond them is a mistake (a pasted document, the wrong file, a damaged export) that
would otherwise pad every report row or exhaust memory, so it is refused with a clear line.
"""

from __future__ import annotations

from zhiben.errors import InputError

# Characters per field.
FIELDS = {
    "name": ("企业名称", 100),
    "park": ("园区名称", 100),
    "contact": ("联系人", 100),
    "email": ("邮箱", 254),
    "tags": ("标签", 500),
    "credit_code": ("统一社会信用代码", 100),
    "county": ("县区", 100),
    "sector": ("行业", 100),
    "risk": ("风险等级", 100),
    "evidence": ("佐证材料", 2000),
    "reason": ("原因", 2000),
    "note": ("备注", 2000),
    "by": ("记录人", 100),
}
# Files read as a whole (registers, status sheets, code lists).
MAX_FILE_BYTES = 50 * 1024 * 1024
# An .xlsx is a zip: its unpacked size is what memory must hold (a tiny file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
# Error lists print this many problems and a count of the rest.
SHOWN_PROBLEMS = 50


def too_long(field: str, value: str | None) -> str | None:
    """The problem with `value` for `field`, or None when it is within bounds."""
    label, limit = FIELDS[field]
    if value is not None and len(value) > limit:
        return f"{label}过长({len(value)} 个字符,最多 {limit} 个)"
    return None


def check(**values: str | None) -> None:
    """Raise InputError for the first value beyond its field's bound (keyword = field name)."""
    for field, value in values.items():
        if (why := too_long(field, value)) is not None:
            raise InputError(why)


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
