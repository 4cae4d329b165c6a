"""The milestone catalogue: a TOML file → validated models.

The format is documented in docs/catalogue.md. `parse` turns raw TOML into a `Catalogue` and
collects every problem (entry id and field) before failing, so `zhiben catalogue check` can
report them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from zhiben import terms
from zhiben.errors import CatalogueError
from zhiben.inputs import files, limits

PLANS = tuple(terms.Plan)
RESPONSIBLE = ("city", "county", "park", "enterprise")
EVENTS = tuple(terms.EventKind)
RISK_LEVELS = tuple(r.value for r in terms.Risk)
PERIOD_PATTERNS = {
    "month": re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(20\d\d)-Q([1-4])$"),
    "half": re.compile(r"^(20\d\d)-H([12])$"),
    "year": re.compile(r"^(20\d\d)$"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OnceRule(_Strict):
    kind: Literal["once"]
    due: dt.date


class RecurringRule(_Strict):
    kind: Literal["recurring"]
    every: Literal["month", "quarter", "half", "year"]
    day: int | None = Field(default=None, ge=1, le=31)
    month: int | None = Field(default=None, ge=1, le=12)
    start: str | None = None
    end: str | None = None
    # "previous": each due date reports on the period before it ("每月3日前报" the past month's work),
    # so the period key names the month reported on and its due date falls in the next period.
    covers: Literal["current", "previous"] = "current"


class Gap(_Strict):
    """Only when the event comes more than `more_than` units after the latest `since` event before
    it ("停产停建超过3个月需要复工复产的"); with no such event registered the duty stands."""

    since: Literal[EVENTS]  # type: ignore[valid-type]
    more_than: int = Field(ge=1)
    unit: Literal["day", "month", "year"]


class RelativeRule(_Strict):
    kind: Literal["relative"]
    event: Literal[EVENTS]  # type: ignore[valid-type]
    offset: int = Field(ge=0)
    unit: Literal["day", "workday", "month", "year"]
    direction: Literal["before", "after"]
    # deadline: due on the computed date; earliest: not before it; window: "事件前N日内" opens N days
    # before the event and closes on the event day (the due date stored is the event day).
    bound: Literal["deadline", "earliest", "window"] = "deadline"
    closed_by: Literal[EVENTS] | None = None  # type: ignore[valid-type]
    cancelled_by: Literal[EVENTS] | None = None  # type: ignore[valid-type]
    gap: Gap | None = None


class TargetRule(_Strict):
    kind: Literal["target"]
    metric: Literal["risk_share", "reported"]
    threshold: float = Field(gt=0, le=1)
    # None: the text gives no date; the target is measured but never judged 未达标.
    due: dt.date | None = None
    levels: list[Literal[RISK_LEVELS]] = []  # type: ignore[valid-type]


class UndatedRule(_Strict):
    """A duty the text gives no date for: listed and recorded when done, never overdue.

    `every = "year"`: a yearly deliverable without a date ("制定年度执法计划"): one record per year
    of the plans, still never overdue."""

    kind: Literal["undated"]
    every: Literal["year"] | None = None


class StandingRule(_Strict):
    """A standing rule (“原则上不得扩区”): shown in the catalogue, no occurrences to complete."""

    kind: Literal["standing"]
    since: dt.date | None = None


Rule = Annotated[Union[OnceRule, RecurringRule, RelativeRule, TargetRule, UndatedRule, StandingRule],
                 Field(discriminator="kind")]


class AppliesTo(_Strict):
    sector: Literal[PLANS]  # type: ignore[valid-type]
    tags: list[str] = []
    exclude_tags: list[str] = []


class Tag(_Strict):
    name: str
    sector: Literal[PLANS]  # type: ignore[valid-type]
    quote: str


class Alias(_Strict):
    """A spelling registers use (硝化工艺, 液氨制冷) for one or more of the plans' tags."""

    name: str
    tags: list[str]


class Milestone(_Strict):
    id: str
    plan: Literal[PLANS]  # type: ignore[valid-type]
    task: str
    section: str
    title: str
    quote: str
    responsible: Literal[RESPONSIBLE]  # type: ignore[valid-type]
    unit: str | None = None
    counties: list[str] = []
    applies_to: AppliesTo | None = None
    per_risk: Literal[RISK_LEVELS] | None = None  # type: ignore[valid-type]
    rule: Rule
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id_form(cls, v: str) -> str:
        if not re.fullmatch(r"(chem|mine|trade)-[a-z0-9]+(-[a-z0-9]+)*", v):
            raise ValueError("id 只能由小写字母、数字和连字符组成,并以 chem-/mine-/trade- 开头")
        return v


class Catalogue(_Strict):
    title: str
    # Which edition of the catalogue this is (zhiben --version): raised, with `revised`, whenever an
    # entry changes, so a printed report can be matched to the catalogue it was computed from.
    version: str = ""
    revised: dt.date | None = None
    start: dt.date
    end: dt.date
    # The day the plans took effect (印发): recurring entries without their own start begin with the
    # first period starting on or after it. The user can override it in the database (load.py).
    effective: dt.date
    plans: dict[str, str]
    tags: list[Tag]
    milestones: list[Milestone]
    aliases: list[Alias] = []

    def get(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    @property
    def tag_names(self) -> set[str]:
        return {t.name for t in self.tags}


def default_path() -> Path:
    """The catalogue shipped with the package (falls back to the source checkout)."""
    packaged = resources.files("zhiben").joinpath("data/milestones.toml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "data" / "milestones.toml"


RULE_KINDS = {"once", "recurring", "relative", "target", "undated", "standing"}
EVERY_EXAMPLE = {"month": "按月周期的写法(如 2025-03)", "quarter": "按季度周期的写法(如 2025-Q2)",
                 "half": "按半年周期的写法(如 2025-H1)", "year": "按年周期的写法(如 2025)"}


def _loc(err: ErrorDetails) -> str:
    # pydantic puts the union branch name ("recurring") into the location; users never typed it.
    return ".".join(str(p) for p in err["loc"] if not isinstance(p, int) and p not in RULE_KINDS)


def _expected(ctx: dict | None, key: str) -> str:
    return str((ctx or {}).get(key, "")).replace("'", "").replace(" or ", ", ").replace(", ", "、")


def _message(err: ErrorDetails) -> str:
    """pydantic's English message → the Chinese line a catalogue editor reads."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "未知字段"
    if kind == "union_tag_invalid":
        return f"未知的规则类型“{ctx.get('tag')}”(可用:{_expected(ctx, 'expected_tags')})"
    if kind == "union_tag_not_found":
        return "规则缺少 kind(once、recurring、relative、target、undated、standing)"
    if kind == "literal_error":
        return f"“{value}”不是可用的取值(可用:{_expected(ctx, 'expected')})"
    if kind.startswith(("date_", "datetime_")):
        return f"“{value}”不是有效的日期(应为 YYYY-MM-DD)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"“{value}”不是整数"
    if kind in ("float_parsing", "float_type"):
        return f"“{value}”不是数值"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type", "bool_type"):
        want = {"string": "文本", "list": "列表", "dict": "表", "model": "表", "model_attributes": "表",
                "bool": "true/false"}[kind.rsplit("_", 1)[0]]
        return f"类型不对,应为{want}"
    bounds = {"greater_than_equal": ("ge", "不能小于"), "greater_than": ("gt", "必须大于"),
              "less_than_equal": ("le", "不能大于"), "less_than": ("lt", "必须小于")}
    if kind in bounds:
        key, words = bounds[kind]
        return f"{value} {words} {ctx.get(key)}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def _problems_of(entry_id: str, exc: ValidationError) -> list[str]:
    return [f"{entry_id}: {_loc(e) or '(条目)'}: {_message(e)}" for e in exc.errors()]


_TOML_MESSAGES = [
    (r"Invalid date or datetime", "日期或时间无效"),
    (r"Cannot declare (.*) twice", r"键 \1 重复声明"),
    (r"Cannot overwrite a value", "键重复赋值"),
    (r"Duplicate inline table key (.*)", r"内联表中键 \1 重复"),
    (r"Expected '=' after a key in a key/value pair", "键后缺少“=”"),
    (r"Expected '\]' at the end of a table declaration", "表头缺少“]”"),
    (r"Expected '\]\]' at the end of an array declaration", "表数组头缺少“]]”"),
    (r"Expected newline or end of document after a statement", "语句后应换行"),
    (r"Unterminated string", "字符串没有结束引号"),
    (r"Unclosed array", "数组没有闭合"),
    (r"Unclosed inline table", "内联表没有闭合"),
    (r"Invalid value", "值无效"),
    (r"Invalid statement", "语句无效"),
    (r"Invalid initial character for a key part", "键名以无效字符开头"),
    (r"(Illegal|Found invalid) character (.*)", r"非法字符 \2"),
]


def _toml_error(path: Path, exc: Exception) -> str:
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)|\(at end of document\)", text)
    what = text[: where.start()].strip() if where else text
    for pattern, chinese in _TOML_MESSAGES:
        if re.fullmatch(pattern, what):
            what = re.sub(pattern, chinese, what)
            break
    pos = f":{where.group(1)}:{where.group(2)}" if where and where.group(1) else ""
    return f"{path}{pos}: TOML 格式错误:{what}"


_EMPTY = {"quote": "引文", "title": "事项名称", "task": "任务", "section": "条目"}


def _semantic_problems(cat: Catalogue) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    tags = cat.tag_names
    if not (cat.start <= cat.effective <= cat.end):
        problems.append(f"catalogue: effective: {cat.effective} 不在方案期限 {cat.start}~{cat.end} 内")
    tag_names: set[str] = set()
    for t in cat.tags:
        if not t.name.strip():
            problems.append("tag: name: 标签名为空")
        elif t.name in tag_names:
            # A second [[tag]] with the same name would silently replace the first one's sector on load.
            problems.append(f"tag {t.name}: name: 重复的标签名(目录中已有同名的 [[tag]])")
        tag_names.add(t.name)
        if not t.quote.strip():
            problems.append(f"tag {t.name}: quote: 引文为空")
        elif t.name not in t.quote:
            problems.append(f"tag {t.name}: quote: 引文中没有出现标签“{t.name}”")
    seen_alias: set[str] = set()
    for al in cat.aliases:
        if al.name in tags:
            problems.append(f"alias {al.name}: name: 已是词表中的标签,不需要别名")
        if al.name in seen_alias:
            problems.append(f"alias {al.name}: name: 别名重复")
        seen_alias.add(al.name)
        for wanted in al.tags:
            if wanted not in tags:
                problems.append(f"alias {al.name}: tags: 标签“{wanted}”不在词表中")
        if not al.tags:
            problems.append(f"alias {al.name}: tags: 至少对应一个标签")
    for m in cat.milestones:
        where = m.id
        if m.id in seen:
            problems.append(f"{where}: id: 重复的 id")
        seen.add(m.id)
        for name in ("quote", "title", "task", "section"):
            if not getattr(m, name).strip():
                problems.append(f"{where}: {name}: {_EMPTY[name]}为空")
        if not m.id.startswith(m.plan + "-"):
            problems.append(f"{where}: id: 应以 {m.plan}- 开头")
        for c in m.counties:
            if terms.canonical(c) is None:
                problems.append(f"{where}: counties: 未知的县(市、区)“{c}”")
        if m.responsible == "enterprise" and m.applies_to is None:
            problems.append(f"{where}: applies_to: 责任主体为企业的条目必须写明适用企业")
        if m.applies_to:
            for name in m.applies_to.tags + m.applies_to.exclude_tags:
                if name not in tags:
                    problems.append(f"{where}: applies_to.tags: 标签“{name}”不在词表中")
        r = m.rule
        if isinstance(r, (OnceRule, TargetRule)) and r.due is not None and not (cat.start <= r.due <= cat.end):
            problems.append(f"{where}: rule.due: {r.due} 不在方案期限 {cat.start}~{cat.end} 内")
        if isinstance(r, TargetRule) and r.metric == "risk_share" and not r.levels:
            problems.append(f"{where}: rule.levels: risk_share 指标须列出达标的风险等级")
        if isinstance(r, RecurringRule):
            problems.extend(_period_problems(where, r, cat))
    return problems


def _period_problems(where: str, r: RecurringRule, cat: Catalogue) -> list[str]:
    out = []
    for field in ("start", "end"):
        value = getattr(r, field)
        if value is None:
            continue
        match = PERIOD_PATTERNS[r.every].match(value)
        if not match:
            out.append(f"{where}: rule.{field}: “{value}”不是{EVERY_EXAMPLE[r.every]}")
        elif not (cat.start.year <= int(match.group(1)) <= cat.end.year):
            out.append(f"{where}: rule.{field}: “{value}”不在方案期限内")
    if r.start and r.end and not out and r.start > r.end:
        out.append(f"{where}: rule.start: 起始周期晚于结束周期")
    return out


M = TypeVar("M", bound=BaseModel)


def _entries(model: type[M], raw: dict, key: str, where: Callable[[int, dict], str], problems: list[str]) -> list[M]:
    """The valid `[[key]]` tables of a catalogue; every problem (also a value that is not a table)
    goes into `problems`, named by `where(index, table)`."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        problems.append(f"{key}: 应为 [[{key}]] 表的列表")
        return []
    out: list[M] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{key}[{i}]: 应为 [[{key}]] 表")
            continue
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            problems += _problems_of(where(i, item), exc)
    return out


def parse(raw: dict, *, source: str = "catalogue") -> Catalogue:
    """Validate raw TOML data; raise CatalogueError listing every problem."""
    problems: list[str] = []
    header = raw.get("catalogue", {})
    tags = _entries(Tag, raw, "tag", lambda i, t: f"tag[{i}] {t.get('name', '?')}", problems)
    aliases = _entries(Alias, raw, "alias", lambda i, a: f"alias[{i}] {a.get('name', '?')}", problems)
    milestones = _entries(Milestone, raw, "milestone", lambda i, m: str(m.get("id", f"milestone[{i}]")), problems)
    try:
        cat = Catalogue(
            title=header.get("title", ""),
            version=str(header.get("version", "")),
            revised=header.get("revised"),
            start=header.get("start", dt.date(2024, 1, 1)),
            end=header.get("end", dt.date(2026, 12, 31)),
            effective=header.get("effective", header.get("start", dt.date(2024, 1, 1))),
            plans=header.get("plans", {}),
            tags=tags,
            milestones=milestones,
            aliases=aliases,
        )
    except ValidationError as exc:
        problems += _problems_of("catalogue", exc)
        cat = None
    if cat is not None:
        problems += _semantic_problems(cat)
    if not milestones and not problems:
        problems.append("catalogue: milestone: 目录中没有任何条目")
    if problems or cat is None:  # cat is None only with its problems listed
        raise CatalogueError(f"{source} 有 {len(problems)} 处问题", problems=problems)
    return cat


def read(path: Path | str | None = None) -> Catalogue:
    """Read and validate a catalogue file (the packaged one by default)."""
    path = Path(path) if path else default_path()
    # A regular .toml file of bounded size only: a device or a sparse giant is refused unread.
    data = files.read_bytes(path, what="目录文件", error=CatalogueError, budget=limits.MAX_TOML_BYTES,
                            suffixes=(".toml",))
    try:
        raw = files.toml_loads(data.decode("utf-8"), str(path), CatalogueError)
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: 不是 UTF-8 编码的文本文件") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(_toml_error(path, exc)) from None
    return parse(raw, source=str(path))


def quote_problems(cat: Catalogue, text: str) -> list[str]:
    """Quotes that are not verbatim substrings of the plan text."""
    out = [f"{m.id}: quote: 引文不是方案原文的一部分" for m in cat.milestones if m.quote not in text]
    out += [f"tag {t.name}: quote: 引文不是方案原文的一部分" for t in cat.tags if t.quote not in text]
    return out
