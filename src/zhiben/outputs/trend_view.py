"""A trend (reports.trend) as a terminal table, markdown, CSV, JSON and a workbook.

The terminal shows one measure: a row per county (plan, milestone), one column per date, a
sparkline over all the dates and the change since the previous date. At 80 columns the oldest
dates give way first; the newest date, the sparkline and the change stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from zhiben.errors import InputError
from zhiben.outputs import lines as out
from zhiben.outputs.xlsx import Book, Sheet
from zhiben.reports import trend as trends

# measure → (record key, Chinese label, is a rate)
MEASURES = {"overdue_rate": ("overdue_rate", "逾期率", True), "on_time_rate": ("on_time_rate", "按期完成率", True),
            "due_so_far": ("due_so_far", "已到期", False), "overdue": ("overdue", "逾期", False)}
MEASURE_NAMES = {"逾期率": "overdue_rate", "按期完成率": "on_time_rate", "已到期": "due_so_far", "逾期": "overdue",
                 **{k: k for k in MEASURES}}
GROUP_LABEL = {"county": "县(市、区)", "plan": "方案", "milestone": "事项"}


def measure_of(text: str) -> str:
    key = MEASURE_NAMES.get(text.strip())
    if key is None:
        raise InputError(f"未知的指标“{text[:40]}”;可用:逾期率、按期完成率、已到期、逾期")
    return key


def value_text(value: float | None, rate: bool) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if rate else f"{value:,}"


def change_text(now: float | None, before: float | None, rate: bool) -> str:
    """Points for a rate (+1.2), a count for a count (+35); blank when either is missing."""
    if now is None or before is None:
        return ""
    if rate:
        d = round((now - before) * 100, 1)
        return "持平" if d == 0 else f"{d:+.1f}"
    d = now - before
    return "持平" if d == 0 else f"{d:+,}"


def date_label(day: dt.date, every: str, days: list[dt.date]) -> str:
    same_year = len({d.year for d in days}) == 1
    return day.strftime("%m-%d") if same_year else day.strftime("%y-%m-%d")


def rows(t: trends.Trend, measure: str) -> list[dict]:
    key, _, rate = MEASURES[measure]
    out_rows = []
    for s in t.series:
        values = [p.record()[key] for p in s.points]
        rec = {"label": s.label, "short": s.short, "key": s.key, "scope": s.kind,
               "spark": trends.spark(values), "change": change_text(values[-1], values[-2] if len(values) > 1 else None,
                                                                     rate)}
        for i, v in enumerate(values):
            rec[f"d{i}"] = value_text(v, rate)
        out_rows.append(rec)
    return out_rows


def _cell(key: str) -> Callable[[dict], str]:
    return lambda r: r[key]


def columns(t: trends.Trend, measure: str) -> list[out.Col]:
    n = len(t.dates)
    label = GROUP_LABEL[t.by]
    if t.by == "milestone":  # the 编号 column names it; the title is cut with "…", never swapped for the ID
        cols = [out.Col("label", label, lambda r: r["label"], flex=True, min_width=8)]
    else:
        cols = [out.Col("label", label, lambda r: r["label"], short=lambda r: r["short"], short_label=label[:2])]
    if t.by == "milestone":
        cols.insert(0, out.Col("key", "编号", lambda r: r["key"] if r["scope"] != "total" else ""))
    for i, day in enumerate(t.dates):
        # The oldest dates give way first; the newest is always shown.
        cols.append(out.Col(f"d{i}", date_label(day, t.every, t.dates), _cell(f"d{i}"), right=True,
                            drop=0 if i == n - 1 else i + 1))
    cols.append(out.Col("spark", "走势", lambda r: r["spark"]))
    cols.append(out.Col("change", "较上期", lambda r: r["change"], right=True))
    return cols


def title(t: trends.Trend, measure: str) -> str:
    what = {"county": "各县(市、区)", "plan": "各方案", "milestone": "各事项"}[t.by]
    return (f"{what}{MEASURES[measure][1]}趋势({trends.EVERY[t.every]},{t.dates[0]} 至 {t.dates[-1]},"
            f"共 {len(t.dates)} 个日期)")


def terminal(t: trends.Trend, measure: str, since: str, *, width: int | None, tty: bool, fmt: str) -> Iterator[str]:
    yield title(t, measure)
    yield since
    yield ""
    data, cols = rows(t, measure), columns(t, measure)
    if fmt == "markdown":
        yield from out.markdown(data, cols)
    else:
        groups = [r for r in data if r["scope"] != "total"]
        yield from out.render_sections([groups, [r for r in data if r["scope"] == "total"]], cols, total=width, tty=tty)
    yield ""
    note = ("每个数字与 zhiben progress --as-of 该日期 所得相同(按当前记录回算:补录的完成记录会改变过去的数字;"
            "已印发的通报数字见 zhiben bulletin list)。其他指标:--measure 按期完成率|已到期|逾期。")
    yield from out.wrap(note, width)


def long_records(t: trends.Trend) -> Iterator[dict]:
    """One record per group and date (CSV, the workbook's 明细 sheet)."""
    for s in t.series:
        for p in s.points:
            yield {"label": s.label, "key": s.key, **p.record()}


LONG_COLUMNS = [("label", "分组"), ("key", "编号"), ("as_of", "截至日期"), ("due_so_far", "已到期"), ("done", "已完成"),
                ("overdue", "逾期"), ("overdue_rate", "逾期率"), ("on_time", "按期完成"), ("on_time_rate", "按期完成率")]


def workbook(t: trends.Trend, book: Book) -> list[Sheet]:
    """A wide sheet per measure (a column per date, ready for a chart) and the long 明细 sheet."""
    sheets = []
    for key, label, _ in MEASURES.values():
        cols = [("label", GROUP_LABEL[t.by])] + [(f"d{i}", d.isoformat()) for i, d in enumerate(t.dates)]
        recs = []
        for s in t.series:
            rec = {"label": s.label, "total": s.kind == "total"}
            rec.update({f"d{i}": p.record()[key] for i, p in enumerate(s.points)})
            recs.append(rec)
        sheets.append(Sheet(label, recs, cols, heading=book.heading(label), bold_key="total"))
    sheets.append(Sheet("明细", list(long_records(t)), LONG_COLUMNS, heading=book.heading("明细"),
                                date_keys=("as_of",)))
    return sheets
