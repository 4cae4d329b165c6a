"""What a new database tells its user: where it is and that the register is still empty.

A report on a new database lists only the city's, counties' and parks' items, which looks complete;
these lines say why, once, and name the import command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhiben import terms
from zhiben.db.engine import Session
from zhiben.reports import catalogue

if TYPE_CHECKING:
    from zhiben.db.engine import Engine

EMPTY_REGISTER = "企业名册为空,报表暂时只有市级、县级和园区的事项;导入名册:zhiben enterprise import 企业名册.xlsx"
NO_PARKS = (f"尚未登记化工园区:园区事项(chem-15-a/b/c)暂记在“{terms.PARK_PLACEHOLDER}”名下,各列一行;"
            "登记:zhiben park add 园区名称 --county 县区,或导入带“所属园区”的名册")


def first_use(shown: str, engine: Engine) -> str:
    """What the first command on a new default database tells the user (on stderr, once)."""
    with Session(engine) as s:
        n_m, _ = catalogue.size(s)
    return f"首次使用:已在 {shown} 新建数据库,载入 {n_m} 个事项。\n{EMPTY_REGISTER}"

