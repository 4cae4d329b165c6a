"""The vocabulary: every code zhiben stores, with the Chinese words people read and type.

Codes are `StrEnum`s (they compare equal to the plain strings stored in the database and in
JSON); label maps are keyed by the members but typed `dict[str, str]`, since they are looked up
with the stored strings. Every other module takes labels, aliases and the county list from here; nothing else
spells them out.
"""

from __future__ import annotations

import re
from enum import StrEnum

from zhiben.errors import InputError, NotFound


class Plan(StrEnum):
    CHEM = "chem"
    MINE = "mine"
    TRADE = "trade"


# A plan's name as the plan text writes it, and the short form for narrow tables.
PLAN_NAMES: dict[str, str] = {Plan.CHEM: "化工和危险化学品", Plan.MINE: "非煤矿山", Plan.TRADE: "工贸"}
PLAN_SHORT: dict[str, str] = {Plan.CHEM: "化工", Plan.MINE: "矿山", Plan.TRADE: "工贸"}

# Enterprise sectors use the plan codes; the register writes 化工/危险化学品.
Sector = Plan
SECTOR_NAMES: dict[str, str] = {Plan.CHEM: "化工/危险化学品", Plan.MINE: "非煤矿山", Plan.TRADE: "工贸"}
SECTOR_ALIASES = {
    "chem": "chem", "化工": "chem", "危险化学品": "chem", "危化品": "chem", PLAN_NAMES[Plan.CHEM]: "chem",
    SECTOR_NAMES[Plan.CHEM]: "chem", "危险化学品/化工": "chem",
    "mine": "mine", PLAN_NAMES[Plan.MINE]: "mine", "矿山": "mine", "尾矿库": "mine",
    "trade": "trade", PLAN_NAMES[Plan.TRADE]: "trade", "工贸行业": "trade",
}
SECTOR_HINT = "、".join(f"{name}({code})" for code, name in SECTOR_NAMES.items())
# For help texts: "chem|mine|trade", "红|橙|黄|蓝", "city|county|park|enterprise".
PLAN_CHOICES = "|".join(Plan)


def sector_code(text: str) -> str | None:
    t = text.strip()
    return SECTOR_ALIASES.get(t.lower() if t.isascii() else t)


def resolve_sector(text: str) -> str:
    found = sector_code(text)
    if found is None:
        raise InputError(f"未知的行业“{text}”;可用:{SECTOR_HINT}")
    return found


class SubjectKind(StrEnum):
    CITY = "city"
    COUNTY = "county"
    PARK = "park"
    ENTERPRISE = "enterprise"


SUBJECT_CHOICES = "|".join(SubjectKind)
SUBJECT_NAMES: dict[str, str] = {SubjectKind.CITY: "市级", SubjectKind.COUNTY: "县级", SubjectKind.PARK: "园区",
                 SubjectKind.ENTERPRISE: "企业"}
# The same kinds in a sentence ("责任主体是县(市、区)").
SUBJECT_WORDS: dict[str, str] = {SubjectKind.CITY: "市级", SubjectKind.COUNTY: "县(市、区)", SubjectKind.PARK: "化工园区",
                 SubjectKind.ENTERPRISE: "企业"}

CITY_ID = 0
CITY_NAME = "聊城市应急管理局"
# Until a park is registered the park duties (chem-15-a/b/c) fall on this one stand-in subject, so
# they show in every report instead of vanishing; "三个化工园区" is the plans' own count.
PARK_PLACEHOLDER_ID = 0
PARK_PLACEHOLDER = "尚未登记化工园区(方案:三个化工园区)"


class Status(StrEnum):
    OVERDUE = "overdue"
    OPEN = "open"
    DONE = "done"
    EARLIEST = "earliest"


STATUS_NAMES: dict[str, str] = {Status.OVERDUE: "逾期", Status.OPEN: "未到期", Status.DONE: "已完成", Status.EARLIEST: "最早日期"}
# The 状态 column of the county status template: the drop-down's words, and what the reader accepts.
FILL_STATUS_CHOICES = ["已完成", "未完成", "撤销"]
FILL_DONE_WORDS = ("已完成", "完成", "已办结", "办结", "done", "是", "√", "✓")
# Revoking the bureau's record needs the explicit word: a county picking 未完成 (not done yet)
# from the drop-down must not undo a completion the bureau recorded itself.
FILL_REVOKE_WORDS = ("撤销", "撤销完成", "undo", "revoke")
FILL_OPEN_WORDS = ("未完成", "open", "否", "×")
# Marks a date that is not a deadline (an earliest date: nothing may be done before it).
EARLIEST_MARK = "最早"
# Marks the closing day of a window ("试生产前10日内": report within the 10 days before the event).
WINDOW_MARK = "窗口至"
# A fixed-day deadline on a non-working day, moved to the next working day (shown after the date).
POSTPONED_MARK = "顺延"


class Risk(StrEnum):
    RED = "红"
    ORANGE = "橙"
    YELLOW = "黄"
    BLUE = "蓝"


RISK_ALIASES = {
    **{r.value: r.value for r in Risk}, **{r.value + "色": r.value for r in Risk},
    "red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝",
}
RISK_HINT = "、".join(r.value for r in Risk)
RISK_CHOICES = "|".join(Risk)


def risk_code(text: str) -> str | None:
    return RISK_ALIASES.get(text.strip().lower())


def resolve_risk(text: str) -> str:
    found = risk_code(text)
    if found is None:
        raise InputError(f"未知的风险等级“{text}”;可用:{RISK_HINT}")
    return found


class EventKind(StrEnum):
    TRIAL_START = "trial-start"
    TRIAL_END = "trial-end"
    ACCEPTANCE = "acceptance"
    SHUTDOWN = "shutdown"
    RESUMPTION = "resumption"
    APPRENTICE = "apprentice"
    ALERT = "alert"
    INSPECTION = "inspection-finding"


EVENT_NAMES: dict[str, str] = {
    EventKind.TRIAL_START: "试生产开始",
    EventKind.TRIAL_END: "试生产结束",
    EventKind.ACCEPTANCE: "竣工验收通过",
    EventKind.SHUTDOWN: "停产停建",
    EventKind.RESUMPTION: "复工复产",
    EventKind.APPRENTICE: "新特种作业人员师带徒开始",
    EventKind.ALERT: "监测预警报警",
    EventKind.INSPECTION: "应急部门检查发现问题",
}
EVENT_HINT = "、".join(f"{k}({v})" for k, v in EVENT_NAMES.items())
# The tag an event itself proves: an enterprise that records a trial start or an acceptance has a
# 建设项目 even if the register does not say so. Event-relative duties otherwise need their tags
# like any other (chem-07-c falls only on 油气储存 enterprises).
EVENT_TAGS: dict[str, str] = {
    EventKind.TRIAL_START: "建设项目",
    EventKind.TRIAL_END: "建设项目",
    EventKind.ACCEPTANCE: "建设项目",
}
# The event as a period label reads it: "验收(2025-09-26)后", "计划试生产(2026-12-10)前".
EVENT_SHORT: dict[str, str] = {
    EventKind.TRIAL_START: "试生产",
    EventKind.TRIAL_END: "试生产结束",
    EventKind.ACCEPTANCE: "验收",
    EventKind.SHUTDOWN: "停产停建",
    EventKind.RESUMPTION: "复工复产",
    EventKind.APPRENTICE: "师带徒开始",
    EventKind.ALERT: "报警",
    EventKind.INSPECTION: "检查发现问题",
}

# Period words: "2025年第二季度", "2025年上半年", "一次性".
ONCE_NAME = "一次性"
QUARTER_NAMES = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
HALF_NAMES = {"1": "上半年", "2": "下半年"}


class TargetStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"
    NO_DATA = "no_data"


TARGET_STATUS_NAMES: dict[str, str] = {TargetStatus.MET: "达标", TargetStatus.NOT_MET: "未达标",
                       TargetStatus.IN_PROGRESS: "进行中", TargetStatus.NO_DATA: "无数据"}

# A cell starting with one of these makes a spreadsheet run a formula (OWASP CSV injection).
FORMULA_CHARS = "=+-@\t\r"

# One shape of e-mail address for the register, county contacts and mail settings.
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\.]+$")



def check_email(text: str, what: str = "邮箱地址") -> str:
    addr = text.strip()
    if not EMAIL.match(addr):
        raise InputError(f"{what}“{text}”格式不正确(应如 name@example.com)")
    return addr

# --- Liaocheng's eleven county-level units and the short names people type ------------------

# (official name, short name); order is the bureau's customary listing order.
COUNTIES: list[tuple[str, str]] = [
    ("东昌府区", "东昌府"),
    ("临清市", "临清"),
    ("茌平区", "茌平"),
    ("阳谷县", "阳谷"),
    ("莘县", "莘县"),
    ("东阿县", "东阿"),
    ("冠县", "冠县"),
    ("高唐县", "高唐"),
    ("聊城经济技术开发区", "经开区"),
    ("聊城高新技术产业开发区", "高新区"),
    ("江北水城旅游度假区", "度假区"),
]

_EXTRA_ALIASES = {
    "经济技术开发区": "聊城经济技术开发区",
    "开发区": "聊城经济技术开发区",
    "聊城经开区": "聊城经济技术开发区",
    "高新技术产业开发区": "聊城高新技术产业开发区",
    "聊城高新区": "聊城高新技术产业开发区",
    "旅游度假区": "江北水城旅游度假区",
    "江北水城度假区": "江北水城旅游度假区",
    "江北水城": "江北水城旅游度假区",
    "莘": "莘县",
    "冠": "冠县",
    "茌平县": "茌平区",
    "东昌府区应急局": "东昌府区",
}


def _build_aliases() -> dict[str, str]:
    aliases = {}
    for name, short in COUNTIES:
        aliases[name] = name
        aliases[short] = name
        aliases[name + "应急局"] = name
    aliases.update(_EXTRA_ALIASES)
    return aliases


ALIASES = _build_aliases()
NAMES = [name for name, _ in COUNTIES]
SHORT_NAMES = dict(COUNTIES)  # official name → short name, for narrow tables


def canonical(name: str) -> str | None:
    """Official name for `name` (official, short or alias), or None."""
    return ALIASES.get(name.strip().replace(" ", "").replace("\u3000", ""))


def resolve(name: str) -> str:
    found = canonical(name)
    if found is None:
        raise NotFound(f"未知的县(市、区):“{name}”;可用:{'、'.join(NAMES)}")
    return found
