"""The status round trip, inward half: a filled template (outputs/status_sheet.py) read back.

Import validates every row first and reports each problem as file:row:column; only a file without
problems is applied, each change through completions.mark_done/reopen with the file name as the
audit source. Applying is idempotent: a row already in the state it asks for is counted as unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from zhiben import terms
from zhiben.catalogue import schedule
from zhiben.dates import not_after_today, parse_date
from zhiben.db import occurrences
from zhiben.errors import ImportFileError, InputError, NotOwed, ZhibenError
from zhiben.inputs import evidence as evidence_files
from zhiben.inputs import limits, sheets
from zhiben.tracking import completions, subjects
from zhiben.tracking import evidence as attachments

# The sheet's contract: the template (outputs/status_sheet.py) writes these columns and offers the
# words of terms.FILL_STATUS_CHOICES.
DONE_WORDS, REVOKE_WORDS, OPEN_WORDS = terms.FILL_DONE_WORDS, terms.FILL_REVOKE_WORDS, terms.FILL_OPEN_WORDS
# The sheet shows 县级/园区; people also type the sentence forms and the codes.
KIND_CODES = {**{v: k for k, v in terms.SUBJECT_NAMES.items()}, **{v: k for k, v in terms.SUBJECT_WORDS.items()},
              **{k.value: k for k in terms.SubjectKind}}
REQUIRED = ("编号", "主体类别", "责任主体", "周期", "状态", "完成日期")
TITLE_MARK = "填报模板"  # in the template's first title row
TITLE_ROWS = 4  # at most this many rows above the header
# Every column read back; cells right of the last of these are never read (a sheet may claim 16,384).
READ = (*REQUIRED, "统一社会信用代码", "佐证材料", "备注", "佐证文件")

# --- reading ----------------------------------------------------------------------------------

@dataclass
class Cell:
    value: object
    column: str  # spreadsheet column letter


@dataclass
class SheetRow:
    number: int
    cells: dict[str, Cell]

    def get(self, header: str) -> object:
        cell = self.cells.get(header)
        return None if cell is None else cell.value


def _unguard(value: object) -> object:
    """Undo the CSV injection guard ('=... → =...) and trim whitespace."""
    if isinstance(value, str):
        if len(value) > 1 and value[0] == "'" and value[1] in terms.FORMULA_CHARS:
            value = value[1:]
        return value.strip()
    return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # a CSV template does without openpyxl

    return get_column_letter(index + 1)


def _header(first_row: Iterable[object]) -> list[str]:
    return [str(h).strip().lstrip("\ufeff") if h is not None else "" for h in first_row]


def read_sheet(path: Path, sheet: str | None = None) -> tuple[str | None, list[SheetRow]]:
    """(the worksheet read, the filled rows of a returned template). In a workbook: the sheet named
    `sheet`, else the one visible sheet with the template's columns (several are refused), else the
    active one; hidden sheets (an older copy kept by hand) are never guessed."""
    name = path.name
    table = sheets.read(path, pick=lambda first: all(h in _header(first) for h in REQUIRED)
                        or any(TITLE_MARK in str(v) for v in first if v),
                        wanted=lambda h: h.strip() in READ, sheet=sheet)
    if not table.rows:
        raise ImportFileError(f"{name}:{_in(table.sheet)}文件是空的")
    # The template opens with its title rows (county, 截至日期); the header is the first row with the columns.
    at = next((i for i, (_, raw) in enumerate(table.rows[:TITLE_ROWS + 1])
               if all(h in _header(raw) for h in REQUIRED)), 0)
    header = _header(table.rows[at][1])
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ImportFileError(f"{name}:{_in(table.sheet)}{table.rows[at][0]}:缺少列 {'、'.join(missing)}"
                              "(请使用 zhiben export template 生成的模板)")
    if len(table.rows) < at + 2:
        raise ImportFileError(f"{name}:{_in(table.sheet)}表头(第 {table.rows[at][0]} 行)之后没有数据行")
    rows = []
    for n, raw in table.rows[at + 1:]:
        values = [_unguard(v) for v in raw]
        if all(v in (None, "") for v in values):
            continue
        cells = {h: Cell(values[i] if i < len(values) else None, _letter(i)) for i, h in enumerate(header) if h}
        rows.append(SheetRow(n, cells))
    return table.sheet, rows


def _in(sheet: str | None) -> str:
    return f"工作表“{sheet}”:" if sheet else ""


# --- validation and applying ------------------------------------------------------------------

@dataclass
class Action:
    row: int
    kind: str  # "done" | "reopen" | "open" (未完成: never changes anything)
    milestone_id: str
    subject: subjects.Subject
    period_input: str | None
    period: str
    due: dt.date | None  # None for an undated duty
    done_on: dt.date | None
    evidence: str | None
    changes: bool
    current_done_on: dt.date | None
    # Whose record it is: the county for a per-risk duty named by its enterprise, else `subject`.
    owner: subjects.Subject
    # Files named in 佐证文件, checked (tracking/evidence.py attaches them after the completion).
    files: list = field(default_factory=list)


@dataclass
class StatusImport:
    file: str
    actions: list[Action] = field(default_factory=list)
    skipped: int = 0
    applied: bool = False
    attached: list = field(default_factory=list)  # tracking.evidence.Attached per row with files
    sheet: str | None = None  # the worksheet read (XLSX)

    @property
    def changes(self) -> list[Action]:
        return [a for a in self.actions if a.changes]

    @property
    def unchanged(self) -> int:
        return len(self.actions) - len(self.changes)

    @property
    def kept_done(self) -> list[Action]:
        """Rows saying 未完成 for an occurrence recorded as done: kept done, worth a word."""
        return [a for a in self.actions if a.kind == "open" and a.current_done_on is not None]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _status(word: str) -> str | None:
    w = word.strip().lower()
    if w in DONE_WORDS:
        return "done"
    if w in REVOKE_WORDS:
        return "reopen"
    if w in OPEN_WORDS:
        return "open"
    return None


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # a CSV template does without openpyxl

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            raise InputError(f"无法识别的完成日期“{value}”(应为 YYYY-MM-DD)") from None
    return parse_date(_text(value), "完成日期")


class _Problems(list):
    def add(self, name: str, row: SheetRow, header: str, message: str) -> None:
        cell = row.cells.get(header)
        col = cell.column if cell else "?"
        self.append(f"{name}:{row.number}:{col}({header}):{message}")


def _subject(session: Session, kind: str, name: str, code: str) -> subjects.Subject:
    if kind == "city":
        return subjects.CITY
    if kind == "county":
        return subjects.county_subject(session, name)
    if kind == "park":
        return subjects.park_subject(session, name)
    return subjects.enterprise_subject(session, code or name)


def _files(name: str, row: SheetRow, kind: str, folder: evidence_files.Folder | None,
           problems: _Problems) -> list | None:
    """The checked files a row's 佐证文件 cell names (None after a problem)."""
    names = [n.strip() for n in attachments.FILE_SEPARATORS.split(_text(row.get("佐证文件"))) if n.strip()]
    if not names:
        return []
    if kind != "done":
        problems.add(name, row, "佐证文件", "只有状态为已完成的行可以附佐证文件")
        return None
    if folder is None:
        problems.add(name, row, "佐证文件", "填写了佐证文件,导入时须用 --evidence-dir 给出存放文件的文件夹或 ZIP")
        return None
    found = []
    for n in names:
        try:
            found.append(folder.find(n))
        except ZhibenError as exc:
            problems.add(name, row, "佐证文件", exc.message)
            return None
    return found


def _plan_row(session: Session, name: str, row: SheetRow, today: dt.date, problems: _Problems,
              folder: evidence_files.Folder | None = None) -> Action | None:
    word = _text(row.get("状态"))
    raw_date = row.get("完成日期")
    has_date = raw_date not in (None, "")
    if not word and not has_date:
        return None
    kind = _status(word) if word else "done"
    if kind is None:
        problems.add(name, row, "状态", f"无法识别的状态“{word}”;可用:{'、'.join(DONE_WORDS[:3] + OPEN_WORDS[:1] + REVOKE_WORDS[:1])}")
        return None
    done_on = None
    if kind == "done":
        if not has_date:
            problems.add(name, row, "完成日期", "状态为已完成,须填写完成日期")
            return None
        try:
            done_on = _date(raw_date)
        except InputError as exc:
            problems.add(name, row, "完成日期", exc.message)
            return None
        try:
            not_after_today(done_on, today, "完成日期")
        except InputError as exc:
            problems.add(name, row, "完成日期", exc.message)
            return None
        try:
            completions.check_not_before_effective(session, done_on)
        except InputError as exc:
            problems.add(name, row, "完成日期", exc.message)
            return None
    try:
        m = subjects.get_milestone(session, _text(row.get("编号")))
    except ZhibenError as exc:
        problems.add(name, row, "编号", exc.message)
        return None
    kind_word = _text(row.get("主体类别"))
    subject_kind = KIND_CODES.get(kind_word)
    if subject_kind is None:
        problems.add(name, row, "主体类别", f"无法识别的主体类别“{kind_word}”;可用:市级、县级、园区、企业")
        return None
    # The template shows period labels (2025年第二季度); keys typed by hand still work.
    period_text = schedule.period_from_label(_text(row.get("周期")))
    code = _text(row.get("统一社会信用代码"))
    # A per-risk supervision duty belongs to the county; tracking resolves it from the inspected
    # enterprise, named by the row's credit code (older templates keyed it "period:credit code").
    if m.per_risk and ":" in period_text:
        period_text, code = period_text.split(":", 1)
    if m.per_risk and code:
        subject_kind = "enterprise"
    try:
        subject = _subject(session, subject_kind, _text(row.get("责任主体")), code)
    except ZhibenError as exc:
        problems.add(name, row, "统一社会信用代码" if subject_kind == "enterprise" and code else "责任主体", exc.message)
        return None
    try:
        _, owner, key, due = completions.prepare(session, m.id, subject, period_text or None)
    except NotOwed as exc:
        problems.add(name, row, "周期" if exc.about == "period" else "责任主体", exc.message)
        return None
    except ZhibenError as exc:
        problems.add(name, row, "周期", exc.message)
        return None
    existing = completions.find(session, m.id, owner, key)
    evidence = _text(row.get("佐证材料")) or None
    note = _text(row.get("备注")) or None
    for header, field_, value in (("佐证材料", "evidence", evidence), ("备注", "note", note)):
        if (why := limits.problem(field_, value)) is not None:
            problems.add(name, row, header, why)
            return None
    if kind == "done" and note:
        evidence = f"{evidence or ''}(备注:{note})" if evidence else f"备注:{note}"
    elif kind == "reopen":
        evidence = note or evidence
    files = _files(name, row, kind, folder, problems)
    if files is None:
        return None
    changes = existing is None if kind == "done" else kind == "reopen" and existing is not None
    return Action(row.number, kind, m.id, subject, period_text or None, key, due, done_on, evidence, changes,
                  existing.done_on if existing else None, owner, files)


def plan_import(session: Session, path: Path, *, today: dt.date | None = None,
                folder: evidence_files.Folder | None = None,
                sheet: str | None = None) -> StatusImport:
    """Validate every row; raise ImportFileError listing all problems, else return the actions."""
    today = today or dt.date.today()
    name = path.name
    sheet_read, rows = read_sheet(path, sheet)
    problems = _Problems()
    result = StatusImport(file=name, sheet=sheet_read)
    seen: dict[tuple, Action] = {}
    for row in rows:
        action = _plan_row(session, name, row, today, problems, folder)
        if action is None:
            if not _text(row.get("状态")) and row.get("完成日期") in (None, ""):
                result.skipped += 1
            continue
        key = (action.milestone_id, action.owner.kind, action.owner.id, action.period)
        first = seen.get(key)
        if first is not None:
            if first.kind != action.kind or first.done_on != action.done_on:
                problems.add(name, row, "状态", f"与第 {first.row} 行是同一事项,但填写的状态或日期不同")
            continue
        seen[key] = action
        result.actions.append(action)
    if problems:
        raise ImportFileError(f"{name} {_in(sheet_read)}有 {len(problems)} 处问题,未导入任何记录", problems=problems)
    return result


def apply_import(session: Session, path: Path, *, by: str | None = None, dry_run: bool = False,
                 today: dt.date | None = None, evidence_dir: Path | None = None,
                 sheet: str | None = None) -> StatusImport:
    """All-or-nothing: validate the whole file (the active sheet or `sheet`, and every file its rows
    name in `evidence_dir`, a folder or a ZIP), then (unless dry_run) apply every change and attach the files."""
    if evidence_dir is None:
        return _apply(session, path, by=by, dry_run=dry_run, today=today, folder=None, sheet=sheet)
    most = attachments.file_limit(session)
    with evidence_files.folder(evidence_dir, max_bytes=most, budget=attachments.ZIP_BUDGET) as f:
        return _apply(session, path, by=by, dry_run=dry_run, today=today, folder=f, sheet=sheet)


def _apply(session: Session, path: Path, *, by: str | None, dry_run: bool, today: dt.date | None,
           folder: evidence_files.Folder | None, sheet: str | None) -> StatusImport:
    today = today or dt.date.today()
    if not dry_run:
        occurrences.touch(session)  # the writers' lock before validating: the plan stays true until commit
    result = plan_import(session, path, today=today, folder=folder, sheet=sheet)
    if dry_run:
        return result
    for a in result.changes:
        if a.kind == "done":
            completions.mark_done(session, a.milestone_id, a.subject, period=a.period_input, on=a.done_on,
                               evidence=a.evidence, by=by, source=result.file, today=today)
        else:
            completions.reopen(session, a.milestone_id, a.subject, period=a.period_input, reason=a.evidence, by=by,
                            source=result.file)
    for a in result.actions:
        if a.files:
            result.attached.append(attachments.attach(session, a.milestone_id, a.subject, a.period_input, a.files,
                                                   by=by, source=result.file))
    result.applied = True
    return result
