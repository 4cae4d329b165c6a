"""Evidence files as rows: the listing, the per-record counts shown beside completions, and the
completions in scope of an inspection bundle with their files (metadata only; bytes: db/blobs.py).

Subjects are named through their own tables (not the occurrence table), so a file stays listed
when its enterprise leaves the register or its record is reopened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from zhiben import terms
from zhiben.dates import local
from zhiben.db import read
from zhiben.reports import filters, labels
from zhiben.reports.rows import as_date
from zhiben.tracking import lookup

KEY = ("milestone_id", "subject_kind", "subject_id", "period")
# The subject of a row aliased `x` (evidence file or completion): its name, credit code and county.
SUBJECT_JOINS = """
LEFT JOIN enterprise e ON x.subject_kind = 'enterprise' AND e.id = x.subject_id
LEFT JOIN park p ON x.subject_kind = 'park' AND p.id = x.subject_id
LEFT JOIN county c ON x.subject_kind = 'county' AND c.id = x.subject_id
"""
SUBJECT_COLUMNS = "COALESCE(e.name, p.name, c.name, :city) AS subject, e.credit_code"
COUNTY_OF = "COALESCE(e.county_id, p.county_id, c.id)"
SAME_RECORD = " AND ".join(f"k.{k} = x.{k}" for k in KEY)

LIST_COLUMNS = [("id", "编号"), ("milestone_id", "事项"), ("subject", "责任主体"), ("period_label", "周期"),
                ("name", "文件名"), ("size_text", "大小"), ("sha256", "SHA-256"), ("added_by", "添加人"),
                ("added_at", "添加时间"), ("state", "记录状态")]


@dataclass
class Scope:
    county_id: int | None = None
    enterprise_id: int | None = None
    credit_code: str | None = None
    milestone_id: str | None = None
    period: str | None = None
    plan: str | None = None


def scope_of(src: read.Readable, *, county: str | None = None, enterprise: str | None = None,
             milestone_id: str | None = None, period: str | None = None, plan: str | None = None) -> Scope:
    """The user's filter words checked against what exists (reports.filters: no guessing)."""
    from zhiben.catalogue import schedule  # loads the catalogue model (pydantic): only a --period needs it

    ent = lookup.enterprise(src, enterprise) if enterprise is not None else None
    return Scope(county_id=lookup.county(src, county).id if county is not None else None,
                 enterprise_id=ent.id if ent else None, credit_code=ent.credit_code if ent else None,
                 milestone_id=lookup.milestone(src, milestone_id) if milestone_id is not None else None,
                 plan=filters.plan_code(plan),
                 period=schedule.period_from_label(period.strip()) if period and period.strip() else None)


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _where(scope: Scope, params: dict, alias: str = "x") -> str:
    parts = []
    if scope.county_id is not None:
        parts.append(f"{COUNTY_OF} = :county_id")
        params["county_id"] = scope.county_id
    if scope.enterprise_id is not None:
        # Its own records, and the county's supervision records about it (period "2025-H1:code").
        parts.append(f"(({alias}.subject_kind = 'enterprise' AND {alias}.subject_id = :ent) "
                     f"OR {alias}.period LIKE :ent_code)")
        params.update(ent=scope.enterprise_id, ent_code=f"%:{scope.credit_code}")
    if scope.milestone_id:
        parts.append(f"{alias}.milestone_id = :mid")
        params["mid"] = scope.milestone_id
    if scope.period:
        parts.append(f"({alias}.period = :period OR {alias}.period LIKE :period_any)")
        params.update(period=scope.period, period_any=f"{scope.period}:%")
    if scope.plan:
        parts.append("m.plan = :plan")
        params["plan"] = scope.plan
    return (" AND " + " AND ".join(parts)) if parts else ""


def files(src: read.Readable, scope: Scope) -> list[dict]:
    """Every attached file in scope, with its record's state, oldest first."""
    params: dict = {"city": terms.CITY_NAME}
    sql = (f"SELECT x.id, x.milestone_id, x.subject_kind, x.period, x.name, x.size, x.mime, x.sha256, x.added_by, "
           f"x.added_at, x.source, k.done_on, {SUBJECT_COLUMNS} FROM evidencefile x "
           f"JOIN milestone m ON m.id = x.milestone_id {SUBJECT_JOINS} "
           f"LEFT JOIN completion k ON {SAME_RECORD} WHERE 1 = 1{_where(scope, params)} ORDER BY x.id")
    out = []
    for (fid, mid, kind, period, name, size, mime, sha, by, at, source, done_on, subject, code) in read.execute(src, sql, params):
        out.append({"id": fid, "milestone_id": mid, "subject_kind": kind, "subject": subject, "credit_code": code,
                    "period": period, "period_label": labels.period_label(period), "name": name, "size": size,
                    "size_text": size_text(size), "mime": mime, "sha256": sha, "added_by": by, "added_at": local(read.Source.time(at)),
                    "source": source, "done_on": as_date(done_on), "state": "已完成" if done_on else "已撤销完成"})
    return out


def counts(src: read.Readable, rows: list[tuple[str, str, int, str]]) -> dict[tuple, int]:
    """Files per record for the given record keys (milestone, subject kind, subject id, period)."""
    if not rows:
        return {}
    wanted = set(rows)
    ids = sorted({r[0] for r in wanted})
    params = {f"m{i}": mid for i, mid in enumerate(ids)}
    sql = ("SELECT milestone_id, subject_kind, subject_id, period, COUNT(*) FROM evidencefile "
           f"WHERE milestone_id IN ({', '.join(':' + k for k in params)}) "
           "GROUP BY milestone_id, subject_kind, subject_id, period")
    return {tuple(r[:4]): int(r[4]) for r in read.execute(src, sql, params) if tuple(r[:4]) in wanted}


def subject_counts(src: read.Readable, kind: str, subject_id: int) -> dict[tuple[str, str], int]:
    """Files per (milestone, period) of one subject's records."""
    sql = ("SELECT milestone_id, period, COUNT(*) FROM evidencefile WHERE subject_kind = :k AND subject_id = :i "
           "GROUP BY milestone_id, period")
    return {(m, p): int(n) for m, p, n in read.execute(src, sql, {"k": kind, "i": subject_id})}


def share_by_county(src: read.Readable, as_of: dt.date, plan: str | None = None) -> dict[str, tuple[int, int]]:
    """Per county name (the bureau's own records under its name): (completions recorded by
    `as_of`, those with at least one evidence file)."""
    params = {"city": terms.CITY_NAME, "as_of": read.day(src, as_of), "plan": plan}
    by_plan = " AND m.plan = :plan" if plan else ""
    has_file = ("EXISTS (SELECT 1 FROM evidencefile f WHERE "
                + " AND ".join(f"f.{k} = x.{k}" for k in KEY) + ")")
    sql = (f"SELECT COALESCE(cc.name, :city), COUNT(*), SUM(CASE WHEN {has_file} THEN 1 ELSE 0 END) "
           f"FROM completion x JOIN milestone m ON m.id = x.milestone_id {SUBJECT_JOINS} "
           f"LEFT JOIN county cc ON cc.id = {COUNTY_OF} "
           f"WHERE x.done_on <= :as_of{by_plan} GROUP BY COALESCE(cc.name, :city)")
    return {name: (int(n), int(w or 0)) for name, n, w in read.execute(src, sql, params)}


def file_counts_by_county(src: read.Readable, as_of: dt.date) -> dict[str, int]:
    """Evidence files on completions recorded by `as_of`, per county name (the bureau's under its name)."""
    params = {"city": terms.CITY_NAME, "as_of": read.day(src, as_of)}
    sql = (f"SELECT COALESCE(cc.name, :city), COUNT(*) FROM evidencefile x "
           f"JOIN completion k ON {SAME_RECORD} {SUBJECT_JOINS} LEFT JOIN county cc ON cc.id = {COUNTY_OF} "
           "WHERE k.done_on <= :as_of GROUP BY COALESCE(cc.name, :city)")
    return {name: int(n) for name, n in read.execute(src, sql, params)}


def by_county(src: read.Readable, as_of: dt.date) -> dict[str, tuple[int, int, int]]:
    """Per county name (the bureau's under its name): (completions recorded by `as_of`, those with a
    file, their files); empty when no file is stored at all."""
    files = file_counts_by_county(src, as_of)
    if not files:
        return {}
    return {name: (n, w, files.get(name, 0)) for name, (n, w) in share_by_county(src, as_of).items()}


def add_share(records: list[dict], shares: dict[str, tuple[int, int]]) -> None:
    """Put 有佐证 (share of completions with a file) on progress --by county records, 全市合计 summed."""
    total_n = sum(n for n, _ in shares.values())
    total_w = sum(w for _, w in shares.values())
    for r in records:
        n, w = (total_n, total_w) if r.get("scope") == "total" else shares.get(r["label"], (0, 0))
        r["evidence_share"] = w / n if n else None
        r["with_evidence"] = w


# --- an inspection bundle ------------------------------------------------------------------------

@dataclass
class Completed:
    milestone_id: str
    title: str
    plan: str
    subject_kind: str
    subject: str
    credit_code: str | None
    period: str
    done_on: dt.date
    evidence: str | None
    files: list[dict] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return labels.period_label(self.period)


def bundle_scope(src: read.Readable, county_id: int, plan: str | None, as_of: dt.date) -> list[Completed]:
    """Every completion of a county (its own, its parks', its enterprises') recorded by `as_of`,
    in catalogue order, each with its files."""
    params: dict = {"city": terms.CITY_NAME, "as_of": read.day(src, as_of)}
    scope = Scope(county_id=county_id, plan=plan)
    where = _where(scope, params)
    sql = (f"SELECT x.milestone_id, m.title, m.plan, x.subject_kind, x.subject_id, x.period, x.done_on, x.evidence, "
           f"{SUBJECT_COLUMNS} FROM completion x JOIN milestone m ON m.id = x.milestone_id {SUBJECT_JOINS} "
           f"WHERE x.done_on <= :as_of{where} ORDER BY m.position, x.milestone_id, subject, x.period")
    found: dict[tuple, Completed] = {}
    for mid, title, plan_, kind, sid, period, done_on, text, subject, code in read.execute(src, sql, params):
        day = as_date(done_on)
        assert day is not None  # completion.done_on is NOT NULL
        found[(mid, kind, sid, period)] = Completed(mid, title, plan_, kind, subject, code, period, day, text)
    fsql = (f"SELECT x.milestone_id, x.subject_kind, x.subject_id, x.period, x.id, x.name, x.size, x.mime, x.sha256 "
            f"FROM evidencefile x JOIN milestone m ON m.id = x.milestone_id {SUBJECT_JOINS} "
            f"WHERE 1 = 1{where} ORDER BY x.id")
    by_record: dict[tuple, list[dict]] = defaultdict(list)
    for mid, kind, sid, period, fid, name, size, mime, sha in read.execute(src, fsql, params):
        by_record[(mid, kind, sid, period)].append({"id": fid, "name": name, "size": size, "mime": mime, "sha256": sha})
    for key, done in found.items():
        done.files = by_record.get(key, [])
    return list(found.values())


def iter_files(scope: list[Completed]) -> Iterator[tuple[Completed, dict]]:
    for done in scope:
        for f in done.files:
            yield done, f
