"""The meeting report: one self-contained HTML file (inline CSS, no scripts, no network).

Read in a meeting room on a projector, printed on A4, and forwarded through 钉钉/微信 to a phone.
So: bars are plain HTML boxes that reflow to any width (an SVG scales its text down to nothing at
414 px); every chart sits in one panel with its title that print never splits; tables repeat their
header row on each printed page; the legend swatches use the same CSS classes as the bars they
explain. Charts show 逾期率 (overdue ÷ due so far), not raw counts, which mostly measure how many
enterprises a county or plan has. The overdue list is grouped per item as in the terminal's
summary view; the full list is the XLSX export's job.

A Content-Security-Policy forbids every fetch, so the file opens the same offline. Every value from
the database is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from zhiben import terms
from zhiben.outputs import html_base as hb
from zhiben.reports import county_plan, labels
from zhiben.reports.briefing import Briefing, who
from zhiben.reports.briefing import n as _n
from zhiben.reports.briefing import pct as _pct
from zhiben.reports.county_plan import Matrix
from zhiben.reports.summary import Group, Summary

LIST_LIMIT = 40
# The overdue items marked for attention: the longest overdue, not "everything over N days" (on a
# register where most is long overdue that would colour nearly every row and say nothing).
ATTENTION = 10

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
margin:0 auto;max-width:1180px;padding:20px 28px;color:#1f2933;background:#f5f7fa;font-size:14px;line-height:1.5}
h1{font-size:23px;margin:0 0 4px}
h2{font-size:18px;margin:26px 0 10px;border-left:4px solid #2f6fb3;padding-left:8px;break-after:avoid}
h3{font-size:15px;margin:0 0 8px}
.sub{color:#52606d;margin-bottom:16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:10px}
.card{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .v{font-size:26px;font-weight:700;white-space:nowrap}.card .k{color:#52606d;font-size:13px}
.card.bad .v{color:#b42318}
.panel{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:12px;
break-inside:avoid;page-break-inside:avoid}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px}
.chart{display:grid;grid-template-columns:minmax(5em,max-content) 1fr minmax(9em,max-content);gap:4px 8px;align-items:center}
.chart .lab{text-align:right;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.chart .track{background:#e4e7eb;border-radius:3px;height:18px;position:relative;min-width:40px}
.chart .bar{height:18px;border-radius:3px;display:block}
.chart .val{white-space:nowrap;font-variant-numeric:tabular-nums;font-size:13px}
.fill-ok{background:#2f6fb3}.fill-bad{background:#c0392b}
.legend{margin-top:8px;font-size:13px;color:#52606d}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 10px}
.note{color:#52606d;font-size:13px;margin:6px 0 0}
thead{display:table-header-group}
table{width:100%}
.nw{white-space:nowrap}
tr{break-inside:avoid;page-break-inside:avoid}
tr.severe td,table.cards tr.severe{background:#f6d5d1}
.sw.severe{background:#f6d5d1;border:1px solid #e3a39b}
@media (max-width:600px){
.tiles{grid-template-columns:1fr 1fr}
body{padding:12px 10px;font-size:13px}
h1{font-size:19px}
.charts{grid-template-columns:1fr}
.chart{grid-template-columns:minmax(4em,max-content) 1fr;}
.chart .val{grid-column:2;margin-top:-4px;margin-bottom:4px}
.card .v{font-size:21px}
}
@page{size:A4;margin:14mm 12mm}
@media print{
body{background:#fff;max-width:none;padding:0;font-size:12px}
.panel,.card{box-shadow:none;border:1px solid #d9e2ec}
.charts{grid-template-columns:1fr 1fr}
.tiles{grid-template-columns:repeat(4,1fr)}
.card .v{font-size:18px}
a{color:inherit;text-decoration:none}
}
"""


def _card(key: str, value: str, bad: bool = False) -> str:
    return (f'<div class="card{" bad" if bad else ""}"><div class="v">{escape(value)}</div>'
            f'<div class="k">{escape(key)}</div></div>')


def rate_chart(title: str, bars: list[tuple[str, float | None, str, bool]], legend: str, note: str = "") -> str:
    """A panel with its title and horizontal bars of a rate (0–100 %): (label, rate, text, marked)."""
    if not bars:
        return f'<div class="panel"><h3>{escape(title)}</h3><p class="muted">暂无数据</p></div>'
    rows = []
    for label, rate, text, marked in bars:
        width = 0.0 if rate is None else max(0.0, min(1.0, rate)) * 100
        cls = "fill-bad" if marked else "fill-ok"
        rows.append(f'<div class="lab" title="{escape(label)}">{escape(label)}</div>'
                    f'<div class="track"><span class="bar {cls}" style="width:{width:.1f}%"></span></div>'
                    f'<div class="val">{escape(text)}</div>')
    return (f'<div class="panel" role="img" aria-label="{escape(title)}"><h3>{escape(title)}</h3>'
            f'<div class="chart">{"".join(rows)}</div><div class="legend">{legend}</div>{note}</div>')


def _legend(city_rate: float | None) -> str:
    return (f'<span class="sw fill-ok"></span>逾期率 ≤ 全市({_pct(city_rate)})+ 5 个百分点'
            f'<span class="sw fill-bad"></span>逾期率 > 全市 + 5 个百分点')


def _overdue_table(b: Briefing) -> str:
    summary = b.overdue
    if not summary:
        return '<p class="muted">无逾期事项</p>'
    marked = b.longest_overdue(ATTENTION)
    cols = [hb.Col("方案", nowrap=True), hb.Col("事项", key=True), hb.Col("逾期项数", num=True),
            hb.Col("最长逾期天数", num=True), hb.Col("最早期限", num=True), hb.Col("涉及")]
    rows = []
    by_plan: dict[str, list[Group]] = {}
    for g in summary.groups:
        by_plan.setdefault(g.plan, []).append(g)
    for plan, groups in by_plan.items():
        tally = summary.plans[plan]
        groups = sorted(groups, key=lambda g: (-(g.max_days_overdue or 0), g.milestone_id))
        for g in groups[:LIST_LIMIT]:
            rows.append(([terms.PLAN_SHORT[plan], escape(g.title), _n(g.items), _n(g.max_days_overdue or 0),
                          str(g.first_due), escape(who(g))], "severe" if g.milestone_id in marked else ""))
        more = f"(另有 {len(groups) - LIST_LIMIT} 个事项见 XLSX)" if len(groups) > LIST_LIMIT else ""
        rows.append(([terms.PLAN_SHORT[plan], f"小计:{len(groups)} 个事项{more}", _n(tally.items),
                      _n(tally.max_days_overdue or 0), str(tally.first_due), escape(who(tally))], "total"))
    t = summary.total
    rows.append((["", f"合计:{len(summary.groups)} 个事项", _n(t.items), _n(t.max_days_overdue or 0), str(t.first_due),
                  escape(who(t))], "total"))
    return hb.table(cols, rows)


def _upcoming_table(summary: Summary) -> str:
    if not summary:
        return '<p class="muted">期内没有到期事项</p>'
    groups = sorted(summary.groups, key=lambda g: (g.first_due, g.plan, g.milestone_id))
    cols = [hb.Col("期限", nowrap=True), hb.Col("方案", nowrap=True), hb.Col("事项", key=True), hb.Col("项数", num=True),
            hb.Col("涉及")]
    rows = []
    for g in groups[:LIST_LIMIT]:
        when = f"{g.first_due}" + ("" if g.last_due == g.first_due else f" 至 {g.last_due}")
        lead = "最早可办 " if g.earliest else ""
        rows.append(([f"{lead}{when}", terms.PLAN_SHORT[g.plan], escape(g.title), _n(g.items), escape(who(g))], ""))
    html = hb.table(cols, rows)
    if len(groups) > LIST_LIMIT:
        html += f'<p class="note">另有 {len(groups) - LIST_LIMIT} 个事项,见 zhiben export upcoming</p>'
    return html


def _targets_table(b: Briefing) -> str:
    rows_ = b.targets or []
    city = [r for r in rows_ if r.scope_kind == "city"]
    if not city:
        return '<p class="muted">没有量化目标</p>'
    behind: dict[str, list[str]] = {}
    for r in rows_:
        if r.scope_kind == "county" and r.status == "not_met":
            behind.setdefault(r.milestone_id, []).append(dict(terms.COUNTIES).get(r.scope, r.scope))
    cols = [hb.Col("方案", nowrap=True), hb.Col("目标", key=True), hb.Col("测算值", num=True), hb.Col("目标值", num=True),
            hb.Col("期限", nowrap=True), hb.Col("状态", nowrap=True), hb.Col("未达标县区")]
    rows = []
    for r in city:
        value = _pct(r.value) if r.value is not None else "—"
        basis = f"({r.meeting}/{r.population} 家)" if r.population else ""
        status = escape(r.status_name)
        rows.append(([terms.PLAN_SHORT[r.plan], escape(r.title), f"{value}{basis}", _pct(r.threshold), str(r.due or ""),
                      ("!" + status) if r.status == "not_met" else status,
                      escape("、".join(behind.get(r.milestone_id, [])))], ""))
    return hb.table(cols, rows)


def _evidence_table(m: Matrix, evidence: dict[str, tuple[int, int, int]]) -> str:
    """佐证文件 per county (docs/evidence.md): completions, those with a file, files; empty when none is stored."""
    if not evidence:
        return ""
    cols = [hb.Col("县(市、区)", key=True, nowrap=True), hb.Col("已完成", num=True), hb.Col("有佐证文件", num=True),
            hb.Col("占比", num=True), hb.Col("文件数", num=True), hb.Col("每项文件数", num=True)]
    rows = []
    for label in [ln.label for ln in m.counties] + [terms.CITY_NAME]:
        n, w, k = evidence.get(label, (0, 0, 0))
        if n:
            rows.append(([escape(label), _n(n), _n(w), _pct(w / n), _n(k), f"{k / n:.1f}"], ""))
    return ("<h2>佐证文件</h2>" + hb.table(cols, rows)
            + '<p class="note">已完成:截至日期及以前记录的完成;有佐证文件:至少附有一个文件的完成记录;'
              "打包督导检查材料:zhiben evidence bundle --county 县区 --to 佐证.zip。</p>")


def build(b: Briefing, evidence: dict[str, tuple[int, int, int]]) -> str:
    """The report of a city briefing (with targets and a monthly trend) and its evidence files per
    county (reports/evidence.by_county)."""
    as_of, upcoming_days = b.as_of, b.upcoming_days
    m = b.matrix
    t = m.total
    cards = "".join([
        _card("已到期事项", _n(t.due_so_far)), _card("已完成", _n(t.done)), _card("完成率", _pct(t.done_rate)),
        _card("逾期未完成", _n(t.overdue), bad=bool(t.overdue)), _card("逾期率", _pct(t.rate), bad=bool(t.overdue)),
        _card("按期完成率", _pct(t.on_time_rate)),
        _card(f"{upcoming_days} 天内到期", _n(b.upcoming.total.items)), _card("在册企业", _n(b.enterprises)),
    ])
    county_bars = [(ln.label, ln.total.rate, f"{_pct(ln.total.rate)}({_n(ln.total.overdue)}/{_n(ln.total.due_so_far)})",
                    hb.marked(ln.total.rate, t.rate)) for ln in m.ranked()]
    plan_bars = [(terms.PLAN_NAMES[p], c.rate, f"{_pct(c.rate)}({_n(c.overdue)}/{_n(c.due_so_far)})",
                  hb.marked(c.rate, t.rate)) for p, c in m.plans.items() if c.due_so_far]
    city_note = ""
    if m.city:
        c = m.city.total
        city_note = (f'<p class="note">{terms.CITY_NAME}自身的市级事项单列,不参加排名:逾期 {_n(c.overdue)} 项,'
                     f"逾期率 {_pct(c.rate)}。</p>")
    charts = ('<div class="charts">'
              + rate_chart("各县(市、区)逾期率(从高到低)", county_bars, _legend(t.rate), city_note)
              + rate_chart("各方案逾期率", plan_bars, _legend(t.rate)) + "</div>")
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = f"治本攻坚三年行动 期限执行情况(截至 {as_of.isoformat()})"
    heading = f'治本攻坚三年行动 期限执行情况<span class="nw">(截至 {as_of.isoformat()})</span>'
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}{hb.TABLE_CSS}{hb.CARDS_CSS}{hb.TREND_CSS}</style></head><body>"
        f"<h1>{heading}</h1><div class=\"sub\">聊城市安全生产治本攻坚三年行动(2024—2026)· 全市 · "
        f'<span class="nw">截至日期 {as_of}</span> · <span class="nw">{escape(labels.effective_note(b.effective, b.effective_chosen))}</span> · '
        f'<span class="nw">生成时间 {generated}</span></div>'
        f"<div class=\"tiles\">{cards}</div>"
        f"<h2>各县(市、区)和各方案逾期率</h2>{charts}"
        f"<p class=\"note\">{escape(county_plan.RATE_NOTE)}。按逾期率而不是逾期项数比较:项数主要取决于辖区企业多少。</p>"
        f"<h2>逾期率走势(近 6 个月)</h2>{hb.trend_charts(b.trend) if b.trend else ''}"
        f"<h2>县(市、区)× 方案</h2>{hb.matrix_table(m, trend=b.trend)}"
        f'<p class="note">{escape(hb.rate_legend(m))}</p>'
        f"{_evidence_table(m, evidence)}"
        f"<h2>量化目标</h2>{_targets_table(b)}"
        f"<h2>未来 {upcoming_days} 天内到期({_n(b.upcoming.total.items)} 项,按事项汇总)</h2>{_upcoming_table(b.upcoming)}"
        f"<h2>逾期事项({_n(b.overdue.total.items)} 项,按事项汇总)</h2>"
        f'<p class="note"><span class="sw severe"></span>浅红底:逾期最久的 {min(ATTENTION, len(b.overdue.groups))} 个事项,'
        "请优先督办。各方案内按最长逾期天数排列。</p>"
        f"{_overdue_table(b)}"
        "<p class=\"note\">逐条清单见 zhiben export overdue --to 逾期清单.xlsx(可按县区分别导出)。</p>"
        "</body></html>\n"
    )
