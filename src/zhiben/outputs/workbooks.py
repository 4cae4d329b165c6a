"""Every workbook zhiben hands out, assembled in one place: exports and mail attachments alike.

Each opens with its 汇总 (the county × plan matrix of reports.county_plan, the same numbers as the
mail, the HTML report and `progress --by county`) and carries title rows saying what, whose and as
of when; a coloured row is explained in the title rows. outputs/xlsx.py writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from zhiben import terms
from zhiben.outputs.xlsx import Book, Sheet
from zhiben.reports import briefing, bulletin, county_plan
from zhiben.reports import records as rc
from zhiben.reports import rows as reports
from zhiben.reports.labels import event_directions

PLANS = tuple(terms.Plan)


def book(src: reports.Source, report: str, scope: str, as_of: dt.date, remark: str | None = None) -> Book:
    effective, chosen = reports.effective(src)
    return Book(report, scope, as_of, remark, effective=effective, effective_chosen=chosen)


def summary_sheet(matrix: county_plan.Matrix, b: Book, kind: str = "overdue") -> Sheet:
    """The 汇总 sheet every list opens with: the county × plan matrix, ranked by 逾期率 as in the mail
    and the HTML report; an upcoming list's counts what falls due within its window."""
    return Sheet("汇总", county_plan.records(matrix), county_plan.columns(matrix, kind), heading=b.heading("汇总", legend=False),
                 bold_key="total", note=f"{county_plan.RATE_NOTE};{county_plan.ON_TIME_NOTE};"
                                        "市应急管理局自身的事项单列,不参加排名。")


def occurrence_records(rows: Iterable[reports.Row], dirs: dict[str, str] | None = None) -> Iterator[dict]:
    for r in rows:
        yield {**rc.row_record(r, dirs), "subject_id": r.subject_id}


def marker(src: reports.Source, kind: str, f: reports.Filters, as_of: dt.date, *, over_days: int | None = None,
           since: dt.date | None = None) -> tuple[Callable[[dict], str | None] | None, str | None]:
    """(highlight function, what it means) for a list: the oldest tenth and the newly overdue, or,
    with `over_days`, the rows overdue longer than that."""
    if kind != "overdue":
        return None, None
    if over_days is not None:
        return (lambda r: "severe" if (r.get("days_overdue") or 0) > over_days else None,
                f"红底:逾期超过 {over_days} 天")
    hl = briefing.highlight(src, f, as_of, since)
    return hl.level, hl.legend(as_of)


def occurrences(src: reports.Source, kind: str, f: reports.Filters, scope: str, as_of: dt.date, days: int, *,
                over_days: int | None = None, since: dt.date | None = None) -> tuple[list[Sheet], Book]:
    """`export overdue|upcoming`: 汇总, then one sheet per plan (streamed)."""
    upcoming = kind == "upcoming"
    matrix = county_plan.county_by_plan(src, f, as_of, upcoming_days=days if upcoming else None)
    highlight, legend = marker(src, kind, f, as_of, over_days=over_days, since=since)
    b = book(src, "逾期事项清单" if not upcoming else f"{days} 天内到期事项清单", scope, as_of, legend)
    dirs = event_directions(src)
    columns = rc.UPCOMING_COLUMNS if upcoming else rc.OVERDUE_COLUMNS
    sheets = [summary_sheet(matrix, b, kind)]
    for p in [f.plan] if f.plan else PLANS:
        flt = dataclasses.replace(f, plan=p)
        rows = reports.iter_upcoming(src, flt, as_of, days) if upcoming else reports.iter_overdue(src, flt, as_of)
        count = matrix.plans[p].upcoming if upcoming else matrix.plans[p].overdue
        sheets.append(Sheet(terms.PLAN_NAMES[p], occurrence_records(rows, dirs), columns,
                            heading=b.heading(terms.PLAN_NAMES[p]), total=count, highlight=highlight))
    return sheets, b


BY_NAMES = {"county": "县区", "plan": "方案", "milestone": "事项", "enterprise": "企业"}
BULLETIN_COLUMNS = [("label", "县(市、区)"), ("own_due", "本级到期"), ("own_done", "本级完成"), ("own_overdue", "本级逾期"),
                    ("enterprise_due", "企业到期"), ("enterprise_done", "企业完成"), ("enterprise_overdue", "企业逾期"),
                    ("due_so_far", "已到期"), ("done", "已完成"), ("overdue", "逾期"), ("rate", "完成率"),
                    ("on_time_rate", "按期完成率"), ("overdue_rate", "逾期率"), ("open_later", "未到期")]
def progress_records(src: reports.Source, f: reports.Filters, as_of: dt.date, by: str) -> list[dict]:
    """`progress --by …` as records: for counties the bulletin (counties, the bureau, 全市合计)."""
    if by == "county":
        return bulletin.county_bulletin(src, f, as_of)
    out = rc.progress_records(reports.progress(src, f, as_of, by), by)
    if by == "plan":
        for rec in out:
            rec["label"] = terms.PLAN_NAMES.get(rec["label"], rec["label"])
    return out


def progress_columns(by: str) -> list[tuple[str, str]]:
    return BULLETIN_COLUMNS if by == "county" else rc.progress_columns(by)


def progress(src: reports.Source, f: reports.Filters, scope: str, as_of: dt.date, by: str) -> tuple[list[Sheet], Book, int]:
    """`export progress`: 汇总, the grouping asked for, then the same per plan; (sheets, book, rows)."""
    what = BY_NAMES[by]
    b = book(src, f"完成进度(按{what})", scope, as_of)
    summary = progress_records(src, f, as_of, by)
    cols = progress_columns(by)
    note = f"截至 {as_of},按{what}统计;完成率 = 已完成 ÷ 已到期;{county_plan.ON_TIME_NOTE}"
    sheets = [summary_sheet(county_plan.county_by_plan(src, f, as_of), b),
              Sheet(f"按{what}", summary, cols, heading=b.heading(f"按{what}", legend=False), note=note, bold_key="scope",
                    total=len(summary))]
    for p in [f.plan] if f.plan else PLANS:
        sheets.append(Sheet(terms.PLAN_NAMES[p], progress_records(src, dataclasses.replace(f, plan=p), as_of, by), cols,
                            heading=b.heading(terms.PLAN_NAMES[p], legend=False), bold_key="scope"))
    return sheets, b, len(summary)


CATALOGUE_COLUMNS = [("id", "编号"), ("plan", "方案"), ("task", "任务"), ("section", "条目"), ("title", "事项"),
                     ("responsible_name", "责任主体"), ("unit", "责任单位"), ("counties", "适用县区"),
                     ("schedule", "期限"), ("quote", "原文"), ("note", "备注")]
# Widths for A4 landscape at about 85 %: the long texts wrap in full, the rows grow to hold them.
CATALOGUE_WRAP = {"task": 6, "section": 12, "title": 18, "responsible_name": 6, "unit": 7, "counties": 8,
                  "schedule": 12, "quote": 38, "note": 24}


def catalogue(src: reports.Source, records: list[dict], plans: list[str], scope: str, as_of: dt.date) -> tuple[list[Sheet], Book]:
    """`export catalogue`: counts per plan and kind of subject, then each plan's entries, printable."""
    b = book(src, "事项目录", scope, as_of)
    kinds = list(terms.SUBJECT_NAMES)
    counts = [{"label": terms.PLAN_NAMES[p], **{k: sum(r["plan"] == p and r["responsible"] == k for r in records)
                                                  for k in kinds}, "all": sum(r["plan"] == p for r in records)}
              for p in plans]
    counts.append({"label": "合计", **{k: sum(c[k] for c in counts) for k in kinds},
                   "all": sum(c["all"] for c in counts), "total": True})
    summary = Sheet("汇总", counts, [("label", "方案"), *[(k, terms.SUBJECT_NAMES[k]) for k in kinds], ("all", "合计")],
                    heading=b.heading("汇总", legend=False), bold_key="total",
                    note="按责任主体统计的事项条目数(每条事项按其原文逐条列出,见各方案工作表)")
    per_plan = [c for c in CATALOGUE_COLUMNS if c[0] != "plan"]  # the sheet is one plan
    return [summary] + [Sheet(terms.PLAN_NAMES[p], [r for r in records if r["plan"] == p], per_plan,
                              heading=b.heading(terms.PLAN_NAMES[p]), wrap=CATALOGUE_WRAP) for p in plans], b
