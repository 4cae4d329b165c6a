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

from sqlmodel import Session, func, select

from zhiben import terms
from zhiben.db import meta, models
from zhiben.outputs import progress
from zhiben.reports import county_plan
from zhiben.reports import rows as reports
from zhiben.reports.summary import Group, summarise
from zhiben.tracking import targets as target_rows

LIST_LIMIT = 40
# The overdue items marked for attention: the longest overdue, not "everything over N days" (on a
# register where most is long overdue that would colour nearly every row and say nothing).
ATTENTION = 10
# A county's 逾期率 this far above the city-wide rate is marked.
MARGIN = 0.05

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
margin:0 auto;max-width:1180px;padding:20px 28px;color:#1f2933;background:#f5f7fa;font-size:14px;line-height:1.5}
h1{font-size:23px;margin:0 0 4px}
h2{font-size:18px;margin:26px 0 10px;border-left:4px solid #2f6fb3;padding-left:8px;break-after:avoid}
h3{font-size:15px;margin:0 0 8px}
.sub{color:#52606d;margin-bottom:16px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
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
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d9e2ec;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#d9e2ec}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.severe td{background:#f6d5d1}
tr.total td{font-weight:700;background:#eef2f6}
td.badtext{color:#b42318;font-weight:700}
td.name{white-space:nowrap}
.sw.severe{background:#f6d5d1;border:1px solid #e3a39b}
.muted{color:#7b8794}
@media (max-width:600px){
body{padding:12px 10px;font-size:13px}
h1{font-size:19px}
.charts{grid-template-columns:1fr}
.chart{grid-template-columns:minmax(4em,max-content) 1fr;}
.chart .val{grid-column:2;margin-top:-4px;margin-bottom:4px}
.card .v{font-size:21px}
.scroll table{min-width:640px}
}
@page{size:A4;margin:14mm 12mm}
@media print{
body{background:#fff;max-width:none;padding:0;font-size:12px}
.panel,.card{box-shadow:none;border:1px solid #d9e2ec}
.charts{grid-template-columns:1fr 1fr}
.cards{grid-template-columns:repeat(7,1fr)}
.card .v{font-size:18px}
.scroll{overflow:visible}
a{color:inherit;text-decoration:none}
}
"""


def _n(x: int) -> str:
    return f"{x:,}"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


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


def _marked(rate: float | None, city: float | None) -> bool:
    return rate is not None and city is not None and rate > city + MARGIN


def _matrix_table(m: county_plan.Matrix, days: int) -> str:
    plans = [p for p in county_plan.PLANS if m.plans[p].due_so_far or m.plans[p].upcoming]
    head = "".join(f'<th class="num">{terms.PLAN_SHORT[p]}逾期</th><th class="num">{terms.PLAN_SHORT[p]}逾期率</th>'
                   for p in plans)
    out = [f'<thead><tr><th>排名</th><th>县(市、区)</th>{head}<th class="num">已到期</th><th class="num">已完成</th>'
           f'<th class="num">逾期</th><th class="num">逾期率</th><th class="num">{days} 天内到期</th></tr></thead><tbody>']

    def row(rank: str, ln: county_plan.Line, cls: str = "") -> str:
        cells = "".join(f'<td class="num">{_n(ln.plans[p].overdue)}</td><td class="num">{_pct(ln.plans[p].rate)}</td>'
                        for p in plans)
        rate_cls = "num badtext" if _marked(ln.total.rate, m.total.rate) and not cls else "num"
        return (f'<tr class="{cls}"><td>{rank}</td><td class="name">{escape(ln.label)}</td>{cells}'
                f'<td class="num">{_n(ln.total.due_so_far)}</td><td class="num">{_n(ln.total.done)}</td>'
                f'<td class="num">{_n(ln.total.overdue)}</td><td class="{rate_cls}">{_pct(ln.total.rate)}</td>'
                f'<td class="num">{_n(ln.total.upcoming)}</td></tr>')

    for i, ln in enumerate(m.ranked(), 1):
        out.append(row(str(i), ln))
    if m.city:
        out.append(row("单列", county_plan.Line(f"{terms.CITY_NAME}(市级事项)", True, m.city.plans, m.city.total)))
    out.append(row("", county_plan.Line("全市合计", False, m.plans, m.total), "total"))
    return '<div class="scroll"><table>' + "".join(out) + "</tbody></table></div>"


def _who(g: Group) -> str:
    parts = []
    if g.city:
        parts.append("市应急局")
    if g.counties:
        parts.append(f"{len(g.counties)} 个县区")
    if g.enterprises:
        parts.append(f"{_n(len(g.enterprises))} 家企业")
    return "、".join(parts)


def attention(summary) -> set[str]:
    """The milestones of the ATTENTION longest-overdue groups (ties: more items first)."""
    worst = sorted(summary.groups, key=lambda g: (-(g.max_days_overdue or 0), -g.items, g.milestone_id))
    return {g.milestone_id for g in worst[:ATTENTION]}


def _overdue_table(summary, day: dt.date) -> str:
    if not summary:
        return '<p class="muted">无逾期事项</p>'
    marked = attention(summary)
    out = ['<div class="scroll"><table><thead><tr><th>方案</th><th>事项</th><th>涉及</th><th class="num">逾期项数</th>'
           '<th class="num">最早期限</th><th class="num">最长逾期天数</th></tr></thead><tbody>']
    by_plan: dict[str, list[Group]] = {}
    for g in summary.groups:
        by_plan.setdefault(g.plan, []).append(g)
    for plan, groups in by_plan.items():
        tally = summary.plans[plan]
        groups = sorted(groups, key=lambda g: (-(g.max_days_overdue or 0), g.milestone_id))
        for g in groups[:LIST_LIMIT]:
            cls = ' class="severe"' if g.milestone_id in marked else ""
            out.append(f"<tr{cls}><td>{terms.PLAN_SHORT[plan]}</td><td>{escape(g.title)}</td><td>{escape(_who(g))}</td>"
                       f'<td class="num">{_n(g.items)}</td><td class="num">{g.first_due}</td>'
                       f'<td class="num">{g.max_days_overdue or 0}</td></tr>')
        more = f"(另有 {len(groups) - LIST_LIMIT} 个事项见 XLSX)" if len(groups) > LIST_LIMIT else ""
        out.append(f'<tr class="total"><td>{terms.PLAN_SHORT[plan]}</td><td>小计:{len(groups)} 个事项{more}</td>'
                   f'<td>{escape(_who(tally))}</td><td class="num">{_n(tally.items)}</td>'
                   f'<td class="num">{tally.first_due}</td><td class="num">{tally.max_days_overdue or 0}</td></tr>')
    t = summary.total
    out.append(f'<tr class="total"><td></td><td>合计:{len(summary.groups)} 个事项</td><td>{escape(_who(t))}</td>'
               f'<td class="num">{_n(t.items)}</td><td class="num">{t.first_due}</td>'
               f'<td class="num">{t.max_days_overdue or 0}</td></tr>')
    return "".join(out) + "</tbody></table></div>"


def _upcoming_table(summary, day: dt.date) -> str:
    if not summary:
        return '<p class="muted">期内没有到期事项</p>'
    groups = sorted(summary.groups, key=lambda g: (g.first_due, g.plan, g.milestone_id))
    out = ['<div class="scroll"><table><thead><tr><th class="num">期限</th><th>方案</th><th>事项</th><th>涉及</th>'
           '<th class="num">项数</th></tr></thead><tbody>']
    for g in groups[:LIST_LIMIT]:
        when = f"{g.first_due}" + ("" if g.last_due == g.first_due else f" 至 {g.last_due}")
        lead = "最早可办 " if g.earliest else ""
        out.append(f'<tr><td class="num">{lead}{when}</td><td>{terms.PLAN_SHORT[g.plan]}</td><td>{escape(g.title)}</td>'
                   f'<td>{escape(_who(g))}</td><td class="num">{_n(g.items)}</td></tr>')
    if len(groups) > LIST_LIMIT:
        out.append(f'<tr class="total"><td colspan="5">另有 {len(groups) - LIST_LIMIT} 个事项,见 zhiben export upcoming</td></tr>')
    return "".join(out) + "</tbody></table></div>"


def _targets_table(session: Session, day: dt.date) -> str:
    rows = target_rows.measure(session, day)
    city = [r for r in rows if r.scope_kind == "city"]
    if not city:
        return '<p class="muted">没有量化目标</p>'
    behind: dict[str, list[str]] = {}
    for r in rows:
        if r.scope_kind == "county" and r.status == "not_met":
            behind.setdefault(r.milestone_id, []).append(dict(terms.COUNTIES).get(r.scope, r.scope))
    out = ['<div class="scroll"><table><thead><tr><th>方案</th><th>目标</th><th class="num">测算值</th>'
           '<th class="num">目标值</th><th class="num">期限</th><th>状态</th><th>未达标县区</th></tr></thead><tbody>']
    for r in city:
        cls = "badtext" if r.status == "not_met" else ""
        value = _pct(r.value) if r.value is not None else "—"
        basis = f"({r.meeting}/{r.population} 家)" if r.population else ""
        out.append(f"<tr><td>{terms.PLAN_SHORT[r.plan]}</td><td>{escape(r.title)}</td>"
                   f'<td class="num">{value}{basis}</td><td class="num">{_pct(r.threshold)}</td>'
                   f'<td class="num">{r.due or ""}</td><td class="{cls}">{escape(r.status_name)}</td>'
                   f"<td>{escape('、'.join(behind.get(r.milestone_id, [])))}</td></tr>")
    return "".join(out) + "</tbody></table></div>"


def build(session: Session, as_of: dt.date, *, upcoming_days: int = 30) -> str:
    f = reports.Filters()
    m = county_plan.county_by_plan(session, f, as_of, upcoming_days=upcoming_days)
    overdue = summarise(progress.track(reports.iter_overdue(session, f, as_of), "汇总逾期事项", total=m.total.overdue))
    upcoming = summarise(reports.iter_upcoming(session, f, as_of, upcoming_days))
    enterprises = session.exec(select(func.count()).select_from(models.Enterprise)
                               .where(models.Enterprise.active)).one()
    t = m.total
    done_rate = t.done / t.due_so_far if t.due_so_far else None
    cards = "".join([
        _card("已到期事项", _n(t.due_so_far)), _card("已完成", _n(t.done)), _card("完成率", _pct(done_rate)),
        _card("逾期未完成", _n(t.overdue), bad=bool(t.overdue)), _card("逾期率", _pct(t.rate), bad=bool(t.overdue)),
        _card(f"{upcoming_days} 天内到期", _n(upcoming.total.items)), _card("在册企业", _n(enterprises)),
    ])
    county_bars = [(ln.label, ln.total.rate, f"{_pct(ln.total.rate)}({_n(ln.total.overdue)}/{_n(ln.total.due_so_far)})",
                    _marked(ln.total.rate, t.rate)) for ln in m.ranked()]
    plan_bars = [(terms.PLAN_NAMES[p], c.rate, f"{_pct(c.rate)}({_n(c.overdue)}/{_n(c.due_so_far)})", _marked(c.rate, t.rate))
                 for p, c in m.plans.items() if c.due_so_far]
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
    effective = meta.effective_date(session)
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class=\"sub\">聊城市安全生产治本攻坚三年行动(2024—2026)· 全市 · "
        f"截至日期 {as_of} · 方案自 {effective} 起施行 · 生成时间 {generated}</div>"
        f"<div class=\"cards\">{cards}</div>"
        f"<h2>各县(市、区)和各方案逾期率</h2>{charts}"
        f"<p class=\"note\">{escape(county_plan.RATE_NOTE)}。按逾期率而不是逾期项数比较:项数主要取决于辖区企业多少。</p>"
        f"<h2>县(市、区)× 方案</h2>{_matrix_table(m, upcoming_days)}"
        f"<h2>量化目标</h2>{_targets_table(session, as_of)}"
        f"<h2>未来 {upcoming_days} 天内到期({_n(upcoming.total.items)} 项,按事项汇总)</h2>{_upcoming_table(upcoming, as_of)}"
        f"<h2>逾期事项({_n(overdue.total.items)} 项,按事项汇总)</h2>"
        f'<p class="note"><span class="sw severe"></span>浅红底:逾期最久的 {min(ATTENTION, len(overdue.groups))} 个事项,'
        "请优先督办。各方案内按最长逾期天数排列。</p>"
        f"{_overdue_table(overdue, as_of)}"
        "<p class=\"note\">逐条清单见 zhiben export overdue --to 逾期清单.xlsx(可按县区分别导出)。</p>"
        "</body></html>\n"
    )
