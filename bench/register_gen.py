"""A realistic synthetic enterprise register for the benchmark (deterministic for a given seed).

Mix modelled on a Shandong prefecture-level city: mostly 工贸 enterprises, about a tenth 化工/危险
化学品, a couple of 非煤矿山 (尾矿库) per city-sized slice; tags drawn from the catalogue vocabulary
with plausible frequencies; risk levels weighted towards 蓝/黄; valid GB 32100 credit codes.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

try:  # the project's own implementation when present
    from zhiben.register.creditcode import CHARSET, check_char
except ImportError:  # pragma: no cover - bench must also run on an older tree
    CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    _W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

    def check_char(first17: str) -> str:
        total = sum(CHARSET.index(c) * w for c, w in zip(first17, _W, strict=True))
        return CHARSET[(31 - total % 31) % 31]

from zhiben.terms import COUNTIES

# Administrative division codes (GB/T 2260) used in positions 3-8 of the credit code.
DIVISION = {
    "东昌府区": "371502", "临清市": "371581", "茌平区": "371503", "阳谷县": "371521", "莘县": "371522",
    "东阿县": "371524", "冠县": "371525", "高唐县": "371526", "聊城经济技术开发区": "371571",
    "聊城高新技术产业开发区": "371572", "江北水城旅游度假区": "371573",
}
# Share of the register by county (larger counties hold more enterprises).
COUNTY_WEIGHT = {
    "东昌府区": 14, "临清市": 13, "茌平区": 12, "阳谷县": 10, "莘县": 10, "东阿县": 8, "冠县": 9, "高唐县": 9,
    "聊城经济技术开发区": 7, "聊城高新技术产业开发区": 6, "江北水城旅游度假区": 2,
}
CHEM_PARKS = {"茌平区": "茌平化工产业园", "阳谷县": "阳谷化工产业园", "聊城经济技术开发区": "聊城化工产业园",
              "莘县": "莘县化工产业园"}
HEADER = ["统一社会信用代码", "企业名称", "所属县区", "行业", "标签", "风险等级", "所属园区", "联系人", "邮箱"]
SECTOR_WORD = {"trade": "工贸", "chem": "化工/危险化学品", "mine": "非煤矿山"}

_BRAND = "鑫泰华盛恒源宏达金宇鲁聊信诚永昌瑞丰润祥东海通天和凯隆兴旺博远昊晟中汇嘉禾正大新阳光辉建安德利明"
_TRADE = ["机械制造", "铸造", "金属制品", "钢管", "轴承", "纺织", "木业", "食品", "冷链物流", "包装材料",
          "建材", "汽车配件", "电缆", "铝业", "塑料制品", "家具", "造纸", "饲料"]
_CHEM = ["化工", "精细化工", "化学", "新材料", "石化", "气体", "医药化工", "油品储运"]
_SURNAME = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "MA" + "".join(rng.choice(alphabet) for _ in range(6))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c9 = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def credit_code(rng: random.Random, county: str) -> str:
    first17 = "91" + DIVISION[county] + _org_code(rng)
    return first17 + check_char(first17)


def _pick(rng: random.Random, share: float) -> bool:
    return rng.random() < share


def _trade_tags(rng: random.Random) -> list[str]:
    tags = []
    for tag, share in (("粉尘涉爆", 0.16), ("涉氨制冷", 0.05), ("金属冶炼", 0.03), ("深井铸造", 0.01),
                       ("水泥", 0.01), ("劳动密集型", 0.18), ("厂中厂", 0.04)):
        if _pick(rng, share):
            tags.append(tag)
    return tags


def _chem_tags(rng: random.Random) -> list[str]:
    tags = []
    if _pick(rng, 0.30):
        tags.append("重大危险源")
        tags.append(rng.choices(["一级重大危险源", "二级重大危险源", "三级重大危险源"], [1, 3, 6])[0])
    if _pick(rng, 0.25):
        tags.append("高危工艺")
        tags += rng.sample(["氯化", "氟化", "重氮化", "过氧化"], rng.choice([1, 1, 2]))
    for tag, share in (("重点监管", 0.35), ("老旧装置", 0.10), ("油气储存", 0.04), ("石油天然气", 0.02),
                       ("建设项目", 0.08), ("高危作业场所", 0.20)):
        if _pick(rng, share):
            tags.append(tag)
    return [t for t in tags if t != "三级重大危险源"]


def _mine_tags(rng: random.Random) -> list[str]:
    tags = ["尾矿库", rng.choice(["生产尾矿库", "生产尾矿库", "基建尾矿库"])]
    if _pick(rng, 0.5):
        tags.append("上级企业")
    if _pick(rng, 0.1):
        tags.append("头顶库")
    return tags


def generate(n: int, *, seed: int = 2024) -> list[list[str]]:
    """`n` register rows (CSV cells, Chinese headers order)."""
    rng = random.Random(seed)
    names_seen: set[str] = set()
    codes_seen: set[str] = set()
    counties = [name for name, _ in COUNTIES]
    weights = [COUNTY_WEIGHT[c] for c in counties]
    n_mine = max(2, n // 2500)
    rows = []
    for i in range(n):
        county = rng.choices(counties, weights)[0]
        short = dict(COUNTIES)[county]
        if i < n_mine:
            sector, tags = "mine", _mine_tags(rng)
            trade_word = "矿业"
        elif _pick(rng, 0.11):
            sector, tags = "chem", _chem_tags(rng)
            trade_word = rng.choice(_CHEM)
        else:
            sector, tags = "trade", _trade_tags(rng)
            trade_word = rng.choice(_TRADE)
        brand = "".join(rng.sample(_BRAND, 2))
        name = f"聊城{brand}{trade_word}有限公司"
        if name in names_seen:
            name = f"{short}{brand}{trade_word}有限公司"
        k = 2
        while name in names_seen:
            name = f"{short}{brand}{trade_word}有限公司第{k}分公司"
            k += 1
        names_seen.add(name)
        code = credit_code(rng, county)
        while code in codes_seen:
            code = credit_code(rng, county)
        codes_seen.add(code)
        risk = rng.choices(["红", "橙", "黄", "蓝", ""], [2, 10, 35, 48, 5])[0]
        if sector == "chem" and risk == "蓝" and _pick(rng, 0.4):
            risk = "黄"
        park = CHEM_PARKS.get(county, "") if sector == "chem" and _pick(rng, 0.6) else ""
        contact = rng.choice(_SURNAME) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if _pick(rng, 0.5) else "")
        email = f"aq{i:06d}@lc-qiye.cn" if _pick(rng, 0.6) else ""
        rows.append([code, name, county, SECTOR_WORD[sector], "、".join(tags), risk, park, contact, email])
    return rows


def write_csv(rows: list[list[str]], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
