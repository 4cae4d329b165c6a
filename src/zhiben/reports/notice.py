"""The 通报: the ranked figures at a date, compared with the last issue, as one storable record.

Composed from the county × plan matrix (reports.county_plan, the numbers of `progress --by county`)
or, for one county, from its enterprises' progress, ranked the same way (reports.bulletin.rank:
lowest 逾期率 first, ties share a rank, the bureau's or the county's own row apart). What is
circulated is stored (tracking.bulletins) and read back by `bulletin show` without recomputing:
a completion recorded later changes `progress --as-of`, never an issued 通报.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from zhiben.db import meta, read
from zhiben.errors import InputError
from zhiben.inputs import files
from zhiben.reports import bulletin, county_plan, labels
from zhiben.reports import rows as reports
from zhiben.reports.county_plan import ratio
from zhiben.terms import CITY_NAME, PLAN_NAMES, Plan

if TYPE_CHECKING:
    from sqlmodel import Session

ABOVE_POINTS = 5  # a county this many points above the city's 逾期率 is named under 存在的问题
TOP_ITEMS = 5
MAX_REQUIREMENTS = 20_000
RANK = ("overdue_rate", False)  # lowest 逾期率 first
ISSUER = CITY_NAME


@dataclass
class Notice:
    scope: str  # 全市 or a county's official name
    as_of: dt.date
    effective: str  # "方案自 … 起施行"
    year: int
    number: int
    issued_on: dt.date
    lines: list[dict]  # ranked counties (or enterprises), then the own row, then the total
    plans: list[dict]  # per plan: due so far, done, overdue, rates
    basis: dict | None  # what 较上期 compares with: an issue, or the records recomputed at a date
    above: list[dict]  # counties (enterprises) more than ABOVE_POINTS above the whole's 逾期率
    top: list[dict]  # the items with the most overdue subjects
    new: dict  # what became overdue since the basis date
    annex: list[dict]  # every overdue item, per milestone and county
    addressees: list[str]  # 主送
    requirements: str | None = None
    issued_by: str | None = None
    ident: int | None = None  # the stored issue's id
    extra: dict = field(default_factory=dict)

    @property
    def county(self) -> bool:
        return self.scope != "全市"

    @property
    def total(self) -> dict:
        return self.lines[-1]

    @property
    def title(self) -> str:
        if self.county:
            return f"关于{self.scope}安全生产治本攻坚三年行动企业工作进展情况的通报"
        return "关于全市安全生产治本攻坚三年行动工作进展情况的通报"

    def stored(self) -> dict:
        """JSON-ready: what `bulletin show` prints again, exactly."""
        data = asdict(self)
        data.pop("ident")
        return _iso(data)

    @classmethod
    def from_stored(cls, data: dict, ident: int | None = None) -> Notice:
        values = dict(data)
        for k in ("as_of", "issued_on"):
            values[k] = dt.date.fromisoformat(values[k])
        return cls(**values, ident=ident)


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _enterprise_record(p: reports.ProgressRow) -> dict:
    on_time = p.done - p.done_late
    return {"key": p.key, "label": p.label, "scope": "enterprise", "due_so_far": p.due_so_far, "done": p.done,
            "overdue": p.overdue, "rate": p.rate, "on_time": on_time, "on_time_rate": ratio(on_time, p.due_so_far),
            "overdue_rate": ratio(p.overdue, p.due_so_far), "rank": None}


def _cell_record(key: str, label: str, scope: str, c: county_plan.Cell) -> dict:
    return {"key": key, "label": label, "scope": scope, "due_so_far": c.due_so_far, "done": c.done,
            "overdue": c.overdue, "rate": c.done_rate, "on_time": c.on_time, "on_time_rate": c.on_time_rate,
            "overdue_rate": c.rate, "rank": None}


def figures(src: read.Readable, f: reports.Filters, as_of: dt.date, scope: str) -> tuple[list[dict], list[dict]]:
    """(ranked lines, per-plan totals) at `as_of`: one matrix, plus the enterprises for a county."""
    matrix = county_plan.county_by_plan(src, f, as_of)
    if f.county_id is None:
        lines = bulletin.county_bulletin(src, f, as_of, RANK, matrix)
    else:
        line = matrix.counties[0]
        ents = [_enterprise_record(p) for p in reports.progress(src, f, as_of, "enterprise") if p.due_so_far]
        bulletin.rank(ents, RANK)
        lines = ents + [_cell_record("本级", f"{scope}本级", "county", line.own),
                        _cell_record("合计", f"{scope}合计", "total", line.total)]
    plans = [_cell_record(p.value, PLAN_NAMES[p.value], "plan", matrix.plans[p.value]) for p in Plan
             if matrix.plans[p.value].due_so_far]
    return lines, plans


def _points(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round((now - before) * 100, 1)


def compare(lines: list[dict], before: list[dict] | None) -> None:
    """Each line's 较上期: its 逾期率 change in points against the line with the same key."""
    old = {r["key"]: r for r in before or []}
    for r in lines:
        prev = old.get(r["key"])
        r["change"] = _points(r["overdue_rate"], prev["overdue_rate"]) if prev else None


def _overdue_groups(src: read.Readable, f: reports.Filters, as_of: dt.date, since: dt.date | None) -> list[tuple]:
    """(milestone, county id, overdue items, overdue subjects, of which due since `since`) per milestone and county."""
    s = read.source(src)
    params: dict = {"as_of": s.day(as_of), "since": s.day(since or as_of)}
    cond = [reports.OVERDUE, *reports.where(f, params)]
    sql = ("SELECT o.milestone_id, o.county_id, COUNT(*), COUNT(DISTINCT o.subject_kind || ':' || o.subject_id), "
           "SUM(CASE WHEN o.due >= :since THEN 1 ELSE 0 END) "
           f"FROM occurrence o WHERE {' AND '.join(cond)} GROUP BY o.milestone_id, o.county_id")
    return [(m, c, s.count(n), s.count(subj), s.count(new)) for m, c, n, subj, new in s.rows(sql, params)]


def compose(src: read.Readable, f: reports.Filters, as_of: dt.date, *, scope: str, effective: tuple[dt.date, str],
            year: int, number: int, issued_on: dt.date, previous: dict | None, requirements: str | None,
            issued_by: str | None) -> Notice:
    """The 通报 at `as_of`. `previous` is the last issue's stored figures (None: recompute a month back)."""
    start, note = effective
    if as_of < start:
        raise InputError(f"截至日期 {as_of} 早于方案施行日期 {start}")
    if as_of > issued_on:
        raise InputError(f"截至日期 {as_of} 晚于今天 {issued_on}:通报只能通报已经发生的情况")
    lines, plans = figures(src, f, as_of, scope)
    if previous is not None:
        basis: dict | None = {"kind": "issued", "year": previous["year"], "number": previous["number"],
                              "as_of": dt.date.fromisoformat(previous["as_of"]), "total": previous["lines"][-1],
                              "plans": previous.get("plans", [])}
        compare(lines, previous["lines"])
    else:
        back = as_of - relativedelta(months=1)
        if back >= start:
            before, before_plans = figures(src, f, back, scope)
            basis = {"kind": "recomputed", "as_of": back, "total": before[-1], "plans": before_plans}
            compare(lines, before)
        else:
            basis = None
            compare(lines, None)
    since = basis["as_of"] if basis else None
    groups = _overdue_groups(src, f, as_of, since)
    s = read.source(src)
    titles = {mid: (title, pos) for mid, title, pos in s.rows("SELECT id, title, position FROM milestone")}
    counties = {cid: (name, pos) for cid, name, pos in s.rows("SELECT id, name, position FROM county")}
    whole = lines[-1]["overdue_rate"]
    ranked = [r for r in lines if r["scope"] in ("county", "enterprise") and r.get("rank") is not None
              and r["key"] not in ("本级", "合计")]
    above = [{"label": r["label"], "overdue_rate": r["overdue_rate"], "points": _points(r["overdue_rate"], whole)}
             for r in ranked if whole is not None and r["overdue_rate"] is not None
             and r["overdue_rate"] - whole > ABOVE_POINTS / 100]
    above.sort(key=lambda r: -r["overdue_rate"])
    return Notice(scope, as_of, note, year, number, issued_on, lines, plans, basis, above,
                  _top(groups, titles), _new(groups, counties, since), _annex(groups, titles, counties),
                  _addressees(s, f), requirements, issued_by)


def _top(groups: list[tuple], titles: dict) -> list[dict]:
    per: dict[str, dict] = {}
    for m, c, n, subjects, _ in groups:
        d = per.setdefault(m, {"milestone_id": m, "title": titles.get(m, (m, 0))[0], "items": 0, "subjects": 0,
                               "counties": 0})
        d["items"] += n
        d["subjects"] += subjects
        d["counties"] += c is not None
    return sorted(per.values(), key=lambda d: (-d["subjects"], -d["items"], d["milestone_id"]))[:TOP_ITEMS]


def _county_label(cid: int | None, counties: dict) -> tuple[str, int]:
    return ("市应急管理局本级", -1) if cid is None else counties.get(cid, (str(cid), 999))


def _new(groups: list[tuple], counties: dict, since: dt.date | None) -> dict:
    if since is None:
        return {"since": None, "total": 0, "by_county": []}
    per: dict = {}
    for _, c, _, _, new in groups:
        if new:
            per[c] = per.get(c, 0) + new
    by = sorted(per.items(), key=lambda kv: (-kv[1], _county_label(kv[0], counties)[1]))
    return {"since": since, "total": sum(per.values()),
            "by_county": [{"label": _county_label(c, counties)[0], "items": n} for c, n in by]}


def _annex(groups: list[tuple], titles: dict, counties: dict) -> list[dict]:
    per: dict[str, dict] = {}
    for m, c, n, subjects, _ in groups:
        d = per.setdefault(m, {"milestone_id": m, "title": titles.get(m, (m, 0))[0], "items": 0, "rows": []})
        d["items"] += n
        label, pos = _county_label(c, counties)
        d["rows"].append({"label": label, "items": n, "subjects": subjects, "order": pos})
    out = sorted(per.values(), key=lambda d: (titles.get(d["milestone_id"], ("", 0))[1], d["milestone_id"]))
    for d in out:
        d["rows"].sort(key=lambda r: r.pop("order"))
    return out


def _addressees(s: read.Source, f: reports.Filters) -> list[str]:
    """主送: the county-level units (from the county table), or the one county and its enterprises."""
    sql = "SELECT name FROM county" + (" WHERE id = :id" if f.county_id is not None else "") + " ORDER BY position"
    names = [n for (n,) in s.rows(sql, {"id": f.county_id} if f.county_id is not None else None)]
    return names


def read_requirements(path: str | Path) -> str:
    """The bureau's 下步要求: UTF-8 text of at most MAX_REQUIREMENTS characters."""
    budget = MAX_REQUIREMENTS * 4  # UTF-8: at most four bytes a character
    data = files.read_bytes(path, limit=budget + 1, what="下步要求文件", error=InputError)
    if len(data) > budget:
        raise InputError(f"下步要求文件 {files.shown(path)} 超过 {MAX_REQUIREMENTS:,} 个字符的上限")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"下步要求文件 {files.shown(path)} 不是 UTF-8 文本(第 {exc.start + 1} 个字节)") from None
    if len(text) > MAX_REQUIREMENTS:
        raise InputError(f"下步要求文件 {files.shown(path)} 有 {len(text):,} 个字符,超过 {MAX_REQUIREMENTS:,} 个字符的上限")
    bad = next((ch for ch in text if ord(ch) < 32 and ch not in "\n\r\t"), None)
    if bad is not None:
        raise InputError(f"下步要求文件 {files.shown(path)} 含控制字符 U+{ord(bad):04X}")
    text = text.strip()
    if not text:
        raise InputError(f"下步要求文件 {files.shown(path)} 是空的")
    return text


def prepare(session: Session, f: reports.Filters, as_of: dt.date, *, number: int | None, requirements: str | None,
            issued_by: str | None, store: bool, force: bool, today: dt.date | None = None) -> Notice:
    """The 通报 at `as_of`, compared with the last issue of its scope; stored as issued when `store`.
    A number already used, or a second issue on one as-of date without `force`, is refused first."""
    from zhiben.tracking import bulletins  # ORM rows: only issuing or reading back a 通报

    today = today or dt.date.today()
    s = read.source(session)
    scope = "全市"
    if f.county_id is not None:
        scope = next(iter(s.rows("SELECT name FROM county WHERE id = :id", {"id": f.county_id})))[0]
    start, chosen = meta.effective_info(session)
    year = today.year
    number = number if number is not None else bulletins.next_number(session, scope, year)
    bulletins.check(session, scope, year, number, as_of, force=force)
    last = bulletins.previous(session, scope, as_of)
    notice = compose(session, f, as_of, scope=scope, effective=(start, labels.effective_note(start, chosen)),
                     year=year, number=number, issued_on=today, previous=last.figures if last else None,
                     requirements=requirements, issued_by=issued_by)
    if store:
        notice.ident = bulletins.record(session, scope=scope, year=year, number=number, as_of=as_of,
                                        figures=notice.stored(), issued_by=issued_by, force=force).id
    return notice


def stored(session: Session, ident: int) -> Notice:
    from zhiben.tracking import bulletins  # ORM rows: only issuing or reading back a 通报

    row = bulletins.get(session, ident)
    return Notice.from_stored(row.figures, ident=row.id)


def issued(session: Session) -> list[dict]:
    """One record per issued 通报, oldest first (bulletin list)."""
    from zhiben.tracking import bulletins  # ORM rows: only issuing or reading back a 通报

    out = []
    for row in bulletins.issued(session):
        total = row.figures["lines"][-1]
        out.append({"id": row.id, "scope": row.scope, "issue": f"{row.year}年第{row.number}期", "as_of": row.as_of,
                    "issued_at": row.issued_at, "issued_by": row.issued_by or "", "due_so_far": total["due_so_far"],
                    "overdue": total["overdue"], "overdue_rate": total["overdue_rate"]})
    return out
