"""Names as people type them → the rows they mean: counties, parks, enterprises, milestones, tags, events.

The one place a typed name is looked up, for every command: report filters (reports/filters.py),
the subjects of write commands (tracking/subjects.py), the register commands and the files people
send back. Plain SQL through db/read.execute, so a bare sqlite3 connection (the lean read path) and
a SQLAlchemy session resolve names alike.

Every miss reads the same way, `未知的{什么}“{值}”;是否要找:A、B;{where to look}`, and quotes at
most 40 characters of the value. Nothing is guessed: a near match is only suggested.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from zhiben import terms
from zhiben.db import read
from zhiben.errors import InputError, NotFound

SHOWN_CHARS = 40  # of a bad value, in an error line
CANDIDATES = 10  # enterprises listed when a name part fits several
COUNTY_HINT = "、".join(short for _, short in terms.COUNTIES)
CODE_LIKE = re.compile(r"[0-9A-Z]{4,18}")


def shown(value: str) -> str:
    """`value` as an error line quotes it: one line, at most 40 characters."""
    text = "".join(c if c.isprintable() else "?" for c in value[:SHOWN_CHARS])
    return text + ("…" if len(value) > SHOWN_CHARS else "")


def unknown(what: str, value: str, near: Iterable[str], where: str) -> NotFound:
    """The one near-match message: what was not found, the nearest names, where to see them all."""
    near = list(dict.fromkeys(near))
    maybe = f"是否要找:{'、'.join(near)};" if near else ""
    return NotFound(f"未知的{what}“{shown(value)}”;{maybe}{where}")


def given(value: str | None, option: str, hint: str) -> str | None:
    """None when not given; an empty value is a mistake, never "everything"."""
    if value is None:
        return None
    if not value.strip():
        raise InputError(f"{option} 的值不能为空;可用:{hint}")
    return value.strip()


def _column(src: read.Readable, sql: str, params: dict | None = None) -> list:
    return [r[0] for r in read.execute(src, sql, params)]


def _like(part: str) -> str:
    return "%" + part.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


# --- counties and parks ------------------------------------------------------------------------

@dataclass(frozen=True)
class Named:
    id: int
    name: str
    county_id: int | None = None


def county(src: read.Readable, text: str, option: str = "--county") -> Named:
    """A county-level unit by official name, short name or alias (茌平, 茌平区, 经开区…)."""
    text = given(text, option, COUNTY_HINT) or ""
    official = terms.canonical(text)
    if official is None:
        raise unknown_county(text)
    row = list(read.execute(src, "SELECT id, name FROM county WHERE name = :name", {"name": official}))[0]
    return Named(row[0], row[1], row[0])


def unknown_county(text: str) -> NotFound:
    """The miss of a county name, wherever it was typed (an option, a register row)."""
    aliases = difflib.get_close_matches(text, list(terms.ALIASES), n=5, cutoff=0.4)
    order = list(terms.SHORT_NAMES.values())
    near = sorted({terms.SHORT_NAMES[terms.ALIASES[a]] for a in aliases}, key=order.index)
    return unknown("县(市、区)", text, near, f"可用:{COUNTY_HINT}(全称、简称均可)")


def unknown_tag(text: str, known: Iterable[str]) -> NotFound:
    """The miss of a tag, wherever it was typed (an option, a register row)."""
    near = difflib.get_close_matches(text, sorted(known), n=3, cutoff=0.3)
    return unknown("标签", text, near, "可用标签见 zhiben enterprise tags")


def county_name(src: read.Readable, county_id: int) -> str:
    return _column(src, "SELECT name FROM county WHERE id = :id", {"id": county_id})[0]


def enterprise_name(src: read.Readable, enterprise_id: int) -> str | None:
    """The name of a registered enterprise, None once it is gone."""
    rows = _column(src, "SELECT name FROM enterprise WHERE id = :id", {"id": enterprise_id})
    return rows[0] if rows else None


def park(src: read.Readable, text: str, option: str = "--park") -> Named:
    """A chemical park by its name or a part of it that fits one park."""
    text = given(text, option, "zhiben park list 列出的园区") or ""
    rows = list(read.execute(src, "SELECT id, name, county_id FROM park ORDER BY name"))
    exact = [r for r in rows if r[1] == text]
    fits = exact or [r for r in rows if text in r[1]]
    if len(fits) == 1:
        return Named(*fits[0])
    if len(fits) > 1:
        raise InputError(f"“{shown(text)}”对应 {len(fits)} 个园区,请写全名称:{'、'.join(r[1] for r in fits)}")
    near = difflib.get_close_matches(text, [r[1] for r in rows], n=3, cutoff=0.4)
    raise unknown("化工园区", text, near, "用 zhiben park list 查看,zhiben park add 登记园区")


# --- enterprises -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Enterprise:
    id: int
    name: str
    credit_code: str
    county_id: int
    county: str
    active: bool

    @property
    def line(self) -> str:
        return f"{self.name}  {self.credit_code}  {self.county}{'' if self.active else '(已注销)'}"


ENTERPRISE_SQL = ("SELECT e.id, e.name, e.credit_code, e.county_id, c.name, e.active FROM enterprise e "
                  "JOIN county c ON c.id = e.county_id")
ENTERPRISE_HINT = "统一社会信用代码(或其开头)、企业全称或名称中的一段"


def _enterprises(src: read.Readable, where: str, params: dict) -> list[Enterprise]:
    rows = read.execute(src, f"{ENTERPRISE_SQL} WHERE {where} ORDER BY c.position, e.name, e.credit_code", params)
    return [Enterprise(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]


def enterprise(src: read.Readable, text: str, option: str = "--enterprise", *, partial: bool = True) -> Enterprise:
    """An enterprise by credit code, full name, or (partial) an unambiguous code prefix or name part.

    A part that fits several enterprises lists up to ten (name, code, county) and exits 2; an
    active enterprise is preferred over removed ones of the same name. Files people send back use
    partial=False: a pasted list names each enterprise in full.
    """
    text = given(text, option, ENTERPRISE_HINT) or ""
    code = re.sub(r"\s", "", text).upper()
    found = _enterprises(src, "e.credit_code = :code", {"code": code})
    if not found:
        found = _enterprises(src, "e.name = :name", {"name": text})
    if not found and partial:
        if CODE_LIKE.fullmatch(code):
            found = _enterprises(src, "e.credit_code LIKE :prefix ESCAPE '!'", {"prefix": _like(code)[1:]})
        found = found or _enterprises(src, "e.name LIKE :part ESCAPE '!'", {"part": _like(text)})
    if len(found) > 1 and any(e.active for e in found):
        found = [e for e in found if e.active]
    if len(found) == 1:
        return found[0]
    if found:
        more = len(found) - CANDIDATES
        raise InputError(f"“{shown(text)}”对应 {len(found)} 家企业,请写出更多字或用统一社会信用代码:",
                         problems=[e.line for e in found[:CANDIDATES]] + ([f"……另有 {more} 家"] if more > 0 else []))
    raise unknown("企业", text, _near_enterprises(src, text, code), "用 zhiben enterprise list --name 查找")


def _near_enterprises(src: read.Readable, text: str, code: str) -> list[str]:
    if CODE_LIKE.fullmatch(code):  # a mistyped code: codes one or two edits away, not codes sharing a prefix
        limit = 1 if len(code) < 10 else 2
        scored = sorted((d, c) for c in _column(src, "SELECT credit_code FROM enterprise")
                        if (d := edit_distance(code, c[:len(code)], limit)) <= limit)
        return [c for d, c in scored[:5] if d == scored[0][0]]  # the closest only
    names = _column(src, "SELECT name FROM enterprise")
    near = difflib.get_close_matches(text, names, n=5, cutoff=0.5)
    for end in range(len(text) - 1, 1, -1) if not near else ():  # the longest start of the text some names contain
        near = [n for n in names if text[:end] in n][:5]
        if near:
            break
    return near


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it must exceed limit (only the band of
    cells within `limit` of the diagonal is computed: 5,000 codes take a fraction of a second)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    previous = [min(j, over) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [min(i, over)] + [over] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]), over)
        if min(current) > limit:
            return over
        previous = current
    return previous[-1]


def enterprise_filter(text: str | None) -> str | None:
    """A `--name` filter for listings: a part of the name or the start of a credit code."""
    return given(text, "--name", "企业名称中的一段或统一社会信用代码的开头")


# --- milestones, tags, events -------------------------------------------------------------------

def milestone(src: read.Readable, text: str, option: str = "--id", *, include_inactive: bool = False) -> str:
    """An active catalogue item by its ID (case and surrounding spaces ignored); `include_inactive`:
    also one since dropped from the catalogue (its records are kept)."""
    text = given(text, option, "zhiben catalogue list 列出的事项编号") or ""
    which = "" if include_inactive else "WHERE active = :yes "
    active = _column(src, f"SELECT id FROM milestone {which}ORDER BY position", {"yes": True})
    key = text.lower()
    if key in active:
        return key
    near = difflib.get_close_matches(key, active, n=3, cutoff=0.6)
    raise unknown("事项编号", text, near, "用 zhiben catalogue list 查看全部编号")


def tag(src: read.Readable, text: str, option: str = "--tag") -> str:
    """A tag: the plans' words, an alias of exactly one of them, or a free tag some enterprise carries."""
    text = given(text, option, "zhiben enterprise tags 列出的标签") or ""
    key = text.replace("(", "(").replace(")", ")")
    known = set(_column(src, "SELECT name FROM tag UNION SELECT DISTINCT tag FROM enterprisetag"))
    if key in known:
        return key
    mapped = [t for v in _column(src, "SELECT tags FROM tagalias WHERE name = :name", {"name": key})
              for t in _alias_tags(v)]
    if len(mapped) == 1:
        return mapped[0]
    raise unknown_tag(text, known)


def _alias_tags(value: object) -> list[str]:
    return list(read.Source.json(value) or [])


EVENT_WORDS = {**{k.value: k.value for k in terms.EventKind}, **{v: str(k) for k, v in terms.EVENT_NAMES.items()},
               **{v: str(k) for k, v in terms.EVENT_SHORT.items()}}


def event_kind(text: str, option: str = "事件类型") -> str:
    """An event kind by code (trial-start) or by the Chinese name help and errors list (试生产开始)."""
    text = given(text, option, terms.EVENT_HINT) or ""
    key = text.lower() if text.isascii() else text
    if key in EVENT_WORDS:
        return EVENT_WORDS[key]
    near = [terms.EVENT_NAMES[EVENT_WORDS[w]] for w in difflib.get_close_matches(key, list(EVENT_WORDS), n=3, cutoff=0.5)]
    raise unknown("事件类型", text, near, f"可用:{terms.EVENT_HINT}")
