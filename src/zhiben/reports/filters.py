"""Report filter values as typed → reports.rows.Filters. Filters never guess.

Every value is checked against what exists: an unknown value is an InputError (exit 2) naming
the nearest known values; an empty value is an error too (`--county ""` must not silently mean
"every county"). County short names (东昌府, 茌平, 经开区…) are accepted wherever a county is.

Plain SQL through db/read.execute, so the lean read path (a bare sqlite3 connection) and a
SQLAlchemy session resolve filters alike.
"""

from __future__ import annotations

import difflib

from zhiben import terms
from zhiben.db import read
from zhiben.errors import InputError, NotFound
from zhiben.reports.rows import Filters

PLAN_HINT = "、".join(f"{p.value}({terms.PLAN_SHORT[p]})" for p in terms.Plan)
WHO_ALIASES = {
    **{k.value: k.value for k in terms.SubjectKind},
    **{v: str(k) for k, v in terms.SUBJECT_NAMES.items()},
    **{v: str(k) for k, v in terms.SUBJECT_WORDS.items()},
    "市": "city", "市局": "city", "县": "county", "县区": "county", "县(市、区)": "county", "园区": "park",
}
WHO_HINT = "、".join(f"{k.value}({terms.SUBJECT_NAMES[k]})" for k in terms.SubjectKind)
COUNTY_HINT = "、".join(short for _, short in terms.COUNTIES)


def _given(value: str | None, option: str, hint: str) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise InputError(f"{option} 的值不能为空;可用:{hint}")
    return value.strip()


def _near(value: str, known, n: int = 3, cutoff: float = 0.4) -> list[str]:
    return difflib.get_close_matches(value, list(known), n=n, cutoff=cutoff)


def plan_code(text: str | None) -> str | None:
    text = _given(text, "--plan", PLAN_HINT)
    if text is None:
        return None
    code = terms.sector_code(text)
    if code is None:
        raise InputError(f"未知的方案“{text}”;可用:{PLAN_HINT}")
    return code


def _values(src, sql: str, params: dict | None = None) -> list:
    return [r[0] for r in read.execute(src, sql, params)]


def county_id(session, text: str | None) -> int | None:
    text = _given(text, "--county", COUNTY_HINT)
    if text is None:
        return None
    official = terms.canonical(text)
    if official is None:
        near = {terms.SHORT_NAMES[terms.ALIASES[a]] for a in _near(text, terms.ALIASES, n=5)}
        hint = f"是否要找:{'、'.join(sorted(near, key=list(terms.SHORT_NAMES.values()).index))};" if near else ""
        raise NotFound(f"未知的县(市、区)“{text}”;{hint}可用:{COUNTY_HINT}(全称、简称均可)")
    return _values(session, "SELECT id FROM county WHERE name = :name", {"name": official})[0]


def county_name(session, county_id: int) -> str:
    return _values(session, "SELECT name FROM county WHERE id = :id", {"id": county_id})[0]


def who_code(text: str | None) -> str | None:
    text = _given(text, "--who", WHO_HINT)
    if text is None:
        return None
    code = WHO_ALIASES.get(text.lower() if text.isascii() else text)
    if code is None:
        raise InputError(f"未知的责任主体类别“{text}”;可用:{WHO_HINT}")
    return code


def enterprise_id(session, text: str | None) -> int | None:
    text = _given(text, "--enterprise", "统一社会信用代码或企业全称")
    if text is None:
        return None
    found = _values(session, "SELECT id FROM enterprise WHERE credit_code = :code", {"code": text.upper()})
    if not found:
        found = _values(session, "SELECT id FROM enterprise WHERE name = :name", {"name": text})
        if len(found) > 1:
            raise InputError(f"名称“{text}”对应多家企业,请用统一社会信用代码")
    if found:
        return found[0]
    near = _near(text, _values(session, "SELECT name FROM enterprise"), cutoff=0.5)
    if len(text) >= 8:
        near += _values(session, "SELECT credit_code FROM enterprise WHERE credit_code LIKE :prefix",
                        {"prefix": text.upper()[:8] + "%"})[:3]
    hint = f";是否要找:{'、'.join(near[:5])}" if near else ";用 zhiben enterprise list 查看名册"
    raise NotFound(f"未知的企业“{text}”(按统一社会信用代码或企业全称查找){hint}")


def tag_value(session, text: str | None) -> str | None:
    text = _given(text, "--tag", "zhiben enterprise tags 列出的标签")
    if text is None:
        return None
    known = set(_values(session, "SELECT name FROM tag UNION SELECT DISTINCT tag FROM enterprisetag"))
    if text not in known:
        near = _near(text, known, cutoff=0.3)
        hint = f";最接近的有:{'、'.join(near)}" if near else ";可用标签见 zhiben enterprise tags"
        raise NotFound(f"未知的标签“{text}”{hint}")
    return text


def milestone(session, text: str | None) -> str | None:
    text = _given(text, "--id", "zhiben catalogue list 列出的事项编号")
    if text is None:
        return None
    active = _values(session, "SELECT id FROM milestone WHERE active = :yes ORDER BY position", {"yes": True})
    if text not in active:
        near = difflib.get_close_matches(text, active, n=3, cutoff=0.6)
        hint = f";是否要找:{'、'.join(near)}" if near else ";用 zhiben catalogue list 查看全部编号"
        raise NotFound(f"未知的事项编号“{text}”{hint}")
    return text


def resolve(session, *, plan=None, county=None, who=None, enterprise=None, sector=None, tag=None,
            risk=None, milestone_id=None) -> Filters:
    """Filters from option values as typed; None means "not given"."""
    sector = _given(sector, "--sector", terms.SECTOR_HINT)
    risk = _given(risk, "--risk", terms.RISK_HINT)
    return Filters(
        plan=plan_code(plan),
        county_id=county_id(session, county),
        who=who_code(who),
        enterprise_id=enterprise_id(session, enterprise),
        sector=terms.resolve_sector(sector) if sector is not None else None,
        tag=tag_value(session, tag),
        risk=terms.resolve_risk(risk) if risk is not None else None,
        milestone_id=milestone(session, milestone_id),
    )
