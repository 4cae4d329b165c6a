"""The overdue / upcoming / progress views a person reads: grouped summary first, detail on request.

Every column here shows labels and names (records.py keeps the internal keys for JSON only).
`width` is the terminal's width, or None when stdout is a file or a pipe (full-width lines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from zhiben import terms
from zhiben.outputs.lines import LAST, WHOLE, Col, markdown, render, wrap
from zhiben.reports.labels import due_label
from zhiben.reports.records import progress_columns as names
from zhiben.reports.summary import Summary, group_records, plan_records


@dataclass
class View:
    kind: str  # "overdue" | "upcoming"
    fmt: str = "table"  # table | plain | markdown
    width: int | None = None
    tty: bool = False
    limit: int | None = None
    hide: set = field(default_factory=set)  # column keys made redundant by a filter (county under --county)


def _get(key: str) -> Callable[[dict], str]:
    def text(r: dict) -> str:
        v = r.get(key)
        return v if type(v) is str else "" if v is None else str(v)
    return text


def _plan(r: dict) -> str:
    return terms.PLAN_NAMES.get(r["plan"], r["plan"])


def _plan_short(r: dict) -> str:
    return terms.PLAN_SHORT.get(r["plan"], r["plan"])


def _county_short(r: dict) -> str:
    c = r.get("county")
    return terms.SHORT_NAMES.get(c, c) if c else ""


def _days_style(r: dict) -> str | None:
    d = r.get("days_overdue", r.get("max_days_overdue"))
    if d is None:
        d = r.get("days_left", r.get("min_days_left"))
        return "\x1b[33m" if d is not None and d <= 7 else None
    return "\x1b[1;31m" if d > 90 else "\x1b[31m" if d > 30 else "\x1b[33m"


def _num(n: object) -> str:
    return f"{n:,}" if isinstance(n, int) else ""


def _raw(n: object) -> str:
    return str(n) if isinstance(n, int) else ""


def detail_columns(kind: str) -> list[Col]:
    days = ("days_overdue", "逾期天数", "逾期") if kind == "overdue" else ("days_left", "剩余天数", "剩余")
    return [
        # The key columns (编号, 县区, 统一社会信用代码), the due date and the days are never dropped; the
        # title goes before them (编号 names the item), and the subject's name is cut only when nothing
        # else can go (an 80-column terminal: the credit code beside it still says which enterprise).
        Col("milestone_id", "编号", _get("milestone_id"), drop=LAST + 3),
        Col("plan", "方案", _plan, short=_plan_short, drop=2),
        Col("title", "事项", _get("title"), flex=True, min_width=16, drop=4),
        Col("subject_kind", "主体类别", lambda r: terms.SUBJECT_NAMES.get(r["subject_kind"], r["subject_kind"]),
            drop=1),
        Col("subject", "责任主体", _get("subject"), flex=True, min_width=WHOLE, least=16),
        Col("county", "所属县区", _get("county"), short=_county_short, short_label="县区", drop=LAST + 2),
        Col("credit_code", "统一社会信用代码", _get("credit_code"), drop=LAST + 1),
        Col("period_label", "周期", _get("period_label"), drop=3),
        Col("due", "期限", lambda r: due_label(r["due"], r["status"], r.get("bound"))),
        Col(days[0], days[1], _get(days[0]), right=True, style=_days_style, short=_get(days[0]), short_label=days[2]),
    ]


def _counties_cell(g: dict) -> str:
    if g["counties"]:
        return _num(g["counties"])
    return "市级" if g["city"] else ""


def group_columns(kind: str, *, plain: bool = False) -> list[Col]:
    """One line per milestone. `plain`: bare numbers for CSV (a spreadsheet sums them)."""
    num = _raw if plain else _num
    days = (lambda n: str(n)) if plain else (lambda n: f"{n:,} 天")
    if kind == "overdue":
        dates = [Col("first_due", "首个期限", lambda g: g["first_due"].isoformat(), drop=1),
                 Col("max_days_overdue", "最长逾期(天)" if plain else "最长逾期",
                     lambda g: days(g["max_days_overdue"]), right=True, style=_days_style)]
    else:
        dates = [Col("first_due", "最近期限", lambda g: due_label(g["first_due"], g["status"], g.get("bound"))),
                 Col("min_days_left", "剩余天数", lambda g: days(g["min_days_left"]), right=True, style=_days_style,
                     short=lambda g: days(g["min_days_left"]), short_label="剩余")]
    return [
        # 编号 is what --id takes (the footer says so): never dropped; the plan is kept down to 80 columns.
        Col("milestone_id", "编号", _get("milestone_id"), drop=LAST),
        Col("plan", "方案", _plan, short=_plan_short, drop=3),
        # 12 characters of the title before the oldest due date gives way (the longest overdue says it too);
        # upcoming has no date to give: the title keeps 8.
        Col("title", "事项", _get("title"), flex=True, min_width=24 if kind == "overdue" else 16),
        Col("counties", "县区", _counties_cell, right=True, drop=2),
        Col("enterprises", "企业", lambda g: num(g["enterprises"]) if g["enterprises"] else "", right=True),
        Col("items", "项数", lambda g: num(g["items"]), right=True),
        *dates,
    ]


def plan_columns(kind: str) -> list[Col]:
    days = (Col("max_days_overdue", "最长逾期", lambda p: f"{p['max_days_overdue']:,} 天", right=True)
            if kind == "overdue" else
            Col("min_days_left", "最近到期", lambda p: f"{p['min_days_left']:,} 天后", right=True))
    return [
        Col("plan_name", "方案", _get("plan_name")),
        Col("milestones", "事项", lambda p: _num(p["milestones"]), right=True),
        Col("items", "项数", lambda p: _num(p["items"]), right=True),
        Col("counties", "县区", _counties_cell, right=True),
        Col("enterprises", "企业", lambda p: _num(p["enterprises"]) if p["enterprises"] else "", right=True),
        days,
    ]


def _visible(cols: list[Col], view: View) -> list[Col]:
    return [c for c in cols if c.key not in view.hide]


def table_lines(records: Iterable[dict], cols: list[Col], view: View) -> Iterator[str]:
    cols = _visible(cols, view)
    if view.fmt == "markdown":
        return markdown(records, cols, limit=view.limit)
    return render(records, cols, total=view.width if view.fmt == "table" else None,
                  tty=view.tty and view.fmt == "table", limit=view.limit)


def scope_sentence(summary: Summary) -> str:
    """"79 个事项共 66,462 项,涉及 11 个县区、5,000 家企业和市局本级"."""
    t = summary.total
    who = []
    if t.counties:
        who.append(f"{t.counties:,} 个县区")
    if t.enterprises:
        who.append(f"{t.enterprises:,} 家企业")
    text = f"{t.milestones:,} 个事项共 {t.items:,} 项"
    if who or t.city:
        text += ",涉及 " + "、".join(who) + (("和" if who else "") + "市局本级" if t.city else "")
    return text


def summary_lines(summary: Summary, title: str, hint: list[str], view: View, note: str | None = None) -> Iterator[str]:
    """Title with the scope, one line per milestone, totals per plan, the hint for the detail."""
    heading = f"{title}:{scope_sentence(summary)}"
    if view.fmt == "markdown":
        yield f"## {heading}"
    else:
        yield from wrap(heading, view.width if view.fmt == "table" else None)
    if note:
        yield note
    yield ""
    yield from table_lines(group_records(summary), group_columns(view.kind), view)
    yield ""
    plans = plan_records(summary)
    if len(plans) > 2 or view.fmt == "markdown":  # one plan: its total is the heading already
        yield "按方案合计:" if view.fmt != "markdown" else "**按方案合计**"
        yield ""
        yield from table_lines(plans, plan_columns(view.kind),
                               View(view.kind, view.fmt, view.width, view.tty, None, view.hide))
        yield ""
    for text in hint:
        if view.fmt == "markdown":
            yield f"- {text}"
        else:
            yield from wrap(text, view.width if view.fmt == "table" else None)


def _pct(key: str) -> Callable[[dict], str]:
    return lambda r: "—" if r.get(key) is None else f"{r[key]:.1%}"


def _int(key: str, plain: bool = False) -> Callable[[dict], str]:
    if plain:
        return lambda r: _raw(r.get(key))

    def text(r: dict) -> str:  # one call a cell: a 5,000-row table prints no slower than its JSON
        n = r.get(key)
        return f"{n:,}" if type(n) is int else ""
    return text


def bulletin_columns(ranked: bool, *, plain: bool = False) -> list[Col]:
    """progress --by county: 县(市、区) first, numbers right-aligned, county-own apart from enterprises."""
    cols = [
        Col("label", "县(市、区)", _get("label"),
            short=lambda r: "市局本级" if r["label"] == terms.CITY_NAME else terms.SHORT_NAMES.get(r["label"], r["label"])),
        Col("own_due", "本级到期", _int(plain=plain, key="own_due"), right=True, drop=3),
        Col("own_done", "本级完成", _int(plain=plain, key="own_done"), right=True, drop=2),
        Col("own_overdue", "本级逾期", _int(plain=plain, key="own_overdue"), right=True),
        Col("enterprise_due", "企业到期", _int(plain=plain, key="enterprise_due"), right=True, drop=4),
        Col("enterprise_done", "企业完成", _int(plain=plain, key="enterprise_done"), right=True, drop=1),
        Col("enterprise_overdue", "企业逾期", _int(plain=plain, key="enterprise_overdue"), right=True),
        Col("rate", "完成率", _pct("rate"), right=True),
        Col("on_time_rate", "按期完成率", _pct("on_time_rate"), right=True),
        Col("overdue_rate", "逾期率", _pct("overdue_rate"), right=True, drop=5),
    ]
    if ranked:
        cols.insert(0, Col("rank", "排名", lambda r: "" if r.get("rank") is None else str(r["rank"]), right=True))
    return cols


def evidence_share_column() -> Col:
    """progress --evidence: the share of completions with at least one evidence file (docs/evidence.md)."""
    return Col("evidence_share", "有佐证", _pct("evidence_share"), right=True)


def progress_columns(by: str = "plan", *, plain: bool = False) -> list[Col]:
    """progress --by plan|milestone|enterprise: the columns records.progress_columns names (CSV and XLSX
    have the same), the key columns (编号, 统一社会信用代码, 县区) never dropped, an enterprise's name cut last."""
    keys = {"milestone_id": Col("milestone_id", "编号", _get("milestone_id"), drop=LAST),
            "credit_code": Col("credit_code", "统一社会信用代码", _get("credit_code"), drop=LAST + 1),
            "county": Col("county", "所属县区", _get("county"), short=_county_short, short_label="县区", drop=LAST + 2),
            "label": Col("label", dict(names(by))["label"], _get("label"), flex=True,
                         min_width=WHOLE if by == "enterprise" else 16, least=16)}
    return [keys[k] for k, _ in names(by) if k in keys] + [
        Col("due_so_far", "已到期", _int(plain=plain, key="due_so_far"), right=True),
        Col("done", "已完成", _int(plain=plain, key="done"), right=True, drop=3),
        Col("overdue", "逾期", _int(plain=plain, key="overdue"), right=True),
        Col("rate", "完成率", _pct("rate"), right=True),
        Col("done_late", "逾期完成", _int(plain=plain, key="done_late"), right=True, drop=2),
        Col("open_later", "未到期", _int(plain=plain, key="open_later"), right=True, drop=1),
    ]


BAR = 20  # cells of a completion bar: one per 5% (10 on a narrow terminal: one per 10%)


def _bar(cells: int) -> Callable[[dict], str]:
    def text(r: dict) -> str:
        rate = r.get("rate")
        filled = 0 if rate is None else round(rate * cells)
        return "█" * filled + "░" * (cells - filled)
    return text


def _rate_style(r: dict) -> str:
    rate = r.get("rate")
    return "\x1b[32m" if rate is not None and rate >= 0.9 else "\x1b[33m" if rate is not None and rate >= 0.6 else "\x1b[31m"


def chart_columns(by: str) -> list[Col]:
    """progress --chart: the group's key columns, a completion bar coloured by the rate, done/due, overdue."""
    if by == "county":
        keys = bulletin_columns(False)[:1]
    else:
        keys = [c for c in progress_columns(by) if c.key in ("milestone_id", "credit_code", "label", "county")]
    return [
        *keys,
        Col("bar", "完成率", _bar(BAR), style=_rate_style, short=_bar(BAR // 2)),
        Col("rate", "", _pct("rate"), right=True),
        Col("done_due", "完成/到期", lambda r: f"{r['done']:,}/{r['due_so_far']:,}", right=True, drop=1),
        Col("overdue", "逾期", _int(key="overdue"), right=True,
            style=lambda r: "\x1b[31m" if r.get("overdue") else None),
    ]
