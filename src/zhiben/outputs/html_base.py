"""The HTML both the meeting report and the digest mail are made of: one look, one county table.

Tables put the columns a reader acts on first (县区, 逾期率, 逾期) and never break a name, a date or
a number. On a narrow screen (a phone, 414 px) a `cards` table turns each row into a card: one
"label  value" line per cell, so nothing is pushed off-screen or stacked one character per line.
Mail clients drop media queries, so the mail's table is the compact one (short county names,
five or six columns) that fits a phone as a table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from zhiben import terms
from zhiben.reports import county_plan
from zhiben.reports import trend as trends
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


def points(change: float | None) -> str:
    """A 逾期率 change in points: +1.2 (worse, marked), −0.4, 持平, — (nothing to compare)."""
    if change is None:
        return "—"
    if change == 0:
        return "持平"
    return f"!{change:+.1f}" if change > 0 else f"{change:+.1f}"


def matrix_table(m: county_plan.Matrix, *, compact: bool = False, upcoming: bool = True,
                 trend: trends.Trend | None = None) -> str:
    """The county × plan matrix: ranked counties, the bureau apart, 全市合计. `compact` (mail): short
    county names and the totals only (the plans get their own small table, `plan_table`), so it fits
    a phone as a table; `upcoming`: with the column of what falls due within the window; `trend`: with
    the 逾期率 change since the trend's previous date (较上周 / 较上月), in points."""
    days = m.upcoming_days if upcoming else None
    plans = [] if compact else m.plans_shown()
    cols = [Col("排名", num=True), Col("县(市、区)", key=True, nowrap=True), Col("逾期率", num=True),
            Col("逾期", num=True), Col("按期完成率", num=True), Col("已到期", num=True)]
    if not compact:
        cols.insert(5, Col("已完成", num=True))
    if trend is not None:
        cols.insert(3, Col(trends.SINCE_LAST[trend.every], num=True))
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
        if trend is not None:
            cells.insert(3, points(trend.change(ln.label)))
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


# ---------------------------------------------------------------- the trend, drawn by zhiben

CHART_W, CHART_H, PAD = 180, 54, 6
TREND_CSS = f"""
.trend{{display:flex;flex-wrap:wrap;gap:8px}}
.trend figure{{margin:0;padding:6px 8px;border:1px solid #d9e2ec;border-radius:6px;background:#fff;width:{CHART_W}px;
break-inside:avoid;page-break-inside:avoid}}
.trend figcaption{{display:flex;justify-content:space-between;gap:6px;font-size:12px;white-space:nowrap}}
.trend figcaption b{{font-weight:700}}
.trend .bad{{color:{BAD};font-weight:700}}
.trend svg{{display:block;width:100%;height:auto}}
@media (max-width:600px){{.trend figure{{width:calc(50% - 22px)}}}}
"""


def _scale(t: trends.Trend) -> tuple[float, float]:
    """One vertical scale for every small chart (a steeper line means a bigger change everywhere):
    the lowest to the highest 逾期率 shown, widened to whole 5-point steps."""
    rates = [p.overdue_rate for s in t.series for p in s.points if p.overdue_rate is not None]
    if not rates:
        return 0.0, 0.1
    low = max(0.0, math.floor(min(rates) * 20) / 20)
    high = min(1.0, math.ceil(max(rates) * 20) / 20)
    return (low, high) if high > low else (max(0.0, low - 0.05), min(1.0, high + 0.05))


def trend_charts(t: trends.Trend) -> str:
    """Small multiples: a line of 逾期率 per county (the bureau and the total too), same scale, the
    last value and its change beside the name. Plain SVG: prints, and scales to a phone."""
    low, high = _scale(t)
    figures = []
    k = len(t.dates)
    for s in t.series:
        xs = [PAD + i * (CHART_W - 2 * PAD) / max(1, k - 1) for i in range(k)]
        pts = [(x, p.overdue_rate) for x, p in zip(xs, s.points, strict=True) if p.overdue_rate is not None]
        coords = [(x, CHART_H - PAD - (r - low) / (high - low) * (CHART_H - 2 * PAD)) for x, r in pts]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2"/>' for x, y in coords[-1:])
        change = t.change(s.label)
        mark = ' class="bad"' if change is not None and change > 0 else ""
        last = s.points[-1].overdue_rate
        label = s.short if s.kind != "total" else s.label
        svg = (f'<svg viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="{escape(s.label)}逾期率走势">'
               f'<line x1="{PAD}" y1="{CHART_H - PAD}" x2="{CHART_W - PAD}" y2="{CHART_H - PAD}" stroke="#d9e2ec"/>'
               f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>'
               f'<g fill="#1f4e79">{dots}</g></svg>')
        figures.append(f"<figure><figcaption><b>{escape(label)}</b><span>{pct(last)} "
                       f"<span{mark}>{escape(points(change).lstrip('!'))}</span></span></figcaption>{svg}</figure>")
    first, end = t.dates[0].isoformat(), t.dates[-1].isoformat()
    note = (f'<p class="note">逾期率走势:{trends.EVERY[t.every]}一个点,<span class="nw">{first}</span> 至 '
            f'<span class="nw">{end}</span>,纵轴 {low:.0%} 至 {high:.0%}(各图相同);数字为最近一期和{trends.SINCE_LAST[t.every]}'
            "的变化(百分点,上升为红)。每个点等于 zhiben progress --as-of 该日期(按当前记录回算)。</p>")
    return f'<div class="trend">{"".join(figures)}</div>{note}'


def trend_table(t: trends.Trend) -> str:
    """The trend for a mail (clients drop SVG): county, a text sparkline, the last 逾期率 and its change."""
    cols = [Col("县(市、区)", key=True, nowrap=True), Col("走势", nowrap=True), Col("逾期率", num=True),
            Col(trends.SINCE_LAST[t.every], num=True)]
    rows = []
    for s in t.series:
        values = [p.overdue_rate for p in s.points]
        rows.append(([escape(s.short if s.kind != "total" else s.label), trends.spark(values), pct(values[-1]),
                      points(t.change(s.label))], "total" if s.kind == "total" else ""))
    return table(cols, rows, cards=False)
