"""The meeting report: one self-contained HTML file (inline CSS and SVG, no scripts, no network).

A Content-Security-Policy forbids every fetch, so the file opens the same on an offline
machine as on the analyst's. Every value from the database is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlmodel import Session, func, select

from zhiben.db import models
from zhiben.outputs.exports import text_width
from zhiben.reports import rows as reports
from zhiben.terms import PLAN_NAMES
from zhiben.terms import SUBJECT_NAMES as KIND_NAMES

TABLE_LIMIT = 500
BAR_COLOR = "#2f6fb3"
RED = "#c0392b"

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;
margin:0;padding:24px 32px;color:#1f2933;background:#f5f7fa;font-size:14px;line-height:1.5}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-left:4px solid #2f6fb3;padding-left:8px}
.sub{color:#52606d;margin-bottom:18px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:150px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .v{font-size:28px;font-weight:700}.card .k{color:#52606d;font-size:13px}.card.bad .v{color:#c0392b}
.panel{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts .panel{flex:1 1 420px}
svg text{font-family:inherit;font-size:13px;fill:#1f2933}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#d9e2ec;position:sticky;top:0}
tr.severe td{background:#f8d7d3}td.num{text-align:right;white-space:nowrap}
.muted{color:#7b8794}
@media print{body{background:#fff}.panel,.card{box-shadow:none;border:1px solid #d9e2ec}}
"""


@dataclass
class Bar:
    label: str
    value: float
    text: str
    color: str = BAR_COLOR


def bar_chart(bars: list[Bar], *, max_value: float, title: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not bars:
        return f'<p class="muted">{escape(title)}:暂无数据</p>'
    row_h, gap, bar_w = 24, 6, 320
    label_w = max(text_width(b.label) for b in bars) * 7 + 12
    value_w = max(text_width(b.text) for b in bars) * 7 + 12
    width = label_w + bar_w + value_w
    height = len(bars) * (row_h + gap) + gap
    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    for i, b in enumerate(bars):
        y = gap + i * (row_h + gap)
        w = 0 if max_value <= 0 else round(bar_w * max(0.0, b.value) / max_value, 1)
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h * 0.7:.1f}" text-anchor="end">{escape(b.label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{row_h}" fill="#e4e7eb" rx="3"/>')
        if w > 0:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{row_h}" fill="{b.color}" rx="3"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + row_h * 0.7:.1f}">{escape(b.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _card(key: str, value: str, bad: bool = False) -> str:
    return f'<div class="card{" bad" if bad else ""}"><div class="v">{escape(value)}</div><div class="k">{escape(key)}</div></div>'


def build(session: Session, as_of: dt.date, *, upcoming_days: int = 30) -> str:
    f = reports.Filters()
    by_county = reports.progress(session, f, as_of, "county")
    by_plan = reports.progress(session, f, as_of, "plan")
    overdue = reports.overdue(session, f, as_of)
    upcoming = reports.upcoming(session, f, as_of, upcoming_days)
    enterprises = session.exec(select(func.count()).select_from(models.Enterprise)
                               .where(models.Enterprise.active)).one()

    due = sum(p.due_so_far for p in by_county)
    done = sum(p.done for p in by_county)
    rate = done / due if due else None
    cards = "".join([
        _card("已到期事项", str(due)), _card("已完成", str(done)), _card("完成率", _pct(rate)),
        _card("逾期未完成", str(len(overdue)), bad=bool(overdue)),
        _card(f"{upcoming_days} 天内到期", str(len(upcoming))), _card("在册企业", str(enterprises)),
    ])

    rate_bars = [Bar(p.label, p.rate or 0.0, f"{_pct(p.rate)}({p.done}/{p.due_so_far})") for p in by_county]
    plan_bars = [Bar(PLAN_NAMES.get(p.label, p.label), p.overdue, f"{p.overdue} 项", RED) for p in by_plan]
    max_overdue = max((p.overdue for p in by_plan), default=0)
    charts = (
        '<div class="charts">'
        f'<div class="panel"><h3>各县(市、区)完成率</h3>{bar_chart(rate_bars, max_value=1.0, title="各县(市、区)完成率")}</div>'
        f'<div class="panel"><h3>各方案逾期事项数</h3>{bar_chart(plan_bars, max_value=max_overdue, title="各方案逾期事项数")}</div>'
        "</div>"
    )

    head = ("<tr><th>编号</th><th>方案</th><th>事项</th><th>主体类别</th><th>责任主体</th><th>所属县区</th>"
            "<th>周期</th><th>期限</th><th>逾期天数</th></tr>")
    body = []
    for r in sorted(overdue, key=lambda r: (-(r.days_overdue or 0), r.milestone_id))[:TABLE_LIMIT]:
        cls = ' class="severe"' if (r.days_overdue or 0) > 90 else ""
        body.append(
            f"<tr{cls}><td>{escape(r.milestone_id)}</td><td>{escape(PLAN_NAMES.get(r.plan, r.plan))}</td>"
            f"<td>{escape(r.title)}</td><td>{escape(KIND_NAMES.get(r.subject_kind, r.subject_kind))}</td>"
            f"<td>{escape(r.subject)}</td><td>{escape(r.county or '')}</td><td>{escape('一次性' if r.period == 'once' else r.period)}</td>"
            f'<td class="num">{r.due.isoformat()}</td><td class="num">{r.days_overdue}</td></tr>'
        )
    if overdue:
        table = f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
        if len(overdue) > TABLE_LIMIT:
            table += (f'<p class="muted">共 {len(overdue)} 项,仅列出逾期最久的 {TABLE_LIMIT} 项;'
                      "完整清单请用 zhiben export overdue --to 逾期.xlsx 导出。</p>")
    else:
        table = '<p class="muted">截至报告日期没有逾期事项。</p>'

    generated = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    title = f"治本攻坚三年行动 期限执行情况(截至 {as_of.isoformat()})"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class=\"sub\">聊城市安全生产治本攻坚三年行动(2024—2026)· 生成于 {generated}</div>"
        f"<div class=\"cards\">{cards}</div>"
        f"<h2>完成情况</h2>{charts}"
        f"<h2>逾期事项({len(overdue)} 项,逾期超过 90 天的以深色标出)</h2>{table}"
        "</body></html>\n"
    )
