"""`progress`: the completion figures by county (the 通报 table), plan, item or enterprise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhiben import terms
from zhiben.db import read
from zhiben.errors import InputError
from zhiben.reports import bulletin, filters, listing
from zhiben.reports import evidence as files
from zhiben.reports import rows as reports
from zhiben.reports.records import progress_records

BY = ("county", "plan", "milestone", "enterprise")
WHAT = {"county": "各县(市、区)", "plan": "各方案", "milestone": "各事项", "enterprise": "各企业"}


@dataclass
class Progress:
    by: str
    day: dt.date
    records: list[dict]
    title: str
    since: str
    ranked: bool  # --sort: the counties carry their rank
    evidence: bool  # the 有佐证 share is in the records


def check_shape(*, by: str, sort: str | None, evidence: bool, narrowed: bool, chart: bool) -> tuple[str, bool] | None:
    """The ranking asked for; refuses the combinations that have no meaning."""
    order = bulletin.sort_key(sort)
    if order is not None and by != "county":
        raise InputError("--sort 只用于 --by county(县区排名)")
    if evidence and (by != "county" or chart or narrowed):
        raise InputError("--evidence 只用于 --by county 的通报表(可与 --plan、--county、--as-of、--sort 同用)")
    return order


def progress(src: read.Readable, day: dt.date, *, by: str, order: tuple[str, bool] | None, evidence: bool,
             **given: str | None) -> Progress:
    f = filters.resolve(src, **given)
    if by == "county":
        records = bulletin.county_bulletin(src, f, day, order)
        if evidence:
            files.add_share(records, files.share_by_county(src, day, f.plan))
    else:
        records = progress_records(reports.progress(src, f, day, by), by)
    if by == "plan":
        for r in records:
            r["label"] = terms.PLAN_NAMES.get(r["label"], r["label"])
    return Progress(by, day, records, f"截至 {day} {WHAT[by]}完成情况", listing.since(src), order is not None, evidence)
