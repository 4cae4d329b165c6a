"""The county × plan table every meeting file opens with: due so far, done, overdue, 逾期率.

One grouped query over the occurrence table (the same conditions as reports.rows), so the table costs the same as
one progress report whatever the register size. 逾期率 is overdue ÷ due so far: the share of what
should have been done by the as-of date that is still not done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhiben.db import read
from zhiben.reports import rows as reports
from zhiben.terms import CITY_NAME, Plan

PLANS = [p.value for p in Plan]


@dataclass
class Cell:
    due_so_far: int = 0
    done: int = 0
    overdue: int = 0
    upcoming: int = 0  # open and due within the window, when one was asked for

    @property
    def rate(self) -> float | None:
        """逾期率: overdue ÷ due so far (None when nothing was due yet)."""
        return round(self.overdue / self.due_so_far, 4) if self.due_so_far else None

    def add(self, other: Cell) -> None:
        self.due_so_far += other.due_so_far
        self.done += other.done
        self.overdue += other.overdue
        self.upcoming += other.upcoming


@dataclass
class Line:
    label: str  # a county's official name, or the city bureau
    is_city: bool
    plans: dict[str, Cell] = field(default_factory=lambda: {p: Cell() for p in PLANS})
    total: Cell = field(default_factory=Cell)


@dataclass
class Matrix:
    as_of: dt.date
    counties: list[Line]  # in the bureau's customary order
    city: Line | None  # the city bureau's own obligations, kept apart from the counties
    plans: dict[str, Cell]  # column totals
    total: Cell
    upcoming_days: int | None = None

    def ranked(self) -> list[Line]:
        """Counties from the highest 逾期率 down (ties: more overdue first); none-due last."""
        return sorted(self.counties, key=lambda ln: (ln.total.rate is None, -(ln.total.rate or 0),
                                                     -ln.total.overdue, ln.label))

    def lines(self) -> list[Line]:
        return self.counties + ([self.city] if self.city else [])


def county_by_plan(src, f: reports.Filters, as_of: dt.date, *, upcoming_days: int | None = None) -> Matrix:
    """One grouped query over the materialised occurrences (`src`: a session or a db.read.Reader)."""
    params = {"as_of": read.day(src, as_of)}
    cond = [reports.NOT_WITHDRAWN, *reports.where(f, params)]
    measures = reports.MEASURES_SO_FAR
    if upcoming_days is not None:
        params["until"] = read.day(src, as_of + dt.timedelta(days=upcoming_days))
        measures += f", SUM(CASE WHEN o.due >= :as_of AND o.due <= :until AND {reports.NOT_DONE} THEN 1 ELSE 0 END)"
    else:
        measures += ", 0"
    counties = "SELECT id, name FROM county"
    if f.county_id is not None:
        counties += " WHERE id = :county_id"
        params.setdefault("county_id", f.county_id)
    names = {cid: name for cid, name in read.execute(src, counties + " ORDER BY position", params)}
    lines = {cid: Line(name, False) for cid, name in names.items()}
    city = Line(CITY_NAME, True)
    matrix = Matrix(as_of, list(lines.values()), None, {p: Cell() for p in PLANS}, Cell(), upcoming_days)
    sql = (f"SELECT o.county_id, o.plan, {measures} FROM occurrence o WHERE {' AND '.join(cond)} "
           "GROUP BY o.county_id, o.plan")
    for cid, plan, due_so_far, done, overdue, upcoming in read.execute(src, sql, params):
        cell = Cell(int(due_so_far or 0), int(done or 0), int(overdue or 0), int(upcoming or 0))
        line = city if cid is None else lines.get(cid)
        if line is None:
            continue
        line.plans[plan].add(cell)
        line.total.add(cell)
        matrix.plans[plan].add(cell)
        matrix.total.add(cell)
    if city.total.due_so_far or city.total.upcoming:
        matrix.city = city
    return matrix


def table(matrix: Matrix) -> tuple[list[dict], list[tuple[str, str]]]:
    """The matrix as records and (key, Chinese label) columns: counties in customary order, then the
    city bureau's own items, then the city-wide total (`total` = True)."""
    from zhiben.terms import PLAN_SHORT

    columns = [("label", "县(市、区)")]
    for p in PLANS:
        short = PLAN_SHORT[p]
        columns += [(f"{p}_overdue", f"{short}逾期"), (f"{p}_rate", f"{short}逾期率")]
    columns += [("due_so_far", "已到期"), ("done", "已完成"), ("overdue", "逾期"), ("rate", "逾期率")]
    if matrix.upcoming_days is not None:
        columns.append(("upcoming", f"{matrix.upcoming_days} 天内到期"))

    def record(label: str, plans: dict[str, Cell], total: Cell, is_total: bool = False) -> dict:
        rec: dict = {"label": label, "total": is_total}
        for p in PLANS:
            rec[f"{p}_overdue"] = plans[p].overdue
            rec[f"{p}_rate"] = plans[p].rate
        rec.update(due_so_far=total.due_so_far, done=total.done, overdue=total.overdue, rate=total.rate,
                   upcoming=total.upcoming)
        return rec

    records = [record(ln.label, ln.plans, ln.total) for ln in matrix.counties]
    if matrix.city:
        records.append(record(f"{matrix.city.label}(市级事项)", matrix.city.plans, matrix.city.total))
    records.append(record("全市合计" if len(matrix.counties) > 1 else "合计", matrix.plans, matrix.total, True))
    return records, columns


RATE_NOTE = "逾期率 = 逾期 ÷ 已到期(截至日期前应完成的事项中仍未完成的比例)"
