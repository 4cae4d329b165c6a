"""Sector codes (chem/mine/trade) and the Chinese words the bureau uses for them."""

from zhiben.errors import InputError

ALIASES = {
    "chem": "chem", "化工": "chem", "危险化学品": "chem", "危化品": "chem", "化工和危险化学品": "chem",
    "化工/危险化学品": "chem", "危险化学品/化工": "chem",
    "mine": "mine", "非煤矿山": "mine", "矿山": "mine", "尾矿库": "mine",
    "trade": "trade", "工贸": "trade", "工贸行业": "trade",
}
NAMES = {"chem": "化工/危险化学品", "mine": "非煤矿山", "trade": "工贸"}  # as the register writes them
RISKS = ("红", "橙", "黄", "蓝")
RISK_ALIASES = {"红": "红", "红色": "红", "橙": "橙", "橙色": "橙", "黄": "黄", "黄色": "黄", "蓝": "蓝", "蓝色": "蓝",
                "red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}


def canonical(text: str) -> str | None:
    return ALIASES.get(text.strip().lower() if text.strip().isascii() else text.strip())


def resolve(text: str) -> str:
    found = canonical(text)
    if found is None:
        raise InputError(f"未知的行业“{text}”;可用:化工/危险化学品(chem)、非煤矿山(mine)、工贸(trade)")
    return found


def resolve_risk(text: str) -> str:
    found = RISK_ALIASES.get(text.strip().lower())
    if found is None:
        raise InputError(f"未知的风险等级“{text}”;可用:红、橙、黄、蓝")
    return found
