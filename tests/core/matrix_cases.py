"""Permission-matrix cases of the project-level pages: home, login, health check."""

from __future__ import annotations

from servicecenter.approvals import services as approvals
from servicecenter.core.testing import Case

MARKER = "首页待办：甲中心请示"


def build(world) -> list[Case]:
    # A request of center A waiting for center A's manager: on the manager's home page, never on B's.
    approvals.request_submit(
        actor=world.clerk_a.user, kind="general", organization=world.tree["a"], title=MARKER, payload={"amount": "100"}
    )
    return [
        Case("home", marker=MARKER),
        Case("login", public=True, ok=(200, 302)),
        Case("healthz", public=True),
        # Own account pages: every signed-in user has them; nothing of another center is shown.
        # Own-account pages: every signed-in user has them and sees only themselves (their name in the navbar).
        Case("password_change", marker=world.manager_a.name),
        Case("password_change_done", marker=world.manager_a.name),
    ]
