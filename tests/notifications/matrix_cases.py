"""Permission-matrix cases of the notifications app (core.testing.Case): one per URL name.

A notification belongs to its recipient: the other center's user must not see or touch center A's notifications.
"""

from __future__ import annotations

from servicecenter.core.testing import Case
from servicecenter.notifications.models import Notification
from servicecenter.notifications.services import notify

MARKER = "矩阵测试通知-甲中心"


def _mine(world) -> Notification:
    [n] = notify(
        recipients=[world.manager_a.user], title=MARKER, verb="test.matrix", organization=world.tree["a"], link="/"
    )
    return n


def _is_read(pk: int):
    def check(world, response) -> None:
        assert Notification.objects.get(pk=pk).read_at is not None

    return check


def build(world) -> list[Case]:
    listed = _mine(world)
    html_read = _mine(world)
    api_read = _mine(world)
    return [
        Case("notifications:inbox", marker=MARKER),
        Case(
            "notifications:mark_read",
            kwargs={"pk": html_read.pk},
            method="post",
            ok=(302,),
            check=_is_read(html_read.pk),
        ),
        Case("notifications:mark_all_read", method="post", marker=MARKER, check=_is_read(listed.pk)),
        Case("api-notification-list", api=True, marker=MARKER),
        Case("api-notification-read", kwargs={"pk": api_read.pk}, method="post", api=True, check=_is_read(api_read.pk)),
        # Each request first gives manager_a one more unread notification (data_factory runs for the anonymous, the
        # other-center and the allowed request): manager_b marks none of them, manager_a marks all three.
        Case(
            "api-notification-read-all",
            method="post",
            api=True,
            data_factory=_one_more_unread,
            marker='"marked":3',
            check=lambda world, response: _all_read(world),
        ),
    ]


def _one_more_unread(world) -> dict:
    _mine(world)
    return {}


def _all_read(world) -> None:
    assert not Notification.objects.filter(recipient=world.manager_a.user, read_at__isnull=True).exists()
