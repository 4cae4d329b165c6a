"""The overdue and upcoming lists as one question: filters resolved, heading words, the records.

The records stream from the database cursor, so a listing is rendered while its source is open
(outputs/listing_view.py writes it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from zhiben.db import meta, read
from zhiben.errors import InputError
from zhiben.reports import filters, labels
from zhiben.reports import rows as reports
from zhiben.reports.labels import event_directions
from zhiben.reports.records import record_of
from zhiben.reports.summary import Summary, summarise


@dataclass
class Listing:
    kind: str  # overdue | upcoming
    day: dt.date
    days: int | None
    filters: reports.Filters
    title: str
    empty: str  # what to say when nothing is listed
    since: str  # 方案自 … 起施行
    directions: dict[str, str]  # event deadlines' direction words (前/后), for the 期限 column
    records: Iterator[dict]  # one per occurrence, streamed from the cursor (reports.records.record_of)
    summary: Callable[[], Summary]  # the grouped view, counted by the database when asked for

    @property
    def hidden(self) -> set[str]:
        """Columns a filter makes redundant: one plan, one county, one kind of subject, one enterprise."""
        f = self.filters
        hide = set()
        if f.plan is not None:
            hide.add("plan")
        if f.county_id is not None:
            hide.add("county")
        if f.who is not None:
            hide.add("subject_kind")
        if f.enterprise_id is not None:
            hide |= {"subject_kind", "county"}
        return hide


def check_shape(*, detail: bool, group: bool, fmt: str) -> None:
    if detail and group:
        raise InputError("--detail 与 --group 不能同时使用")
    if group and fmt not in ("json", "csv"):
        raise InputError("--group 只用于 json、csv 输出;表格输出默认就是按事项汇总的")


def since(src: read.Readable) -> str:
    """"方案自 … 起施行": every report says from when periods are counted."""
    return labels.effective_note(*meta.effective_info(src))


def occurrences(src: read.Readable, kind: str, day: dt.date, days: int | None, **given: str | None) -> Listing:
    """What `overdue` (kind "overdue") or `upcoming` (`days` ahead) lists, for filter options as typed."""
    f = filters.resolve(src, **given)
    if kind == "overdue":
        title, empty = f"截至 {day} 逾期事项", f"截至 {day} 没有逾期事项"
    else:
        title, empty = f"{day} 起 {days} 天内到期事项", f"{day} 起 {days} 天内没有到期事项"
    if f.county_id is not None:
        title = f"{title}({filters.county_name(src, f.county_id)})"
    directions = event_directions(src)
    return Listing(kind, day, days, f, title, empty, since(src), directions,
                   _records(read.source(src), f, kind, day, days, directions), lambda: summarise(src, f, kind, day, days))


def _records(src: read.Source, f: reports.Filters, kind: str, day: dt.date, days: int | None,
             directions: dict[str, str]) -> Iterator[dict]:
    """The listing's records made straight from the driver's tuples (no Row in between), as read."""
    late = kind == "overdue"
    sql, params = reports.listing_sql(src, f, kind, day, days or 0)
    for mid, plan, title, _, subject_kind, _, subject, county, code, period, due, status, bound, n in reports.decoded(
            src, sql, params, day, late):
        yield record_of(mid, plan, title, subject_kind, subject, county, code, period, due, status, bound,
                        n if late else None, None if late else n, directions)
