"""Plain-text output of the demo loader: the steps and the login table (CJK-aware column widths)."""

from __future__ import annotations

import unicodedata

from .loader import DemoResult

STATUS_MARK = {"ok": "✓", "exists": "=", "missing": "!", "failed": "✗"}
STATUS_TEXT = {"ok": "完成 done", "exists": "已存在 exists", "missing": "未运行 not run", "failed": "失败 FAILED"}


def display_width(text: str) -> int:
    """Terminal columns of `text`: CJK (wide/fullwidth) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in [headers, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_result(result: DemoResult) -> str:
    """Summary, the optional steps and the demo logins, ready to print."""
    out = [
        f"组织 Organizations: {len(result.organizations)}（本次新建 created {result.created_organizations}）",
        f"员工 Staff:         {len(result.people)}（本次新建 created {result.created_people}）",
    ]
    for step in result.steps:
        detail = f" — {step.detail}" if step.detail else ""
        out.append(f"  {STATUS_MARK[step.status]} {step.name}: {STATUS_TEXT[step.status]}{detail}")
    out.append("")
    out.append(f"示例登录 Demo logins（统一密码 password: {result.password}）")
    rows = [[login.username, login.name, login.role_names, login.place] for login in result.logins]
    out.append(table(["用户名 Login", "姓名 Name", "角色 Role", "中心 Center / 组织 Unit"], rows))
    if result.created_people < len(result.people):
        out.append("（已存在的账户保留原密码 / existing accounts keep their password）")
    return "\n".join(out)
