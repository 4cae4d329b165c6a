"""Records → one text line each: fitted to a terminal, or full width when piped.

On a terminal (a width is given) every record is exactly one line within that width: columns
are first abbreviated (方案 → 化工, 县区 → 茌平), then dropped in a fixed order (lowest `drop`
first; 0 = never), and only the flexible column (the title) is cut, with "…". Ids, dates, codes
and numbers are never cut or wrapped. Without a width (stdout is a file or a pipe) lines are full
width and nothing is cut: grep finds every value whole.

Streaming: column widths come from a lookahead of the first rows (plus each column's header);
a later, longer value widens its own line only. Nothing holds more than the lookahead in memory.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from rich.cells import cell_len

# Stored text never drives the terminal (controls shown as \x1b): see inputs/limits.py.
from zhiben.inputs.limits import printable

LOOKAHEAD = 2000
WHOLE = 10**6  # min_width of a flexible column cut only when nothing is left to drop (a name)
LAST = 100  # drop order of a key column (编号, 县区, 统一社会信用代码): kept at 80 columns, dropped only below
GAP = "  "
ELLIPSIS = "…"


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    text: Callable[[dict], str]  # record → cell text
    right: bool = False  # numbers: right-aligned
    drop: int = 0  # dropped to fit a terminal, lowest first; 0 = always shown
    short: Callable[[dict], str] | None = None  # the abbreviated cell, tried before dropping anything
    short_label: str | None = None  # the header that goes with it ("所属县区" → "县区")
    flex: bool = False  # the one column cut with "…" (the title)
    min_width: int = 0  # a flexible column's floor before anything is dropped (WHOLE: never cut before that)
    least: int = 2  # a flexible column's floor before a LAST column is dropped (a name stays readable)
    style: Callable[[dict], str | None] | None = None  # ANSI colour for the cell on a terminal


_widths: dict[str, int] = {}


def width(text: str) -> int:
    """Display columns (CJK = 2), memoised: titles and names repeat on most rows."""
    if text.isascii() and text.isprintable():  # numbers, dates, codes: one column a character
        return len(text)
    w = _widths.get(text)
    if w is None:
        w = cell_len(text)
        if len(_widths) < 200_000:
            _widths[text] = w
    return w


def cut(text: str, room: int) -> str:
    """`text` within `room` display columns, ending in "…" when shortened."""
    if width(text) <= room:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > room - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, room: int, right: bool = False) -> str:
    fill = " " * max(0, room - width(text))
    return fill + text if right else text + fill


@dataclass
class Layout:
    cols: list[Col]
    widths: list[int]


def natural_widths(cols: list[Col], sample: list[dict]) -> list[int]:
    return [max(width(c.label), max(map(width, map(printable, map(c.text, sample))), default=0)) for c in cols]


def fit(cols: list[Col], sample: list[dict], total: int | None) -> Layout:
    """Choose columns and widths for `total` display columns (None: no limit)."""
    cols = list(cols)
    widths = natural_widths(cols, sample)
    if total is None:
        return Layout(cols, widths)

    def used() -> int:
        return sum(widths) + len(GAP) * (len(cols) - 1)

    # 1. Abbreviate (plan and county short names): nothing is lost that the reader cannot infer.
    for i, c in enumerate(cols):
        if used() <= total:
            break
        if c.short is not None:
            cols[i] = replace(c, text=c.short, short=None, label=c.short_label or c.label)
            widths[i] = natural_widths([cols[i]], sample)[0]
    # 2. Flexible columns (titles, free text) give up room down to their minimum; 3. if that is not
    # enough, columns go in drop order (the flexible ones getting their room back each time); 4. with
    # nothing left to drop the flexible columns give up more, free text before names (a name's
    # minimum is WHOLE: it is cut only then), down to `least`; 5. only then do key columns (drop ≥
    # LAST) go, in their order; 6. with nothing left at all, the flexible columns take what remains.
    droppable = sorted((c for c in cols if c.drop), key=lambda c: c.drop)
    while True:
        flexes = [i for i, c in enumerate(cols) if c.flex]
        naturals = {i: natural_widths([cols[i]], sample)[0] for i in flexes}
        widths = [naturals.get(i, w) for i, w in enumerate(widths)]
        for i in reversed(flexes):  # the rightmost (the most detailed) gives way first
            floor = min(naturals[i], max(cols[i].min_width, width(cols[i].label)))
            widths[i] = max(floor, naturals[i] - max(0, used() - total))
        if used() <= total:
            break
        if droppable and droppable[0].drop < LAST:
            i = cols.index(droppable.pop(0))
            del cols[i], widths[i]
            continue
        by_need = sorted(flexes, key=lambda i: cols[i].min_width)
        for i in by_need:
            widths[i] = max(min(widths[i], cols[i].least), widths[i] - max(0, used() - total))
        if used() <= total:
            break
        if droppable:
            i = cols.index(droppable.pop(0))
            del cols[i], widths[i]
            continue
        for i in by_need:
            widths[i] = max(2, widths[i] - max(0, used() - total))
        break
    return Layout(cols, widths)


def _colour() -> bool:
    return "NO_COLOR" not in os.environ


def header(layout: Layout, *, tty: bool) -> str:
    cells = [pad(c.label, w, c.right) for c, w in zip(layout.cols, layout.widths, strict=True)]
    line = GAP.join(cells).rstrip()
    return f"\x1b[1m{line}\x1b[0m" if tty and _colour() else line


def padded(layout: Layout, texts: list[str], used: list[int] | None = None) -> str:
    """A piped line: the cells (`used`: their display widths) padded to the layout's widths, nothing
    cut, no colour."""
    if used is None:
        used = [len(t) if t.isascii() and t.isprintable() else width(t) for t in texts]
    cells = [" " * (w - u) + t if c.right else t + " " * (w - u)
             for c, w, t, u in zip(layout.cols, layout.widths, texts, used, strict=True)]
    return GAP.join(cells).rstrip(" ")


def piped(rows: list[dict], cols: list[Col]) -> tuple[Layout, list[tuple[list[str], list[int]]]]:
    """The full-width layout of `rows` and their cell texts with widths, each computed once (a whole
    register's list pays for its texts once, as JSON does)."""
    cells = []
    for r in rows:
        texts = [printable(c.text(r)) for c in cols]
        cells.append((texts, [len(t) if t.isascii() and t.isprintable() else width(t) for t in texts]))
    widths = [max([width(c.label), *(u[i] for _, u in cells)]) for i, c in enumerate(cols)]
    return Layout(list(cols), widths), cells


def line(layout: Layout, rec: dict, *, total: int | None, tty: bool) -> str:
    texts = [printable(c.text(rec)) for c in layout.cols]
    if total is None and not tty:
        return padded(layout, texts)
    cells = []
    colour = tty and _colour()
    widths = list(layout.widths)
    if total is not None:
        # A value longer than the lookahead saw takes its room from the flexible columns, never past `total`.
        over = sum(max(0, width(t) - w) for t, w, c in zip(texts, widths, layout.cols, strict=True) if not c.flex)
        for i, c in enumerate(layout.cols):
            if c.flex and over > 0:
                give = min(over, max(0, widths[i] - 2))
                widths[i] -= give
                over -= give
    last = len(texts) - 1
    for n, (c, w, t) in enumerate(zip(layout.cols, widths, texts, strict=True)):
        if c.flex and total is not None:
            t = cut(t, max(w, 2))
        cell = t if (n == last and not c.right) else pad(t, w, c.right)
        if colour and c.style is not None and (s := c.style(rec)):
            cell = f"{s}{cell}\x1b[0m"
        cells.append(cell)
    return GAP.join(cells).rstrip(" ")  # empty last cells leave no trailing blanks


def filled(cols: list[Col], sample: list[dict]) -> list[Col]:
    """The columns with a value on some row of `sample`: on a terminal an empty column only costs width."""
    return [c for c in cols if any(c.text(r) for r in sample)]


def render(records: Iterable[dict], cols: list[Col], *, total: int | None, tty: bool = False,
           limit: int | None = None, lookahead: int = LOOKAHEAD) -> Iterator[str]:
    """Header then one line per record (without newlines); `limit` caps them and says how many were left.

    On a terminal (`total` given) columns empty on every looked-ahead row are left out."""
    it = iter(records)
    sample = list(itertools.islice(it, lookahead if limit is None else min(lookahead, limit)))
    if total is None and not tty:
        layout, cells = piped(sample, cols)
        yield header(layout, tty=False)
        yield from (padded(layout, t, u) for t, u in cells)
        shown = len(sample)
        sample = []
    else:
        layout = fit(filled(cols, sample) if total is not None and sample else cols, sample, total)
        yield header(layout, tty=tty)
        shown = 0
    if limit is None and total is None and not tty:  # piped, uncapped: the million-row path
        cols = layout.cols
        yield from (padded(layout, [c.text(rec) for c in cols]) for rec in itertools.chain(sample, it))
        return
    for rec in itertools.chain(sample, it):
        if limit is not None and shown >= limit:
            rest = 1 + sum(1 for _ in it)
            yield f"另有 {rest:,} 项未显示"
            return
        yield line(layout, rec, total=total, tty=tty)
        shown += 1


def markdown(records: Iterable[dict], cols: list[Col], *, limit: int | None = None,
             lookahead: int = LOOKAHEAD) -> Iterator[str]:
    """A GitHub table, padded from the lookahead (CJK-aware), numbers right-aligned, streamed."""
    it = iter(records)
    sample = list(itertools.islice(it, lookahead if limit is None else min(lookahead, limit)))
    widths = natural_widths(cols, sample)

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(pad(t, w, c.right) for t, w, c in zip(cells, widths, cols, strict=True)) + " |"

    def esc(t: str) -> str:
        return t.replace("|", "\\|")

    yield row([c.label for c in cols])
    yield "|" + "|".join(("-" * (w + 1) + ":") if c.right else "-" * (w + 2) for w, c in zip(widths, cols, strict=True)) + "|"
    shown = 0
    for rec in itertools.chain(sample, it):
        if limit is not None and shown >= limit:
            rest = 1 + sum(1 for _ in it)
            yield ""
            yield f"另有 {rest:,} 项未显示"
            return
        yield row([esc(printable(c.text(rec))) for c in cols])
        shown += 1


def wrap(text: str, total: int | None) -> list[str]:
    """A sentence in lines of at most `total` display columns, broken after punctuation where it can be."""
    if total is None or width(text) <= total:
        return [text]
    out = []
    while width(text) > total:
        used, cut_at, brk, space = 0, 0, 0, 0
        for n, ch in enumerate(text):
            used += cell_len(ch)
            if used > total:
                break
            cut_at = n + 1
            if ch in "，；：、。;:" or (ch == "," and not text[n + 1:n + 2].isdigit()):  # never 5,/000
                brk = n + 1
            elif ch == " ":  # a space may sit inside a command: punctuation first
                space = n + 1
        at = brk if brk > cut_at // 2 else space if space > cut_at // 2 else cut_at
        out.append(text[:at].rstrip())
        text = text[at:].lstrip()
    if text:
        out.append(text)
    return out


def render_sections(sections: list[list[dict]], cols: list[Col], *, total: int | None,
                    tty: bool = False) -> Iterator[str]:
    """Small tables in one layout (same columns, same widths), a blank line between sections."""
    if total is None and not tty:
        layout, cells = piped([r for sec in sections for r in sec], cols)
        rows = iter(cells)
        yield header(layout, tty=False)
        for n, sec in enumerate(s for s in sections if s):
            if n:
                yield ""
            yield from (padded(layout, *next(rows)) for _ in sec)
        return
    layout = fit(cols, [r for sec in sections for r in sec], total)
    yield header(layout, tty=tty)
    first = True
    for sec in sections:
        if not sec:
            continue
        if not first:
            yield ""
        first = False
        for rec in sec:
            yield line(layout, rec, total=total, tty=tty)
