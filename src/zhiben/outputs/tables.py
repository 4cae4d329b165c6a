"""The columns of every list a command prints (besides overdue/upcoming/progress: report_view.py).

Each column says how it gives way on a narrow terminal (lines.fit): `short` is tried first (county
and plan short names), then columns go in `drop` order (lowest first; 0 = never), and only `flex`
columns (titles, free text; names last, WHOLE) are cut with "…". The key columns — 编号, 统一社会信用代码,
县区 (drop ≥ LAST) — go only on a terminal narrower than 80 columns, when a name would otherwise be cut
below 8 characters; ids, dates and codes are never cut. Piped, every column is written whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhiben import terms
from zhiben.outputs.lines import LAST, WHOLE, Col
from zhiben.outputs.terminal import col


def _short_county(key: str) -> Callable[[dict], str]:
    def text(r: dict) -> str:
        v = r.get(key)
        return "" if not v else "市局本级" if v == terms.CITY_NAME else terms.SHORT_NAMES.get(v, v)
    return text


def _short_sector(key: str) -> Callable[[dict], str]:
    names = {**{v: terms.PLAN_SHORT[k] for k, v in terms.SECTOR_NAMES.items()}, **terms.PLAN_SHORT}

    def text(r: dict) -> str:
        v = r.get(key)
        return "" if not v else names.get(v, v)
    return text


def county(key: str = "county", label: str = "所属县区") -> Col:
    """A county column, abbreviated to its short name (茌平) on a narrow terminal; kept at 80 columns."""
    return col(key, label, short=_short_county(key), short_label="县区", drop=LAST + 2)


def code(key: str = "credit_code") -> Col:
    """统一社会信用代码: kept at 80 columns."""
    return col(key, "统一社会信用代码", drop=LAST + 1)


def ident(key: str, label: str = "编号", **how: Any) -> Col:
    """编号: kept at 80 columns."""
    return col(key, label, drop=LAST, **how)


def sector(key: str, label: str, **how: Any) -> Col:
    """A plan or sector column, abbreviated to 化工 / 矿山 / 工贸 on a narrow terminal."""
    return col(key, label, short=_short_sector(key), **how)


def name(key: str, label: str) -> Col:
    """An enterprise or subject name: whole unless nothing else is left to drop, then at least 8 characters."""
    return col(key, label, flex=True, min_width=WHOLE, least=16)


# enterprise list (the register)
ENTERPRISES = [
    code(), name("name", "企业名称"), county(),
    sector("sector", "行业"), col("tags", "标签", flex=True, min_width=10, drop=6),
    col("risk", "风险等级", short=lambda r: r.get("risk") or "", short_label="风险", drop=5),
    col("park", "所属园区", drop=3), col("contact", "联系人", drop=2), col("email", "邮箱", drop=1),
]
ENTERPRISE_STATE = col("active", "状态", drop=4)

# enterprise show: what applies to it, and (removed enterprises) what was recorded
OBLIGATIONS = [
    ident("milestone_id"), col("title", "事项", flex=True, min_width=12), col("who", "责任方", drop=2),
    col("period", "周期"), col("due", "期限"), col("status", "状态"), col("done_on", "完成日期", drop=2),
    col("files", "文件", right=True, drop=1),
]
HISTORY = [
    ident("milestone_id"), col("title", "事项", flex=True, min_width=12), col("period_label", "周期"),
    col("done_on", "完成日期"), col("evidence", "佐证材料", flex=True, min_width=8, drop=1),
]

# enterprise import --dry-run
IMPORT_CHANGES = [
    # what changes is the point here: the name gives way (to 8 characters) before the change's content
    col("row", "行号", right=True), code(), col("name", "企业名称", flex=True, min_width=16, least=16),
    col("change", "变化"), col("detail", "内容", flex=True, min_width=24),
]

# enterprise tags
TAGS = [col("name", "标签"), sector("sector", "行业"), col("quote", "方案原文", flex=True, min_width=10)]

# catalogue list
CATALOGUE = [
    ident("id"), sector("plan", "方案"), col("task", "任务", drop=1), col("title", "事项", flex=True, min_width=24),
    col("responsible", "责任主体", drop=2), col("schedule", "期限", flex=True, min_width=14),
]

# event list
EVENTS = [
    ident("id", right=True), col("kind_name", "事件"), col("date", "日期"), name("enterprise", "企业"),
    code(), county(),
    col("deadlines_text", "派生期限", flex=True, min_width=16, drop=3),
    col("note", "备注", drop=1), col("recorded_by", "记录人", drop=2),
]


def _log_time(r: dict) -> str:
    at = r.get("at")
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else ""


# event add / remove: the deadlines an event derives or moves
DUES = [ident("milestone_id"), col("title", "事项", flex=True, min_width=12), col("when", "期限"),
        col("state", "状态", drop=1)]

# log
LOG = [
    col("at", "时间", short=_log_time), col("by", "记录人", drop=5), col("action", "操作"), ident("milestone_id", "事项"),
    name("subject", "责任主体"), col("period_label", "周期", drop=6), col("change", "状态变化", drop=2),
    col("done_on", "完成日期", drop=3), col("evidence", "佐证/原因", flex=True, min_width=8, drop=4),
    col("source", "来源", drop=1), col("files", "文件", right=True, drop=1),
]

# progress --targets
TARGET_VALUES = [
    ident("milestone_id"), col("title", "目标", flex=True, min_width=12),
    col("scope", "范围", short=_short_county("scope")), col("value", "测算值", right=True),
    col("basis", "测算依据", drop=1), col("threshold", "目标值", right=True), col("due", "期限", drop=2),
    col("status_name", "状态"),
]

# target list
TARGETS = [
    ident("milestone_id"), sector("plan", "方案"), col("title", "目标", flex=True, min_width=12),
    col("metric_name", "测算方式", drop=2), col("threshold", "目标值", right=True), col("due", "期限"),
    col("responsible_name", "责任主体", drop=3), col("scope", "适用范围", flex=True, min_width=10, drop=1),
]

# county list, park list
COUNTIES = [col("name", "名称"), col("short", "简称"), col("contact_name", "联系人", drop=2),
            col("contact_email", "邮箱", drop=1)]
PARKS = [col("name", "园区"), county(), col("enterprises", "在册企业数", right=True)]

# calendar show
HOLIDAYS = [col("day", "日期"), col("kind", "安排"), col("note", "说明", flex=True, min_width=8)]
