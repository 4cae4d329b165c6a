"""The county × plan matrix at a date: due so far, done (on time or late), overdue, 逾期率, 按期完成率.

One grouped query over the occurrence counts (db/tally.py; the same conditions as reports.rows), so
the matrix reads a few thousand rows whatever the register size. Every table of counties — the
mail, the robots, the HTML report, the XLSX 汇总 and `progress --by county` — is this matrix; a
trend is this matrix at several dates.

逾期率 is overdue ÷ due so far: the share of what should have been done by the as-of date that is
still not done. 按期完成率 counts only completions on or before the due date. A county's own column
(本级) counts what falls on the county-level unit itself (its reports, its supervision duties, its
parks); the enterprise column what falls on the enterprises in its area. The city bureau's own
obligations are kept apart from the counties (a ranking compares counties, not the bureau).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhiben.db import read
from zhiben.reports import rows as reports
from zhiben.terms import CITY_NAME, PLAN_SHORT, SHORT_NAMES, Plan

PLANS = [p.value for p in Plan]
RATE_NOTE = "逾期率 = 逾期 ÷ 已到期(截至日期前应完成的事项中仍未完成的比例)"
ON_TIME_NOTE = "按期完成率 = 期限当天及以前完成的 ÷ 已到期"
TOTAL_LABEL = "全市合计"


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Cell:
    due_so_far: int = 0
    done: int = 0  # of those due so far, done by the as-of date
    overdue: int = 0
    done_late: int = 0
    open_later: int = 0  # not due yet and not done
    upcoming: int = 0  # open and due within the window, when one was asked for
    occurrences: int = 0  # every row counted, due or not

    @property
    def rate(self) -> float | None:
        """逾期率: overdue ÷ due so far (None when nothing was due yet)."""
        return ratio(self.overdue, self.due_so_far)

    @property
    def done_rate(self) -> float | None:
        """完成率: done ÷ due so far."""
        return ratio(self.done, self.due_so_far)

    @property
    def on_time(self) -> int:
        return self.done - self.done_late

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.due_so_far)

    def add(self, other: Cell) -> None:
        for k in ("due_so_far", "done", "overdue", "done_late", "open_later", "upcoming", "occurrences"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _cells() -> dict[str, Cell]:
    return {p: Cell() for p in PLANS}


@dataclass
class Line:
    label: str  # a county's official name, the city bureau, or 全市合计
    kind: str = "county"  # county / city / total
    plans: dict[str, Cell] = field(default_factory=_cells)
    total: Cell = field(default_factory=Cell)
    own: Cell = field(default_factory=Cell)  # the county-level unit's (or bureau's) own obligations
    enterprise: Cell = field(default_factory=Cell)  # its enterprises'
    rank: int | None = None

    @property
    def is_city(self) -> bool:
        return self.kind == "city"

    @property
    def short(self) -> str:
        """For narrow tables (a phone, 80 columns): 高新区, 市局本级."""
        if self.kind == "city":
            return "市局本级"
        return SHORT_NAMES.get(self.label, self.label)

    def add(self, plan: str, enterprise: bool, cell: Cell) -> None:
        self.plans[plan].add(cell)
        self.total.add(cell)
        (self.enterprise if enterprise else self.own).add(cell)


@dataclass
class Matrix:
    as_of: dt.date
    counties: list[Line]  # in the bureau's customary order
    city: Line | None  # the city bureau's own obligations, kept apart from the counties
    whole: Line  # 全市合计: the counties and the bureau together
    upcoming_days: int | None = None

    @property
    def plans(self) -> dict[str, Cell]:
        return self.whole.plans

    @property
    def total(self) -> Cell:
        return self.whole.total

    def plans_shown(self) -> list[str]:
        """The plans with anything due so far or within the window (a county filter may leave one)."""
        return [p for p in PLANS if self.plans[p].due_so_far or self.plans[p].upcoming]

    def ranked(self) -> list[Line]:
        """Counties from the highest 逾期率 down (ties: more overdue first); none-due last."""
        return sorted(self.counties, key=lambda ln: (ln.total.rate is None, -(ln.total.rate or 0),
                                                     -ln.total.overdue, ln.label))

    def lines(self, *, ranked: bool = False) -> list[Line]:
        """Every line a table shows: the counties (ranked or in customary order), the bureau, 全市合计."""
        counties = self.ranked() if ranked else self.counties
        return counties + ([self.city] if self.city else []) + ([self.whole] if len(self.counties) != 1 or self.city
                                                                 else [])


def county_by_plan(src: read.Readable, f: reports.Filters, as_of: dt.date, *, upcoming_days: int | None = None) -> Matrix:
    """One grouped query over the occurrence counts (`src`: a session or a db.read.Reader)."""
    params = {"as_of": read.day(src, as_of)}
    cond = [reports.NOT_WITHDRAWN, *reports.where(f, params)]
    table, weight = reports.counted(f)
    measures = reports.measures(weight)
    if upcoming_days is not None:
        params["until"] = read.day(src, as_of + dt.timedelta(days=upcoming_days))
        measures += f", SUM(CASE WHEN o.due >= :as_of AND o.due <= :until AND {reports.NOT_DONE} THEN {weight} ELSE 0 END)"
    else:
        measures += ", 0"
    counties = "SELECT id, name FROM county"
    if f.county_id is not None:
        counties += " WHERE id = :county_id"
        params.setdefault("county_id", f.county_id)
    names = {cid: name for cid, name in read.execute(src, counties + " ORDER BY position", params)}
    lines = {cid: Line(name) for cid, name in names.items()}
    city = Line(CITY_NAME, "city")
    whole = Line(TOTAL_LABEL if f.county_id is None else "合计", "total")
    sql = (f"SELECT NULLIF(o.county_id, 0), o.plan, o.subject_kind, SUM({weight}), {measures} FROM {table} "
           f"WHERE {' AND '.join(cond)} GROUP BY NULLIF(o.county_id, 0), o.plan, o.subject_kind")
    for cid, plan, kind, n, due_so_far, done, overdue, open_later, done_late, upcoming in read.execute(src, sql, params):
        c = read.Source.count
        cell = Cell(c(due_so_far), c(done), c(overdue), c(done_late), c(open_later), c(upcoming), c(n))
        line = city if cid is None else lines.get(cid)
        if line is None:
            continue
        enterprise = kind == "enterprise"
        line.add(plan, enterprise, cell)
        whole.add(plan, enterprise, cell)
    return Matrix(as_of, list(lines.values()), city if city.total.occurrences else None, whole, upcoming_days)


# ---------------------------------------------------------------- the matrix as a table (XLSX 汇总)


def columns(matrix: Matrix, kind: str = "overdue") -> list[tuple[str, str]]:
    """(record key, Chinese label): per plan its overdue count and 逾期率 (or, for an upcoming list,
    what falls due within the window), then the totals."""
    cols = [("label", "县(市、区)"), ("rank", "排名")]
    for p in matrix.plans_shown() or PLANS:
        short = PLAN_SHORT[p]
        if kind == "upcoming":
            cols.append((f"{p}_upcoming", f"{short} {matrix.upcoming_days} 天内到期"))
        else:
            cols += [(f"{p}_overdue", f"{short}逾期"), (f"{p}_rate", f"{short}逾期率")]
    cols += [("due_so_far", "已到期"), ("done", "已完成"), ("overdue", "逾期"), ("rate", "逾期率"),
             ("on_time_rate", "按期完成率")]
    if matrix.upcoming_days is not None:
        cols.append(("upcoming", f"{matrix.upcoming_days} 天内到期"))
    return cols


def records(matrix: Matrix, *, ranked: bool = True) -> list[dict]:
    """One record per line of the table; `total` marks 全市合计 (bold in a workbook)."""
    out = []
    for n, ln in enumerate(matrix.lines(ranked=ranked), 1):
        rec: dict = {"rank": n if ranked and ln.kind == "county" and ln.total.rate is not None else None,
                     "label": ln.label if ln.kind != "city" else f"{ln.label}(市级事项,单列)",
                     "scope": ln.kind, "total": ln.kind == "total"}
        for p in PLANS:
            c = ln.plans[p]
            rec.update({f"{p}_overdue": c.overdue, f"{p}_rate": c.rate, f"{p}_upcoming": c.upcoming})
        t = ln.total
        rec.update(due_so_far=t.due_so_far, done=t.done, overdue=t.overdue, rate=t.rate, on_time_rate=t.on_time_rate,
                   upcoming=t.upcoming)
        out.append(rec)
    return out
