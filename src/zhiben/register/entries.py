"""The enterprise register: validate rows, import a .csv/.xlsx list, add one enterprise.

An import is all-or-nothing: every problem of every row is collected and reported as
file:row:column, and nothing is written unless the caller asks to skip invalid rows. Enterprises
are keyed by credit code, so importing an updated list changes rows in place. Columns missing
from the file leave those fields alone; an empty cell in a present column clears the field.
Everything is set-based (a handful of queries whatever the size) so 5,000 rows import in seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session, col

from zhiben import terms
from zhiben.db import models, occurrences, records
from zhiben.errors import ImportFileError, InputError, os_reason
from zhiben.inputs import limits
from zhiben.inputs import sheets as tabular
from zhiben.inputs.files import replacing
from zhiben.inputs.xlsx import Track
from zhiben.register import creditcode, queries
from zhiben.tracking import events, lookup

E, ET = models.table(models.Enterprise), models.table(models.EnterpriseTag)

# field → accepted header spellings (compared after _norm_header)
HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code", "code", "uscc"),
    "name": ("企业名称", "单位名称", "企业", "名称", "name"),
    "county": ("所属县区", "县区", "所属县(市、区)", "县(市、区)", "所属县市区", "县市区", "county"),
    "sector": ("行业", "所属行业", "行业类别", "行业领域", "sector"),
    "tags": ("标签", "tags", "tag"),
    "risk": ("风险等级", "风险", "risk"),
    "park": ("所属园区", "园区", "化工园区", "park"),
    "contact": ("联系人", "contact"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
}
REQUIRED = ("credit_code", "name", "county", "sector")
LABELS = {"credit_code": "统一社会信用代码", "name": "企业名称", "county": "所属县区", "sector": "行业",
          "tags": "标签", "risk": "风险等级", "park": "所属园区", "contact": "联系人", "email": "邮箱",
          "active": "状态"}
# Fields compared on re-import, in display order.
FIELDS = ("name", "county", "sector", "tags", "risk", "park", "contact", "email")
TAG_SEPARATORS = re.compile(r"[；;、,，|｜\s]+")
HEADER_SEARCH_ROWS = 10


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().strip("*").strip().lower()
    return re.sub(r"\s+", "", text)


_HEADER_INDEX = {_norm_header(alias): f for f, aliases in HEADERS.items() for alias in aliases}


def split_tags(text: str) -> list[str]:
    seen: list[str] = []
    for t in TAG_SEPARATORS.split(text.strip()):
        if t and t not in seen:
            seen.append(t)
    return seen


@dataclass(slots=True)  # a register can hold 100,000 of them: no per-row __dict__
class Entry:
    """One valid register row, in canonical form."""

    row: int
    credit_code: str
    name: str
    county: str
    sector: str
    present: frozenset[str]  # fields whose column the file has
    tags: tuple[str, ...] = ()
    risk: str | None = None
    park: str | None = None
    contact: str | None = None
    email: str | None = None

    def value(self, f: str) -> Any:
        return getattr(self, f)


@dataclass(slots=True)
class EnterpriseChange:
    credit_code: str
    name: str
    kind: str  # added | updated | unchanged
    row: int | None = None
    diffs: dict[str, tuple] = field(default_factory=dict)  # field → (old, new)


@dataclass
class Moved:
    change: EnterpriseChange
    records: int  # completion records about the enterprise (its own, and county supervision of it)


@dataclass
class RegisterImport:
    source: str
    dry_run: bool
    changes: list[EnterpriseChange] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, problems)
    rejects_path: Path | None = None
    parks_created: list[str] = field(default_factory=list)
    encoding: str | None = None
    # Tags that are neither the plans' words nor an alias: kept on the enterprises, drive nothing.
    free_tags: dict[str, int] = field(default_factory=dict)
    nearest: dict[str, list[str]] = field(default_factory=dict)
    # Enterprises that changed county or park, with how many records moved with them.
    moved: list[Moved] = field(default_factory=list)
    # Records about updated enterprises whose duty no longer applies (kept, not counted).
    kept: list[tuple[EnterpriseChange, records.Record]] = field(default_factory=list)
    # Plan tags no enterprise carries after the import, with the duties that apply by them.
    uncarried: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def uncarried_line(self) -> str | None:
        if not self.uncarried:
            return None
        parts = "、".join(f"{tag}({'、'.join(mids)})" for tag, mids in self.uncarried)
        return (f"注意:{len(self.uncarried)} 个方案标签没有任何在册企业带有,以它为适用条件的事项(括号内)"
                f"找不到适用企业;名册若用别的写法,可在目录中加别名:{parts}")

    @property
    def free_tag_line(self) -> str | None:
        """One summary line: each unknown tag, how many rows carry it, the nearest plan tags."""
        if not self.free_tags:
            return None
        parts = []
        for tag, n in sorted(self.free_tags.items(), key=lambda kv: (-kv[1], kv[0])):
            near = self.nearest.get(tag)
            parts.append(f"{tag} {n} 行" + (f"(最接近:{'、'.join(near)})" if near else ""))
        return (f"注意:{len(self.free_tags)} 个标签不是方案用语,已作为自由标签保留,不影响适用事项:"
                + ";".join(parts))

    def of(self, kind: str) -> list[EnterpriseChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def added(self) -> list[EnterpriseChange]:
        return self.of("added")

    @property
    def updated(self) -> list[EnterpriseChange]:
        return self.of("updated")

    @property
    def unchanged(self) -> list[EnterpriseChange]:
        return self.of("unchanged")


class _Context:
    """Everything validation needs, loaded once per import."""

    def __init__(self, session: Session) -> None:
        self.county_ids = {c.name: c.id for c in session.execute(select(models.County)).scalars()}
        self.county_names = {v: k for k, v in self.county_ids.items()}
        self.tags = {t.name: t.sector for t in session.execute(select(models.Tag)).scalars()}
        self.aliases = {a.name: list(a.tags) for a in session.execute(select(models.TagAlias)).scalars()}
        self.strict = False
        self.free: dict[str, int] = {}
        self.parks = {p.name: (p.id, p.county_id) for p in session.execute(select(models.Park)).scalars()}
        self.new_parks: dict[str, str] = {}  # park name → county named by the first row using it

    def resolve_tags(self, tags: tuple[str, ...], sector: str | None) -> tuple[tuple[str, ...], list[str]]:
        """Plan tags and aliases → the plans' tags; anything else is kept as a free tag (or, strict, refused)."""
        out: list[str] = []
        problems: list[str] = []
        for t in tags:
            key = t.replace("(", "(").replace(")", ")")
            if key in self.tags:
                if (why := self.check_tag(key, sector)) is not None:
                    problems.append(why)
                elif key not in out:
                    out.append(key)
                continue
            mapped = self.aliases.get(key)
            if mapped and all(sector is None or self.tags.get(m) == sector for m in mapped):
                out += [m for m in mapped if m not in out]
                continue
            if self.strict:
                problems.append(self.check_tag(t, sector) or f"未知的标签“{t}”")
                continue
            self.free[t] = self.free.get(t, 0) + 1
            if t not in out:
                out.append(t)
        return tuple(out), problems

    def nearest(self, tag: str) -> list[str]:
        return difflib.get_close_matches(tag, list(self.tags), n=3, cutoff=0.3)

    def check_tag(self, tag: str, sector: str | None) -> str | None:
        if tag not in self.tags:
            return lookup.unknown_tag(tag, self.tags).message
        if sector and self.tags[tag] != sector:
            return (f"标签“{tag}”属于{terms.SECTOR_NAMES[self.tags[tag]]}行业,"
                    f"与企业所属行业({terms.SECTOR_NAMES[sector]})不符")
        return None

    def check_park(self, park: str, county: str | None) -> str | None:
        if county is None:
            return None
        if park in self.parks:
            owner = self.county_names[self.parks[park][1]]
            if owner != county:
                return f"园区“{park}”已登记在{owner},与企业所属县区{county}不符"
            return None
        owner = self.new_parks.setdefault(park, county)
        if owner != county:
            return f"园区“{park}”在本文件中已属于{owner},与企业所属县区{county}不符"
        return None


def validate(values: dict[str, str], ctx: _Context, row: int = 0) -> tuple[Entry | None, list[tuple[str, str]]]:
    """Values keyed by field (text as typed) → an Entry, or the (field, reason) problems."""
    # Over-long values first and alone: other checks would quote the whole value back.
    problems: list[tuple[str, str]] = [(f, why) for f, v in values.items() if f in limits.FIELDS
                                       and (why := limits.problem(f, v.strip())) is not None]
    if problems:
        return None, problems
    raw_code = values.get("credit_code", "")
    code = creditcode.normalise(raw_code)
    if (why := creditcode.problem(code)) is not None:
        problems.append(("credit_code", why))
    name = values.get("name", "").strip()
    if not name:
        problems.append(("name", "企业名称为空"))
    county = None
    text = values.get("county", "").strip()
    if not text:
        problems.append(("county", "所属县区为空"))
    elif (county := terms.canonical(text)) is None:
        problems.append(("county", lookup.unknown_county(text).message))
    sector = None
    text = values.get("sector", "").strip()
    if not text:
        problems.append(("sector", "行业为空"))
    elif (sector := terms.sector_code(text)) is None:
        problems.append(("sector", f"未知的行业“{text}”;可用:{terms.SECTOR_HINT}"))
    tags, tag_problems = ctx.resolve_tags(tuple(split_tags(values.get("tags", ""))), sector)
    problems += [("tags", why) for why in tag_problems]
    risk = None
    text = values.get("risk", "").strip()
    if text and (risk := terms.risk_code(text)) is None:
        problems.append(("risk", f"未知的风险等级“{text}”;可用:{terms.RISK_HINT}(可留空)"))
    park = values.get("park", "").strip() or None
    if park and (why := ctx.check_park(park, county)) is not None:
        problems.append(("park", why))
    email = values.get("email", "").strip() or None
    if email and not terms.EMAIL.match(email):
        problems.append(("email", f"邮箱“{email}”格式不正确"))
    if problems or county is None or sector is None:  # both are None only with a problem listed
        return None, problems
    return Entry(row=row, credit_code=code, name=name, county=county, sector=sector, tags=tags, risk=risk,
                 park=park, contact=values.get("contact", "").strip() or None, email=email,
                 present=_present(values)), []


@functools.cache
def _present_of(fields: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fields)


def _present(values: dict[str, str]) -> frozenset[str]:
    """The file's columns: one shared set for every row of a file, not a copy per row."""
    return _present_of(tuple(values))


def _locate_header(sheet: tabular.Table) -> tuple[int, dict[str, tuple[int, str]]]:
    """(index into sheet.rows of the header row, field → (column index, header text))."""
    for i, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        names = [tabular.cell_text(c).lstrip("\ufeff") for c in cells]
        if any(_HEADER_INDEX.get(_norm_header(n)) == "credit_code" for n in names if n):
            return i, _map_header(sheet, sheet.rows[i][0], names)
    expected = "、".join(f"{HEADERS[f][0]}/{f}" for f in REQUIRED)
    raise ImportFileError(f"{sheet.where}: 找不到表头行(前 {HEADER_SEARCH_ROWS} 行中没有“统一社会信用代码”列);"
                          f"必需的列:{expected}")


def _map_header(sheet: tabular.Table, row: int, names: list[str]) -> dict[str, tuple[int, str]]:
    mapping: dict[str, tuple[int, str]] = {}
    for index, n in enumerate(names):
        f = _HEADER_INDEX.get(_norm_header(n)) if n else None
        if f is None:
            continue
        if f in mapping:
            raise ImportFileError(f"{sheet.where}:{row}:{n}: 与“{mapping[f][1]}”列重复(都表示{LABELS[f]})")
        mapping[f] = (index, n)
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise ImportFileError(f"{sheet.where}:{row}: 缺少必需的列:"
                              + "、".join(f"{HEADERS[f][0]}(或 {f})" for f in missing))
    return mapping


def _row_values(cells: list, mapping: dict[str, tuple[int, str]]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    values, problems = {}, []
    for f, (index, _) in mapping.items():
        raw = cells[index] if index < len(cells) else None
        if f == "credit_code" and isinstance(raw, float) and raw >= 1e15:
            # Excel stored an all-digit code as a number and rounded away the last digits.
            problems.append((f, "统一社会信用代码被 Excel 存成了数字,末几位已丢失;请把该列设为“文本”格式后重新录入"))
        values[f] = tabular.cell_text(raw)
    return values, problems


@dataclass(slots=True)  # the whole register is held during an import: a dict per enterprise would double it
class _Stored:
    """An enterprise as stored, read by field name like the file's values."""

    id: int
    name: str
    county: str
    sector: str
    risk: str | None
    park: str | None
    contact: str | None
    email: str | None
    active: bool

    def __getitem__(self, f: str) -> Any:
        return getattr(self, f)


def _existing(session: Session) -> tuple[dict[str, _Stored], dict[int, tuple[str, ...]]]:
    parks = {pid: name for pid, name in session.execute(select(col(models.Park.id), col(models.Park.name)))}
    counties_ = {cid: name for cid, name in session.execute(select(col(models.County.id), col(models.County.name)))}
    by_code = {}
    # Streamed in batches: the whole register as one buffered result would be the import's largest object.
    for r in session.execute(select(E), execution_options={"yield_per": 2000}).mappings():
        by_code[r["credit_code"]] = _Stored(r["id"], r["name"], counties_[r["county_id"]], r["sector"], r["risk"],
                                            parks.get(r["park_id"]), r["contact"], r["email"], bool(r["active"]))
    tags: dict[int, list[str]] = {}
    for eid, tag in session.execute(select(ET.c.enterprise_id, ET.c.tag).order_by(ET.c.enterprise_id, ET.c.tag)):
        tags.setdefault(eid, []).append(tag)
    frozen: dict[int, tuple[str, ...]] = {}
    while tags:  # one copy at a time: the whole register's tags twice over would be the peak
        eid, listed = tags.popitem()
        frozen[eid] = tuple(listed)
    return by_code, frozen


_NO_DIFFS: dict[str, tuple] = {}  # never written to: a change's diffs are built before it is made


def _plan(entries: list[Entry], by_code: dict[str, _Stored], tags: dict[int, tuple[str, ...]]) -> list[EnterpriseChange]:
    changes = []
    for e in entries:
        old = by_code.get(e.credit_code)
        if old is None:
            changes.append(EnterpriseChange(e.credit_code, e.name, "added", e.row))
            continue
        stored_tags = tags.get(old.id, ())
        diffs: dict[str, tuple] = {}
        for f in FIELDS:
            if f not in e.present and f not in REQUIRED:
                continue
            new = e.value(f)
            if f == "tags":
                if set(new) != set(stored_tags):
                    diffs[f] = (stored_tags, tuple(new))
            elif new != old[f]:
                diffs[f] = (old[f], new)
        if not old["active"]:
            diffs["active"] = (False, True)
        # Most rows of a re-import are unchanged: they share one empty mapping instead of one each.
        changes.append(EnterpriseChange(e.credit_code, e.name, "updated" if diffs else "unchanged", e.row,
                                        diffs or _NO_DIFFS))
    return changes


def import_file(session: Session, path: str | Path, *, dry_run: bool = False, skip_invalid: bool = False,
                now: dt.datetime | None = None, track: Track | None = None, strict_tags: bool = False) -> RegisterImport:
    """Import a register file. Raises ImportFileError listing every problem unless skip_invalid.

    `track(iterable, description, total)` may wrap the long loops (the CLI passes a progress bar).
    """
    # Only the register's columns are read: a sheet claiming 16,384 columns costs nothing.
    sheet = tabular.read(path, track, wanted=lambda h: _HEADER_INDEX.get(_norm_header(h)) is not None)
    header_at, mapping = _locate_header(sheet)
    header_row, header_cells = sheet.rows[header_at]
    ctx = _Context(session)
    ctx.strict = strict_tags
    entries: list[Entry] = []
    rejected: list[tuple[int, list[str]]] = []
    problems: list[str] = []
    first_row_of: dict[str, int] = {}
    data_rows = [(n, cells) for n, cells in sheet.rows[header_at + 1:] if any(tabular.cell_text(c) for c in cells)]
    if not data_rows:
        raise ImportFileError(f"{sheet.where}: 表头(第 {header_row} 行)之后没有数据行")
    for n, cells in (track(data_rows, "校验名册") if track else data_rows):
        values, found = _row_values(cells, mapping)
        entry, more = validate(values, ctx, n)
        found += more
        code = creditcode.normalise(values["credit_code"])
        if not any(f == "credit_code" for f, _ in found):
            if code in first_row_of:
                found.append(("credit_code", f"统一社会信用代码 {code} 与第 {first_row_of[code]} 行重复"))
            else:
                first_row_of[code] = n
        if found or entry is None:
            lines = [f"{sheet.where}:{n}:{mapping[f][1]}: {why}" for f, why in found]
            problems += lines
            rejected.append((n, [f"{mapping[f][1]}: {why}" for f, why in found]))
        else:
            entries.append(entry)
    if not rejected:  # the cells are kept only to write rejected rows back out; let them go
        data_rows.clear()
        sheet.rows.clear()
    if problems and not skip_invalid:
        raise ImportFileError(
            f"{sheet.where}: {len(rejected)} 行有问题(共 {len(problems)} 处),未导入任何数据", problems=problems)
    by_code, tags = _existing(session)
    result = RegisterImport(source=sheet.where, dry_run=dry_run, changes=_plan(entries, by_code, tags),
                            rejected=rejected, encoding=sheet.encoding, free_tags=dict(ctx.free),
                            nearest={t: ctx.nearest(t) for t in ctx.free})
    used_parks = {e.park for e in entries if e.park}
    result.parks_created = sorted(p for p in ctx.new_parks if p in used_parks)
    if rejected:
        result.rejects_path = rejects_path(Path(path))
    if dry_run:
        return result
    if result.rejects_path is not None:
        _write_rejects(result.rejects_path, sheet, header_at, rejected)
    _write(session, entries, result, ctx, by_code, now or models.now())
    result.uncarried = queries.uncarried_tags(session)
    return result


def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def _write_rejects(target: Path, sheet: tabular.Table, header_at: int, rejected: list[tuple[int, list[str]]]) -> None:
    """The rejected rows as they were, plus row number and reason, for fixing and re-importing."""
    cells_of = dict(sheet.rows)
    header = [tabular.cell_text(c).lstrip("\ufeff") for c in sheet.rows[header_at][1]]

    try:
        # utf-8-sig: Excel on Chinese Windows opens a BOM-marked UTF-8 CSV correctly. Written beside
        # and renamed over, so an interrupted import never leaves half a file.
        with replacing(target) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow([*header, "原行号", "错误原因"])
            for n, reasons in rejected:
                cells = [tabular.cell_text(c) for c in cells_of[n]]
                cells += [""] * (len(header) - len(cells))
                w.writerow([*cells[:len(header)], n, ";".join(reasons)])
    except (OSError, InputError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else exc.message
        raise ImportFileError(f"{target}: 无法写入错误行文件({why}),未导入任何数据") from None


def _given_or_stored(entry: Entry, stored: _Stored, field: str) -> Any:
    """The file's value for `field`, or the stored one when the file has no such column."""
    return getattr(entry, field) if field in entry.present else stored[field]


def _write(session: Session, entries: list[Entry], result: RegisterImport, ctx: _Context, by_code: dict[str, _Stored],
           now: dt.datetime) -> None:
    kinds = {c.credit_code: c for c in result.changes}
    updated = [e for e in entries if kinds[e.credit_code].kind == "updated"]
    occurrences.touch(session, enterprises=[by_code[e.credit_code]["id"] for e in updated],
                      parks=bool(result.parks_created))
    park_ids = {name: pid for name, (pid, _) in ctx.parks.items()}
    for name in result.parks_created:
        park = models.Park(name=name, county_id=ctx.county_ids[ctx.new_parks[name]])
        session.add(park)
        session.flush()
        park_ids[name] = park.id
    added = [e for e in entries if kinds[e.credit_code].kind == "added"]
    if added:
        _batched(session.execute, insert(E), (
            {"credit_code": e.credit_code, "name": e.name, "county_id": ctx.county_ids[e.county], "sector": e.sector,
             "risk": e.risk, "park_id": park_ids.get(e.park), "contact": e.contact, "email": e.email,
             "active": True, "updated_at": now} for e in added))
    # Absent columns keep stored values: each update carries the stored value for them.
    if updated:
        rows = ({"_id": (old := by_code[e.credit_code]).id, "name": e.name, "county_id": ctx.county_ids[e.county],
                 "sector": e.sector, "risk": _given_or_stored(e, old, "risk"),
                 "park_id": park_ids.get(_given_or_stored(e, old, "park")),
                 "contact": _given_or_stored(e, old, "contact"), "email": _given_or_stored(e, old, "email"),
                 "active": True, "updated_at": now} for e in updated)
        stmt = update(E).where(E.c.id == bindparam("_id")).values(
            name=bindparam("name"), county_id=bindparam("county_id"), sector=bindparam("sector"),
            risk=bindparam("risk"), park_id=bindparam("park_id"), contact=bindparam("contact"),
            email=bindparam("email"), active=bindparam("active"), updated_at=bindparam("updated_at"))
        _batched(session.connection().execute, stmt, rows)
    ids = {code: eid for eid, code in session.execute(select(E.c.id, E.c.credit_code))} if added else {}
    ids.update({c: by_code[c]["id"] for c in by_code})
    occurrences.touch(session, enterprises=[ids[e.credit_code] for e in added])
    retag = [e for e in updated if "tags" in kinds[e.credit_code].diffs]
    retag_ids = [ids[e.credit_code] for e in retag]
    for i in range(0, len(retag_ids), 500):
        session.execute(delete(ET).where(ET.c.enterprise_id.in_(retag_ids[i:i + 500])))
    _batched(session.execute, insert(ET),
             ({"enterprise_id": ids[e.credit_code], "tag": t} for e in added + retag for t in e.tags))
    _rederive_events(session, [ids[e.credit_code] for e in updated
                               if {"sector", "tags"} & set(kinds[e.credit_code].diffs)])
    _follow_up(session, result, {ids[e.credit_code]: kinds[e.credit_code] for e in updated})


def _batched(execute: Callable[..., Any], statement: Any, rows: Iterable[dict]) -> None:
    """executemany a few thousand parameter sets at a time: a whole register's at once would be the
    import's largest object."""
    it = iter(rows)
    while batch := list(itertools.islice(it, 2000)):
        execute(statement, batch)


def _follow_up(session: Session, result: RegisterImport, updated: dict[int, EnterpriseChange]) -> None:
    """Refresh now (once) to tell what the changes did to the records about these enterprises."""
    if not updated:
        return
    occurrences.settle(session)
    about = records.about(session, {eid: c.credit_code for eid, c in updated.items()})
    for eid, change in updated.items():
        if {"county", "park"} & set(change.diffs):
            result.moved.append(Moved(change, sum(r.enterprise_id == eid for r in about)))
    result.kept = [(updated[r.enterprise_id], r) for r in about if not r.applies]


def _rederive_events(session: Session, enterprise_ids: list[int]) -> None:
    """Event deadlines depend on sector and tags; recompute them for enterprises whose changed."""
    if not enterprise_ids:
        return
    with_events = set()
    for i in range(0, len(enterprise_ids), 500):
        chunk = enterprise_ids[i:i + 500]
        with_events |= set(session.execute(
            select(col(models.Event.enterprise_id)).where(col(models.Event.enterprise_id).in_(chunk)).distinct()).scalars())
    for eid in sorted(with_events):
        events.rederive_enterprise(session, eid)


def add(session: Session, *, credit_code: str, name: str, county: str, sector: str, tags: str | None = None,
        risk: str | None = None, park: str | None = None, contact: str | None = None,
        email: str | None = None, now: dt.datetime | None = None) -> tuple[models.Enterprise, str]:
    """Register one enterprise; returns it and "added" or "restored" (a removed one added again)."""
    values = {"credit_code": credit_code, "name": name, "county": county, "sector": sector, "tags": tags or "",
              "risk": risk or "", "park": park or "", "contact": contact or "", "email": email or ""}
    ctx = _Context(session)
    entry, problems = validate(values, ctx)
    if problems or entry is None:
        if len(problems) == 1:
            raise InputError(problems[0][1])
        raise InputError(f"企业信息有 {len(problems)} 处问题", problems=[f"{LABELS[f]}: {why}" for f, why in problems])
    row = session.execute(select(models.Enterprise).where(col(models.Enterprise.credit_code) == entry.credit_code)).scalar()
    status = "added"
    if row is not None:
        if row.active:
            raise InputError(f"统一社会信用代码 {entry.credit_code} 已登记为“{row.name}”;修改信息请重新导入名册")
        status = "restored"
    else:
        row = models.Enterprise(credit_code=entry.credit_code, name=entry.name, county_id=0, sector=entry.sector)
    occurrences.touch(session)  # before the first write: see occurrences.touch
    park_id = None
    if entry.park:
        if entry.park in ctx.parks:
            park_id = ctx.parks[entry.park][0]
        else:
            occurrences.touch(session, parks=True)
            p = models.Park(name=entry.park, county_id=ctx.county_ids[entry.county])
            session.add(p)
            session.flush()
            park_id = p.id
    row.name, row.county_id, row.sector = entry.name, ctx.county_ids[entry.county], entry.sector
    row.risk, row.park_id, row.contact, row.email = entry.risk, park_id, entry.contact, entry.email
    row.active, row.updated_at = True, now or models.now()
    session.add(row)
    session.flush()
    occurrences.touch(session, enterprises=[row.id])
    session.execute(delete(ET).where(ET.c.enterprise_id == row.id))
    if entry.tags:
        session.execute(insert(ET), [{"enterprise_id": row.id, "tag": t} for t in entry.tags])
    if status == "restored":
        _rederive_events(session, [row.id])
    session.flush()
    return row, status
