"""The requirement IDs (REQUIREMENTS.md) this codebase implements: ID → (title, kind).

Kind is the catalogue's: a = enforced automatically, b = workflow/form, c = report/board. A test
(tests/policy/test_register.py) fails when an ID here has no `@implements` function or no test marked
`@pytest.mark.clause(ID)`, or when code claims an ID that is not listed here. Add a line when you implement one.
"""

from __future__ import annotations

from typing import NamedTuple


class Requirement(NamedTuple):
    title: str
    kind: str


IMPLEMENTED: dict[str, Requirement] = {
    "ORG-04": Requirement("中心经理只管理本中心：数据范围 = 本中心子树", "a"),
    "ORG-13": Requirement("限时委托：主任外出时事项转交受托副职，并在每个决定上显示", "a"),
    "ORG-21": Requirement("分中心继承上级制度与参数，除非明确覆盖", "a"),
    "C-01": Requirement("营业时间按中心：每天一个或多个时段、季节、节假日", "a"),
}
