"""The 通报 as a Word document laid out as GB/T 9704-2012 asks.

A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; 22 lines of 28 characters (body 三号 仿宋 at a fixed
28.95 pt line); title 二号 小标宋; first-level headings 黑体, second-level 楷体; page numbers
"— 1 —" in 四号 宋体, odd pages at the right and even pages at the left, one character in. The
font names are those the bureau's Word has (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体);
where they are missing, Word and LibreOffice substitute a font of the same family, so the text stays
readable (the Latin fallback is Times New Roman).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from zhiben.outputs.notice_doc import Block, blocks
from zhiben.reports.notice import ISSUER, Notice

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import _Cell, _Row
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
LATIN = "Times New Roman"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_5 = Pt(10.5)  # 五号: the tables
LINE = Pt(28.95)  # 22 lines in the 225 mm 版心
RED = RGBColor(0xC0, 0x00, 0x00)


# Official documents use full-width punctuation; the shared wording (outputs/notice_doc.py) is
# written with the ASCII forms the terminal output uses.
FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})
_NOT_IN_NUMBER = re.compile(r"[,;:()]")


def official(text: str) -> str:
    """Full-width punctuation, except a thousands separator (103,433) and a time (10:30)."""
    def swap(m: re.Match) -> str:
        a, b = m.start(), m.end()
        if m.group() in ",:" and 0 < a and b < len(text) and text[a - 1].isdigit() and text[b].isdigit():
            return m.group()
        return m.group().translate(FULL_WIDTH)

    return _NOT_IN_NUMBER.sub(swap, text)


def _font(run: Run, name: str, size: Length, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.text = official(run.text)
    run.font.name = LATIN
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _para(doc: DocxDocument, text: str, font: str, size: Length, *, align: WD_ALIGN_PARAGRAPH | None = None,
          indent: bool = False, bold: bool = False, color: RGBColor | None = None, line: Length = LINE,
          before: int = 0, after: int = 0) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)  # 首行缩进两字
    if align is not None:
        p.alignment = align
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _page_number(paragraph: Paragraph) -> None:
    """"— N —" with N a PAGE field."""
    _font(paragraph.add_run("— "), PAGE_FONT, SIZE_4)
    run = paragraph.add_run()
    _font(run, PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(paragraph.add_run(" —"), PAGE_FONT, SIZE_4)


def _setup(doc: DocxDocument) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    s.footer_distance = Mm(28)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = s.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = SIZE_4  # 空一字
    _page_number(odd)
    even = s.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = SIZE_4
    _page_number(even)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.author = ISSUER
    doc.core_properties.language = "zh-CN"


def _masthead(doc: DocxDocument, x: Notice) -> None:
    """版头: the issuing body in red, the issue number, a red rule."""
    _para(doc, ISSUER, TITLE_FONT, Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, line=Pt(54), before=12)
    p = _para(doc, f"{x.year}年第{x.number}期", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)
    _para(doc, "", BODY_FONT, SIZE_3)


def _table(doc: DocxDocument, b: Block) -> None:
    t = doc.add_table(rows=1, cols=len(b.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    full = Mm(156)
    for j, (_, label, _right) in enumerate(b.columns):
        t.columns[j].width = int(full * b.widths[j])  # the grid LibreOffice lays out by
        cell = t.rows[0].cells[j]
        cell.width = int(full * b.widths[j])
        _cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(t.rows[0])
    for r in b.rows:
        cells = t.add_row().cells
        for j, (key, _, right) in enumerate(b.columns):
            cells[j].width = int(full * b.widths[j])
            _cell(cells[j], r[key], bold=r.get("apart", False) and key == "label",
                  align=WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, "", BODY_FONT, SIZE_5, line=Pt(12))


def _repeat_header(row: _Row) -> None:
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)


def _cell(cell: _Cell, text: str, *, bold: bool, align: WD_ALIGN_PARAGRAPH) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _font(p.add_run(text), BODY_FONT, SIZE_5, bold=bold)


def document(x: Notice) -> bytes:
    doc = Document()
    _setup(doc)
    _masthead(doc, x)
    for b in blocks(x):
        if b.kind == "title":
            _para(doc, b.text, TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36), after=16)
        elif b.kind == "number":
            continue  # in the masthead
        elif b.kind == "to":
            _para(doc, b.text, BODY_FONT, SIZE_3)
        elif b.kind == "h1":
            _para(doc, b.text, H1_FONT, SIZE_3, indent=True)
        elif b.kind == "h2":
            _para(doc, b.text, H2_FONT, SIZE_3, indent=True)
        elif b.kind == "table":
            _table(doc, b)
        elif b.kind == "placeholder":
            p = _para(doc, b.text, BODY_FONT, SIZE_3, indent=True, color=RED)
            p.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW  # a gap to fill before signing
        elif b.kind == "sign":
            p = _para(doc, b.text, BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(SIZE_3.pt * 4)
            if b.text == ISSUER:
                p.paragraph_format.space_before = Pt(SIZE_3.pt * 2)
        elif b.kind == "annex":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _para(doc, b.text, H1_FONT, SIZE_3)
        elif b.kind == "note":
            _para(doc, b.text, BODY_FONT, SIZE_4, indent=True, line=Pt(24))
        else:
            _para(doc, b.text, BODY_FONT, SIZE_3, indent=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
