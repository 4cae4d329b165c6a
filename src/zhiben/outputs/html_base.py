"""The HTML both the meeting report and the digest mail are made of: one look, one county table.

Tables put the columns a reader acts on first (县区, 逾期率, 逾期) and never break a name, a date or
a number. On a narrow screen (a phone, 414 px) a `cards` table turns each row into a card: one
"label  value" line per cell, so nothing is pushed off-screen or stacked one character per line.
Mail clients drop media queries, so the mail's table is the compact one (short county names,
five or six columns) that fits a phone as a table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from zhiben import terms
from zhiben.reports import county_plan
from zhiben.reports.briefing import n, pct

FONTS = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif'
BAD = "#b42318"
# A county's 逾期率 this far above the city-wide rate is marked.
MARGIN = 0.05

TABLE_CSS = f"""
table{{border-collapse:collapse;background:#fff;font-size:13px}}
th,td{{border:1px solid #d9e2ec;padding:4px 7px;text-align:left;vertical-align:top}}
th{{background:#d9e2ec;white-space:nowrap}}
td.num,th.num{{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}}
td.name,td.nw{{white-space:nowrap}}
td.bad{{color:{BAD};font-weight:700}}
tr.total td{{font-weight:700;background:#eef2f6}}
.muted{{color:#6b7785}}
"""
# Rows become cards below 600 px (the report only: mail clients ignore media queries).
CARDS_CSS = """
@media (max-width:600px){
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}
table.cards tr{border:1px solid #d9e2ec;border-radius:6px;margin:0 0 8px;background:#fff;padding:4px 0;
display:flex;flex-direction:column}
table.cards tr.total{background:#eef2f6}
table.cards td{border:none;padding:1px 10px;display:flex;justify-content:space-between;gap:10px;
white-space:normal;text-align:right}
table.cards td::before{content:attr(data-label);color:#52606d;font-weight:400;text-align:left;white-space:nowrap}
table.cards td.key{font-weight:700;font-size:14px;text-align:left;order:-1}
table.cards td.key::before{content:none}
table.cards td:empty{display:none}
}
"""


@dataclass
class Col:
    label: str
    num: bool = False
    key: bool = False  # the card's heading on a phone (a county, an item)
    nowrap: bool = False


def table(cols: Sequence[Col], rows: Sequence[tuple[Sequence[str], str]], *, cards: bool = True) -> str:
    """`rows`: (already escaped cell HTML, row class). Cells carry their label for the card layout."""
    head = "".join(f'<th class="num">{escape(c.label)}</th>' if c.num else f"<th>{escape(c.label)}</th>" for c in cols)
    body = []
    for cells, cls in rows:
        tds = []
        for c, html in zip(cols, cells, strict=True):
            classes = " ".join(k for k, on in (("num", c.num), ("key", c.key), ("nw", c.nowrap)) if on)
            if html.startswith("!"):  # a marked value
                classes, html = f"{classes} bad".strip(), html[1:]
            klass = f' class="{classes}"' if classes else ""
            tds.append(f'<td{klass} data-label="{escape(c.label)}">{html}</td>')
        body.append((f'<tr class="{cls}">' if cls else "<tr>") + "".join(tds) + "</tr>")
    klass = ' class="cards"' if cards else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def marked(rate: float | None, city: float | None) -> bool:
    return rate is not None and city is not None and rate > city + MARGIN


def matrix_table(m: county_plan.Matrix, *, compact: bool = False, upcoming: bool = True) -> str:
    """The county × plan matrix: ranked counties, the bureau apart, 全市合计. `compact` (mail): short
    county names and the totals only (the plans get their own small table, `plan_table`), so it fits
    a phone as a table; `upcoming`: with the column of what falls due within the window."""
    days = m.upcoming_days if upcoming else None
    plans = [] if compact else m.plans_shown()
    cols = [Col("排名", num=True), Col("县(市、区)", key=True, nowrap=True), Col("逾期率", num=True),
            Col("逾期", num=True), Col("按期完成率", num=True), Col("已到期", num=True)]
    if not compact:
        cols.insert(5, Col("已完成", num=True))
    for p in plans:
        cols += [Col(f"{terms.PLAN_SHORT[p]}逾期", num=True), Col(f"{terms.PLAN_SHORT[p]}逾期率", num=True)]
    if days is not None:
        cols.append(Col(f"{days} 天内到期", num=True))
    rows = []
    rank = 0
    for ln in m.lines(ranked=True):
        t = ln.total
        if ln.kind == "county":
            rank += 1
        label = ln.short if compact else (f"{ln.label}(市级事项)" if ln.is_city else ln.label)
        rate = pct(t.rate)
        if ln.kind == "county" and marked(t.rate, m.total.rate):
            rate = "!" + rate
        cells = [str(rank) if ln.kind == "county" else ("单列" if ln.is_city else ""), escape(label), rate,
                 n(t.overdue), pct(t.on_time_rate), n(t.due_so_far)]
        if not compact:
            cells.insert(5, n(t.done))
        for p in plans:
            cells += [n(ln.plans[p].overdue), pct(ln.plans[p].rate)]
        if days is not None:
            cells.append(n(t.upcoming))
        rows.append((cells, "total" if ln.kind == "total" else ""))
    return table(cols, rows, cards=not compact)


def plan_table(m: county_plan.Matrix, *, upcoming: bool = True) -> str:
    """The matrix's column totals: one row per plan, then the total."""
    days = m.upcoming_days if upcoming else None
    cols = [Col("方案", key=True, nowrap=True), Col("逾期率", num=True), Col("逾期", num=True), Col("已到期", num=True)]
    if days is not None:
        cols.append(Col(f"{days} 天内到期", num=True))
    rows = []
    for p in m.plans_shown():
        c = m.plans[p]
        cells = [terms.PLAN_NAMES[p], pct(c.rate), n(c.overdue), n(c.due_so_far)]
        if days is not None:
            cells.append(n(c.upcoming))
        rows.append((cells, ""))
    t = m.total
    cells = ["合计", pct(t.rate), n(t.overdue), n(t.due_so_far)] + ([n(t.upcoming)] if days is not None else [])
    rows.append((cells, "total"))
    return table(cols, rows, cards=False)


def rate_legend(m: county_plan.Matrix) -> str:
    return f"{county_plan.RATE_NOTE};{county_plan.ON_TIME_NOTE};红字:逾期率高于全市({pct(m.total.rate)})5 个百分点以上。"


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def unbroken_dates(html: str) -> str:
    """Escaped text with every date kept on one line (a narrow screen breaks 2026-11-30 at its hyphens)."""
    return DATE.sub(lambda m: f'<span style="white-space:nowrap">{m.group(0)}</span>', html)
