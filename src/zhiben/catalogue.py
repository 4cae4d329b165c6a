"""The milestone catalogue: a TOML file → validated models.

The format is documented in docs/catalogue.md. `parse` turns raw TOML into a `Catalogue` and
collects every problem (entry id and field) before failing, so `zhiben catalogue check` can
report them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zhiben import counties
from zhiben.errors import CatalogueError

PLANS = ("chem", "mine", "trade")
RESPONSIBLE = ("city", "county", "park", "enterprise")
EVENTS = ("trial-start", "trial-end", "acceptance", "shutdown", "resumption", "apprentice", "alert")
RISK_LEVELS = ("红", "橙", "黄", "蓝")
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


class RelativeRule(_Strict):
    kind: Literal["relative"]
    event: Literal[EVENTS]  # type: ignore[valid-type]
    offset: int = Field(ge=0)
    unit: Literal["day", "workday", "month", "year"]
    direction: Literal["before", "after"]
    bound: Literal["deadline", "earliest"] = "deadline"
    closed_by: Literal[EVENTS] | None = None  # type: ignore[valid-type]
    cancelled_by: Literal[EVENTS] | None = None  # type: ignore[valid-type]


class TargetRule(_Strict):
    kind: Literal["target"]
    metric: Literal["risk_share", "reported"]
    threshold: float = Field(gt=0, le=1)
    due: dt.date
    levels: list[Literal[RISK_LEVELS]] = []  # type: ignore[valid-type]


Rule = Annotated[Union[OnceRule, RecurringRule, RelativeRule, TargetRule], Field(discriminator="kind")]


class AppliesTo(_Strict):
    sector: Literal[PLANS]  # type: ignore[valid-type]
    tags: list[str] = []
    exclude_tags: list[str] = []


class Tag(_Strict):
    name: str
    sector: Literal[PLANS]  # type: ignore[valid-type]
    quote: str


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
    start: dt.date
    end: dt.date
    plans: dict[str, str]
    tags: list[Tag]
    milestones: list[Milestone]

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
    return Path(__file__).resolve().parents[2] / "data" / "milestones.toml"


RULE_KINDS = {"once", "recurring", "relative", "target"}


def _loc(err: dict) -> str:
    # pydantic puts the union branch name ("recurring") into the location; users never typed it.
    return ".".join(str(p) for p in err["loc"] if not isinstance(p, int) and p not in RULE_KINDS)


def _problems_of(entry_id: str, exc: ValidationError) -> list[str]:
    return [f"{entry_id}: {_loc(e) or '(条目)'}: {e['msg']}" for e in exc.errors()]


def _semantic_problems(cat: Catalogue) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    tags = cat.tag_names
    for t in cat.tags:
        if t.name not in t.quote:
            problems.append(f"tag {t.name}: quote: 引文中没有出现标签“{t.name}”")
    for m in cat.milestones:
        where = m.id
        if m.id in seen:
            problems.append(f"{where}: id: 重复的 id")
        seen.add(m.id)
        if not m.id.startswith(m.plan + "-"):
            problems.append(f"{where}: id: 应以 {m.plan}- 开头")
        for c in m.counties:
            if counties.canonical(c) is None:
                problems.append(f"{where}: counties: 未知的县(市、区)“{c}”")
        if m.responsible == "enterprise" and m.applies_to is None:
            problems.append(f"{where}: applies_to: 责任主体为企业的条目必须写明适用企业")
        if m.applies_to:
            for t in m.applies_to.tags + m.applies_to.exclude_tags:
                if t not in tags:
                    problems.append(f"{where}: applies_to.tags: 标签“{t}”不在词表中")
        r = m.rule
        if isinstance(r, (OnceRule, TargetRule)) and not (cat.start <= r.due <= cat.end):
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
            out.append(f"{where}: rule.{field}: “{value}”不是 {r.every} 周期的写法")
        elif not (cat.start.year <= int(match.group(1)) <= cat.end.year):
            out.append(f"{where}: rule.{field}: “{value}”不在方案期限内")
    if r.start and r.end and not out and r.start > r.end:
        out.append(f"{where}: rule.start: 起始周期晚于结束周期")
    return out


def parse(raw: dict, *, source: str = "catalogue") -> Catalogue:
    """Validate raw TOML data; raise CatalogueError listing every problem."""
    problems: list[str] = []
    header = raw.get("catalogue", {})
    tags: list[Tag] = []
    for i, t in enumerate(raw.get("tag", [])):
        try:
            tags.append(Tag.model_validate(t))
        except ValidationError as exc:
            problems += _problems_of(f"tag[{i}] {t.get('name', '?')}", exc)
    milestones: list[Milestone] = []
    for i, m in enumerate(raw.get("milestone", [])):
        try:
            milestones.append(Milestone.model_validate(m))
        except ValidationError as exc:
            problems += _problems_of(str(m.get("id", f"milestone[{i}]")), exc)
    try:
        cat = Catalogue(
            title=header.get("title", ""),
            start=header.get("start", dt.date(2024, 1, 1)),
            end=header.get("end", dt.date(2026, 12, 31)),
            plans=header.get("plans", {}),
            tags=tags,
            milestones=milestones,
        )
    except ValidationError as exc:
        problems += _problems_of("catalogue", exc)
        cat = None
    if cat is not None:
        problems += _semantic_problems(cat)
    if not milestones and not problems:
        problems.append("catalogue: milestone: 目录中没有任何条目")
    if problems:
        raise CatalogueError(f"{source} 有 {len(problems)} 处问题", problems=problems)
    return cat


def read(path: Path | str | None = None) -> Catalogue:
    """Read and validate a catalogue file (the packaged one by default)."""
    path = Path(path) if path else default_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"找不到目录文件:{path}") from None
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: 不是 UTF-8 编码的文本文件") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: TOML 格式错误:{exc}") from None
    except OSError as exc:
        raise CatalogueError(f"无法读取目录文件 {path}:{exc.strerror}") from None
    return parse(raw, source=str(path))


def quote_problems(cat: Catalogue, text: str) -> list[str]:
    """Quotes that are not verbatim substrings of the plan text."""
    out = [f"{m.id}: quote: 引文不是方案原文的一部分" for m in cat.milestones if m.quote not in text]
    out += [f"tag {t.name}: quote: 引文不是方案原文的一部分" for t in cat.tags if t.quote not in text]
    return out
