"""Report filter values as typed → reports.rows.Filters. Filters never guess.

Every value is checked against what exists (tracking/lookup.py, the one lookup every command
uses): an unknown value is an InputError (exit 2) naming the nearest known values; an empty value
is an error too (`--county ""` must not silently mean "every county").
"""

from __future__ import annotations

from zhiben import terms
from zhiben.db import read
from zhiben.errors import InputError
from zhiben.reports.rows import Filters
from zhiben.tracking import lookup

PLAN_HINT = "、".join(f"{p.value}({terms.PLAN_SHORT[p]})" for p in terms.Plan)
WHO_ALIASES = {
    **{k.value: k.value for k in terms.SubjectKind},
    **{v: str(k) for k, v in terms.SUBJECT_NAMES.items()},
    **{v: str(k) for k, v in terms.SUBJECT_WORDS.items()},
    "市": "city", "市局": "city", "县": "county", "县区": "county", "县(市、区)": "county", "园区": "park",
}
WHO_HINT = "、".join(f"{k.value}({terms.SUBJECT_NAMES[k]})" for k in terms.SubjectKind)


def plan_code(text: str | None) -> str | None:
    text = lookup.given(text, "--plan", PLAN_HINT)
    if text is None:
        return None
    code = terms.sector_code(text)
    if code is None:
        raise InputError(f"未知的方案“{lookup.shown(text)}”;可用:{PLAN_HINT}")
    return code


def county_name(src: read.Readable, county_id: int) -> str:
    return lookup.county_name(src, county_id)


def enterprise_name(src: read.Readable, enterprise_id: int) -> str | None:
    return lookup.enterprise_name(src, enterprise_id)


def who_code(text: str | None) -> str | None:
    text = lookup.given(text, "--who", WHO_HINT)
    if text is None:
        return None
    code = WHO_ALIASES.get(text.lower() if text.isascii() else text)
    if code is None:
        raise InputError(f"未知的责任主体类别“{lookup.shown(text)}”;可用:{WHO_HINT}")
    return code


def resolve(src: read.Readable, *, plan: str | None = None, county: str | None = None, who: str | None = None,
            enterprise: str | None = None, sector: str | None = None, tag: str | None = None, risk: str | None = None,
            milestone_id: str | None = None) -> Filters:
    """Filters from option values as typed; None means "not given"."""
    sector = lookup.given(sector, "--sector", terms.SECTOR_HINT)
    risk = lookup.given(risk, "--risk", terms.RISK_HINT)
    return Filters(
        plan=plan_code(plan),
        county_id=lookup.county(src, county).id if county is not None else None,
        who=who_code(who),
        enterprise_id=lookup.enterprise(src, enterprise).id if enterprise is not None else None,
        sector=terms.resolve_sector(sector) if sector is not None else None,
        tag=lookup.tag(src, tag) if tag is not None else None,
        risk=terms.resolve_risk(risk) if risk is not None else None,
        milestone_id=lookup.milestone(src, milestone_id) if milestone_id is not None else None,
    )
