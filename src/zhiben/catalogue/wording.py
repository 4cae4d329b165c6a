"""Milestones and rules described in Chinese for people (catalogue list/show)."""

from __future__ import annotations

from rich.cells import cell_len

from zhiben.terms import EVENT_NAMES, PLAN_NAMES
from zhiben.terms import SUBJECT_NAMES as KIND_NAMES

EVERY = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}
UNIT = {"day": "日", "workday": "个工作日", "month": "个月", "year": "年"}


def rule_text(rule: dict) -> str:
    kind = rule["kind"]
    if kind == "once":
        return f"{rule['due']} 前"
    if kind == "undated":
        if rule.get("every") == "year":
            return "每年一次,未定期限(原文未给出日期,不计逾期)"
        return "未定期限(原文未给出日期,不计逾期)"
    if kind == "standing":
        since = f",自 {rule['since']} 起" if rule.get("since") else ""
        return f"持续性规定{since}(不生成期限)"
    if kind == "recurring":
        every = rule["every"]
        when = EVERY[every]
        if rule.get("covers") == "previous" and every == "year":
            when += f"{rule.get('month') or 12}月" + (f"{rule['day']}日前" if rule.get("day") else "底前") + "(针对上一年度)"
        elif rule.get("covers") == "previous":
            when += f"{rule['day'] or '月末'}日前报送上{'月' if every == 'month' else '一周期'}情况"
        elif every == "month" and rule.get("day"):
            when += f"{rule['day']}日前"
        elif every == "year" and rule.get("month"):
            when += f"{rule['month']}月" + (f"{rule['day']}日前" if rule.get("day") else "底前")
        if rule.get("day"):
            when += "(遇非工作日顺延)"
        span = ""
        if rule.get("start") or rule.get("end"):
            span = f"({rule.get('start') or '起始'}~{rule.get('end') or '2026 年底'})"
        return when + span
    if kind == "relative":
        ev = EVENT_NAMES.get(rule["event"], rule["event"])
        side = "前" if rule["direction"] == "before" else "后"
        if rule.get("bound") == "window":
            return f"{ev}前 {rule['offset']} {UNIT[rule['unit']]}内(窗口期,{ev}前一日截止)"
        if rule["offset"] == 0:
            text = f"{ev}当天" if rule["direction"] == "after" else f"{ev}之前(不晚于{ev}当天)"
        else:
            text = f"{ev}{side} {rule['offset']} {UNIT[rule['unit']]}"
        if rule.get("bound") == "earliest":
            text += "(最早日期)"
        if gap := rule.get("gap"):
            since = EVENT_NAMES.get(gap["since"], gap["since"])
            text += f"(仅当距{since}超过 {gap['more_than']} {UNIT[gap['unit']]})"
        return text
    levels = "、".join(rule.get("levels") or [])
    measure = f"{levels}等级占比" if rule["metric"] == "risk_share" else "填报值"
    when = f"{rule['due']} 前" if rule.get("due") else "原文未给出日期,只测算不判未达标"
    return f"目标:{measure} ≥ {rule['threshold']:.0%},{when}"


def show_text(r: dict) -> str:
    lines = [
        f"{r['id']}  {r['title']}",
        f"方案:{PLAN_NAMES[r['plan']]}  任务:{r['task']}  {r['section']}",
        f"责任主体:{KIND_NAMES[r['responsible']]}" + (f"({r['unit']})" if r.get("unit") else "")
        + (f"  限于:{'、'.join(r['counties'])}" if r.get("counties") else ""),
    ]
    ap = r.get("applies_to")
    if ap:
        scope = PLAN_NAMES[ap["sector"]] + "企业"
        if ap["tags"]:
            scope += ",标签含:" + "、".join(ap["tags"])
        if ap["exclude_tags"]:
            scope += ",不含:" + "、".join(ap["exclude_tags"])
        lines.append(f"适用企业:{scope}")
    if r.get("per_risk"):
        lines.append(f"逐家对象:{r['per_risk']}色等级企业")
    lines.append(f"期限规则:{r['schedule']}")
    lines.append(f"原文:“{r['quote']}”")
    if r.get("note"):
        lines.append(f"说明:{r['note']}")
    dues = r.get("due_dates") or []
    if dues:
        lines.append(f"全部期限({len(dues)} 个):")
        labels = [d.get("period_label", d["period"]) for d in dues]
        width = max(map(_width, labels))
        lines += [f"  {label}{' ' * (width - _width(label))}  {d['due']}" + ("(顺延)" if d.get("bound") == "postponed" else "")
                  for label, d in zip(labels, dues, strict=True)]
    elif r["rule"]["kind"] == "relative":
        lines.append("期限:按企业登记的事件逐家计算(zhiben event add)")
    elif r["rule"]["kind"] == "undated":
        yearly = r["rule"].get("every") == "year"
        how = f"zhiben done --period {r['periods'][0]}(年度)" if yearly and r.get("periods") else "zhiben done"
        lines.append(f"期限:原文未给出日期。可用 {how} 记录完成,未完成的不列入逾期。")
        if yearly:
            lines.append("年度:" + "、".join(f"{p}年度" for p in r.get("periods") or []))
        done = r.get("completions") or []
        lines.append(f"已记录完成({len(done)} 个):" if done else "尚无完成记录")
        lines += [f"  {c['subject']}" + (f"  {c['period']}年度" if yearly else "") + f"  {c['done_on']}" for c in done]
    elif r["rule"]["kind"] == "standing":
        lines.append("这是持续性规定,不生成期限,也不需要标记完成;违反时按原文处理。")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display columns: a CJK character takes two."""
    return cell_len(text)
