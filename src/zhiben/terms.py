"""Liaocheng's eleven county-level units and the short names people type."""

from zhiben.errors import NotFound

# (official name, short name); order is the bureau's customary listing order.
COUNTIES: list[tuple[str, str]] = [
    ("东昌府区", "东昌府"),
    ("临清市", "临清"),
    ("茌平区", "茌平"),
    ("阳谷县", "阳谷"),
    ("莘县", "莘县"),
    ("东阿县", "东阿"),
    ("冠县", "冠县"),
    ("高唐县", "高唐"),
    ("聊城经济技术开发区", "经开区"),
    ("聊城高新技术产业开发区", "高新区"),
    ("江北水城旅游度假区", "度假区"),
]

_EXTRA_ALIASES = {
    "经济技术开发区": "聊城经济技术开发区",
    "开发区": "聊城经济技术开发区",
    "聊城经开区": "聊城经济技术开发区",
    "高新技术产业开发区": "聊城高新技术产业开发区",
    "聊城高新区": "聊城高新技术产业开发区",
    "旅游度假区": "江北水城旅游度假区",
    "江北水城度假区": "江北水城旅游度假区",
    "江北水城": "江北水城旅游度假区",
    "莘": "莘县",
    "冠": "冠县",
    "茌平县": "茌平区",
    "东昌府区应急局": "东昌府区",
}


def _build_aliases() -> dict[str, str]:
    aliases = {}
    for name, short in COUNTIES:
        aliases[name] = name
        aliases[short] = name
        aliases[name + "应急局"] = name
    aliases.update(_EXTRA_ALIASES)
    return aliases


ALIASES = _build_aliases()
NAMES = [name for name, _ in COUNTIES]


def canonical(name: str) -> str | None:
    """Official name for `name` (official, short or alias), or None."""
    return ALIASES.get(name.strip().replace(" ", "").replace("\u3000", ""))


def resolve(name: str) -> str:
    found = canonical(name)
    if found is None:
        raise NotFound(f"未知的县(市、区):“{name}”;可用:{'、'.join(NAMES)}")
    return found
