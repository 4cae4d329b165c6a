"""The hostile-file corpus, generated at test time (nothing big is committed).

    build(folder) → {name: path}

Each entry is a file (or a path: devices, links, FIFOs) a careless or malicious user could hand to a
file-taking option: dimension and zip bombs, devices, sparse giants, deep nesting, control
characters, conflicting calendars, stale template sheets, broken encodings. Every entry is
something zhiben must refuse early with one Chinese line, whichever option it is given to.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

REGISTER_HEADER = ["统一社会信用代码", "企业名称", "所属县区", "行业"]
STATUS_HEADER = ["编号", "方案", "事项", "主体类别", "责任主体", "统一社会信用代码", "周期", "期限", "当前情况",
                 "状态", "完成日期", "佐证材料", "备注"]
GIB = 1024 ** 3
# Entries no option may accept, whatever kind of file it takes (devices, links, FIFOs, loops,
# folders, sparse giants, zip bombs).
WHATEVER_THE_FILE = {"link-to-zero.csv", "link-to-zero.toml", "link-to-urandom.xlsx", "link-to-zero.txt", "dev-zero",
                     "dev-urandom", "fifo.csv", "loop.csv", "sparse.toml", "sparse.csv", "sparse.xlsx", "sparse.txt",
                     "sparse.db", "zip-bomb.xlsx"}

# A valid-looking first line for each kind of file, so the attack reaches past the header check.
CONTROL_TEXT = "零\x01\x07\x1b[31m红色公司\x1b]0;title\x07\u202e"
# What an XML cell can hold: C1 controls (CSI) and bidi overrides.
XML_CONTROL_TEXT = "零\x9b31m红色\u202e公司"


def _workbook(sheets: list[tuple[str, list[list], str]], active: int = 0) -> bytes:
    """An .xlsx with the given (title, rows, state) sheets, built with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.active = active
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _dimension_bomb(header: list[str], last_row: int) -> bytes:
    """A header row and one cell at column XFD of `last_row`: openpyxl declares A1:XFD<last_row>."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.cell(row=last_row, column=16384, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _raw_sheet(sheet_xml: bytes, *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal .xlsx around hand-written sheet XML (what no spreadsheet program would write)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>').encode(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>').encode(),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _sheet_xml(rows: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>').encode()


def _header_xml(header: list[str]) -> str:
    return '<row r="1">' + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in header) + "</row>"


def _zip_bomb() -> bytes:
    """A 60 MB sheet of one repeated blank row that packs to about 60 KB (ratio ~1000)."""
    body = b"<row/>" * (10 * 1024 * 1024)
    return _raw_sheet(_sheet_xml(_header_xml(REGISTER_HEADER)).replace(b"</sheetData>", body + b"</sheetData>"))


def _sparse(path: Path, size: int = GIB) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)


def build(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def put(name: str, data: bytes | str) -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        out[name] = path

    # Dimension bombs: a gap of 199,997 rows; a row number past any register; one row of 20,000 cells.
    put("dimension-register.xlsx", _dimension_bomb(REGISTER_HEADER, 199_999))
    put("dimension-status.xlsx", _dimension_bomb(STATUS_HEADER, 199_999))
    put("dimension-last-row.xlsx", _raw_sheet(_sheet_xml(_header_xml(REGISTER_HEADER) + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')))
    put("wide-row.xlsx", _raw_sheet(_sheet_xml(_header_xml(REGISTER_HEADER) + "<row>" + "<c/>" * 20_000 + "</row>")))
    put("bad-cell-ref.xlsx", _raw_sheet(_sheet_xml(_header_xml(REGISTER_HEADER) + '<row r="2"><c r="ZZZZZ2"><v>1</v></c></row>')))
    # Zip bombs: by deflate ratio, and a member that claims more than it holds.
    put("zip-bomb.xlsx", _zip_bomb())
    put("truncated.xlsx", _zip_bomb()[:4096])
    put("not-a-zip.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    # Devices and special files, also behind innocent names.
    for name, target in (("link-to-zero.csv", "/dev/zero"), ("link-to-zero.toml", "/dev/zero"),
                         ("link-to-urandom.xlsx", "/dev/urandom"), ("link-to-zero.txt", "/dev/zero")):
        path = folder / name
        path.symlink_to(target)
        out[name] = path
    out["dev-zero"] = Path("/dev/zero")
    out["dev-urandom"] = Path("/dev/urandom")
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    out["fifo.csv"] = fifo
    loop = folder / "loop.csv"
    loop.symlink_to(loop.name)
    out["loop.csv"] = loop
    out["a-folder.csv"] = folder / "a-folder.csv"
    out["a-folder.csv"].mkdir()
    # Sparse giants: 1 GB of nothing under every extension.
    for name in ("sparse.toml", "sparse.csv", "sparse.xlsx", "sparse.txt", "sparse.db"):
        _sparse(folder / name)
        out[name] = folder / name
    # Deep nesting: beyond Python's recursion, and legal but far deeper than any catalogue.
    put("deep.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n")
    put("deep-legal.toml", "a = " + "[" * 100 + "]" * 100 + "\n")
    put("deep-tables.toml", "x = " + "{ a = " * 100 + "1" + " }" * 100 + "\n")
    # Control characters in every kind of text file.
    put("controls-register.csv", ",".join(REGISTER_HEADER) + f"\n91371523MA3C0000X1,{CONTROL_TEXT},茌平,chem\n")
    # A NUL past the first 4 KB (the binary-file sniff) reached the database on main.
    filler = "".join(f"91371523MA3C{n:05d}X,企业{n},茌平,chem\n" for n in range(200))
    put("nul-register.csv", ",".join(REGISTER_HEADER) + "\n" + filler + "91371523MA3C0000X1,零\x00公司,茌平,chem\n")
    put("controls-calendar.csv", f"2027-01-01,holiday,{CONTROL_TEXT}\n")
    put("controls-codes.txt", f"{CONTROL_TEXT}\n")
    put("controls.toml", f'[catalogue]\ntitle = "{CONTROL_TEXT}"\n')
    put("controls-register.xlsx", _workbook([("名册", [REGISTER_HEADER, ["91371523MA3C0000X1", XML_CONTROL_TEXT, "茌平", "chem"]], "visible")]))
    # Conflicting calendars: the same day as holiday and as workday.
    put("conflicting-calendar.csv", "2025-10-01,holiday,国庆\n2025-10-02,holiday\n2025-10-01,workday\n")
    # Stale template sheets: two visible sheets with the template's columns.
    row = ["chem-guard-1-a", "化工", "x", "县级", "茌平区", "", "一次性", "", "", "已完成", "2025-06-30", "", ""]
    put("two-template-sheets.xlsx", _workbook([("旧", [STATUS_HEADER, row], "visible"), ("新", [STATUS_HEADER, row], "visible")], 1))
    # Broken encodings.
    put("utf16.csv", "\ufeff统一社会信用代码,企业名称\n".encode("utf-16"))
    put("latin1.csv", "credit_code,name,county,sector\n1,Société,Zürich,chem\n".encode("latin-1"))
    put("invalid-utf8.toml", b'[catalogue]\ntitle = "\xff\xfe\xfd"\n')
    put("invalid-utf8.txt", b"\xff\xfe\x00\x81\x30\n")
    put("binary.csv", os.urandom(4096))
    put("empty.csv", b"")
    put("empty.toml", b"")
    put("old-excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    put("wrong-extension.json", b"{}")
    return out
