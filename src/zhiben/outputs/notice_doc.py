"""The 通报's wording and layout, once: a list of blocks that the terminal text and the Word
document (outputs/notice_docx.py) both render, so the two can not say different things.

Every sentence states a figure from the notice (reports.notice.Notice): named, counted, compared;
no adjective is added that the figures do not carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from zhiben.outputs import lines as out
from zhiben.reports.notice import ABOVE_POINTS, ISSUER, Notice

PLACEHOLDER = "【此处填写下步要求:用 zhiben bulletin --requirements 文件 提供市局的要求原文】"


@dataclass
class Block:
    kind: str  # title / number / to / h1 / h2 / p / table / placeholder / annex / sign / note
    text: str = ""
    columns: list[tuple[str, str, bool]] = field(default_factory=list)  # key, label, right-aligned
    rows: list[dict] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # share of the line, for the Word table


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def n(x: int) -> str:
    return f"{x:,}"


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def points(change: float | None) -> str:
    if change is None:
        return "—"
    return "持平" if change == 0 else f"{change:+.1f}"


def _change_phrase(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    d = round((now - before) * 100, 1)
    return "持平" if d == 0 else f"{'上升' if d > 0 else '下降'} {abs(d):.1f} 个百分点"


def _basis_name(b: dict) -> str:
    if b["kind"] == "issued":
        return f"上期({b['year']}年第{b['number']}期,截至{cn_date(_day(b['as_of']))})"
    return f"{cn_date(_day(b['as_of']))}(按当前记录回算,此前未印发通报)"


def _day(v: dt.date | str) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)


def blocks(x: Notice) -> list[Block]:
    t, who = x.total, ("全市" if not x.county else x.scope)
    unit = "企业" if x.county else "县(市、区)"
    out_: list[Block] = [
        Block("title", x.title),
        Block("number", f"{x.year}年第{x.number}期"),
        Block("to", "、".join(x.addressees) + ("应急管理部门:" if not x.county else "应急管理部门,辖区各有关企业:")),
        Block("h1", "一、总体情况"),
    ]
    change = ""
    if x.basis is not None:
        phrase = _change_phrase(t["overdue_rate"], x.basis["total"]["overdue_rate"])
        change = f",较{_basis_name(x.basis)}{phrase}" if phrase else ""
    else:
        change = "(方案施行不足一个月,无可比的上期)"
    out_.append(Block("p", f"截至{cn_date(x.as_of)},{who}安全生产治本攻坚三年行动应完成事项 {n(t['due_so_far'])} 项,"
                           f"已完成 {n(t['done'])} 项,完成率 {pct(t['rate'])};其中按期完成 {n(t['on_time'])} 项,"
                           f"按期完成率 {pct(t['on_time_rate'])};逾期未完成 {n(t['overdue'])} 项,"
                           f"逾期率 {pct(t['overdue_rate'])}{change}。"))
    if x.plans:
        parts = [f"{p['label']}应完成 {n(p['due_so_far'])} 项、逾期 {n(p['overdue'])} 项,逾期率 {pct(p['overdue_rate'])}"
                 for p in x.plans]
        out_.append(Block("p", "分方案看:" + ";".join(parts) + "。"))
    out_.append(Block("note", f"{x.effective};逾期率=逾期÷应完成,按期完成率=期限当天及以前完成的÷应完成。"))
    out_.append(Block("h1", "二、各县(市、区)进展" if not x.county else f"二、{x.scope}各企业进展"))
    apart = "市应急管理局本级事项单列,不参加排名" if not x.county else f"{x.scope}本级事项单列,不参加排名"
    out_.append(Block("p", f"按逾期率由低到高排名如下(逾期率相同的并列;{apart};较上期为逾期率的变化,单位为百分点):"))
    out_.append(_ranking(x))
    out_ += _problems(x, unit)
    out_.append(Block("h1", "四、下步要求"))
    if x.requirements:
        out_ += [Block("p", para.strip()) for para in x.requirements.splitlines() if para.strip()]
    else:
        out_.append(Block("placeholder", PLACEHOLDER))
    out_.append(Block("p", "附件:逾期事项清单(按事项和县(市、区))"))
    out_.append(Block("sign", ISSUER))
    out_.append(Block("sign", cn_date(x.issued_on)))
    out_.append(Block("annex", "附件"))
    out_.append(Block("title", f"逾期事项清单(截至{cn_date(x.as_of)})"))
    out_.append(_annex(x))
    return out_


def _ranking(x: Notice) -> Block:
    cols = [("rank", "排名", True), ("label", "企业" if x.county else "县(市、区)", False), ("due_so_far", "应完成", True),
            ("done", "已完成", True), ("overdue", "逾期", True), ("overdue_rate", "逾期率", True),
            ("change", "较上期", True), ("on_time_rate", "按期完成率", True)]
    widths = [0.07, 0.25, 0.12, 0.12, 0.12, 0.1, 0.09, 0.13]
    rows = []
    for r in x.lines:
        rows.append({"rank": "" if r.get("rank") is None else str(r["rank"]), "label": r["label"],
                     "due_so_far": n(r["due_so_far"]), "done": n(r["done"]), "overdue": n(r["overdue"]),
                     "overdue_rate": pct(r["overdue_rate"]), "change": points(r.get("change")),
                     "on_time_rate": pct(r["on_time_rate"]), "apart": r["scope"] in ("city", "total")
                     or r["key"] in ("本级", "合计")})
    return Block("table", columns=cols, rows=rows, widths=widths)


def _problems(x: Notice, unit: str) -> list[Block]:
    whole = x.total["overdue_rate"]
    out_ = [Block("h1", "三、存在的问题"), Block("h2", f"(一)逾期率高于{'全市' if not x.county else x.scope}"
                                                      f" {ABOVE_POINTS} 个百分点以上的{unit}")]
    if x.above:
        shown = x.above[:10]
        names = "、".join(f"{a['label']}({pct(a['overdue_rate'])},高于 {a['points']:.1f} 个百分点)" for a in shown)
        more = f"等 {len(x.above)} 个" if len(x.above) > len(shown) else f"共 {len(x.above)} 个"
        out_.append(Block("p", f"{'全市' if not x.county else x.scope}逾期率为 {pct(whole)},{names},{more}。"))
    else:
        out_.append(Block("p", f"没有逾期率高于{'全市' if not x.county else x.scope}({pct(whole)}){ABOVE_POINTS} 个百分点以上的{unit}。"))
    out_.append(Block("h2", "(二)逾期责任主体最多的事项"))
    if x.top:
        for i, d in enumerate(x.top, 1):
            where = f",涉及 {d['counties']} 个县(市、区)" if d["counties"] and not x.county else ""
            out_.append(Block("p", f"{i}. {d['milestone_id']} {d['title']}:{n(d['subjects'])} 个责任主体逾期,"
                                   f"共 {n(d['items'])} 项{where}。"))
    else:
        out_.append(Block("p", "没有逾期事项。"))
    out_.append(Block("h2", "(三)新增逾期"))
    new = x.new
    if new.get("since") is None:
        out_.append(Block("p", "无可比的上期,不统计新增逾期。"))
    elif new["total"]:
        parts = "、".join(f"{c['label']} {n(c['items'])} 项" for c in new["by_county"])
        out_.append(Block("p", f"自{cn_date(_day(new['since']))}以来新到期且逾期的共 {n(new['total'])} 项,其中{parts}。"))
    else:
        out_.append(Block("p", f"自{cn_date(_day(new['since']))}以来没有新增逾期。"))
    return out_


def _annex(x: Notice) -> Block:
    cols = [("milestone_id", "编号", False), ("title", "事项", False), ("label", "县(市、区)", False),
            ("subjects", "逾期主体", True), ("items", "逾期项数", True)]
    rows = []
    for d in x.annex:
        for i, r in enumerate(d["rows"]):
            rows.append({"milestone_id": d["milestone_id"] if i == 0 else "", "title": d["title"] if i == 0 else "",
                         "label": r["label"], "subjects": n(r["subjects"]), "items": n(r["items"]), "apart": False})
    return Block("table", columns=cols, rows=rows, widths=[0.17, 0.37, 0.24, 0.11, 0.11])


def plain(x: Notice, *, width: int | None, tty: bool = False) -> Iterator[str]:
    """The 通报 on a terminal or in a pipe: the same blocks as the Word document."""
    for b in blocks(x):
        if b.kind == "table":
            cols = [out.Col(k, label, _get(k), right=right) for k, label, right in b.columns]
            yield from out.render_sections([[r for r in b.rows if not r["apart"]], [r for r in b.rows if r["apart"]]],
                                           cols, total=width, tty=tty)
            yield ""
        elif b.kind in ("title", "number", "annex"):
            yield b.text
            if b.kind != "title":
                yield ""
        elif b.kind in ("h1", "h2"):
            yield b.text
        elif b.kind == "sign":
            yield b.text
        else:
            yield from out.wrap(b.text, width)
            if b.kind in ("to", "note"):
                yield ""


def _get(key: str) -> Callable[[dict], str]:
    return lambda r: r[key]
