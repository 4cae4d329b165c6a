"""A plain list of enterprises, one credit code or full name per line (for batch recording).

Files come from Excel or Notepad on Chinese Windows as often as from a UTF-8 editor, so UTF-8
(with or without BOM) and GB18030 are both read. Every line is resolved before anything is used,
and every problem is reported as file:line.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from zhiben.db import models
from zhiben.errors import ImportFileError, InputError
from zhiben.inputs import limits
from zhiben.inputs.files import read_bytes
from zhiben.inputs.sheets import decode
from zhiben.tracking import subjects

HEADERS = {"统一社会信用代码", "信用代码", "credit_code", "企业名称", "名称", "name"}
# A list pasted from a spreadsheet column may keep a trailing comma (ASCII or full-width) or tab.
TRAILING = ",，\t"


def read_text(path: Path) -> str:
    return decode(read_bytes(path, what="企业清单文件", budget=limits.MAX_TEXT_FILE_BYTES), str(path))[0]


def read(session: Session, path: Path | str) -> list[tuple[str, models.Enterprise]]:
    """(file:line, enterprise) for each listed enterprise, duplicates dropped; all-or-nothing."""
    path = Path(path)
    found: list[tuple[str, models.Enterprise]] = []
    seen: set[int] = set()
    problems: list[str] = []
    for lineno, line in enumerate(read_text(path).splitlines(), start=1):
        # A list pasted from a spreadsheet column may keep its header and a trailing comma.
        text = line.strip().strip(TRAILING).strip()
        if not text or text.startswith("#") or (not found and not problems and text in HEADERS):
            continue
        where = f"{path}:{lineno}"
        try:
            ent = subjects.find_enterprise(session, text, partial=False)
        except InputError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        if not ent.active:
            problems.append(f"{where}: 企业“{ent.name}”已移出名录")
        elif ent.id not in seen:
            seen.add(ent.id)
            found.append((f"{where} {ent.name}", ent))
    if problems:
        raise ImportFileError(f"{path} 有 {len(problems)} 行无法识别,未做任何更改", problems=problems)
    if not found:
        raise ImportFileError(f"{path} 中没有企业(每行一个统一社会信用代码或企业全称)")
    return found
