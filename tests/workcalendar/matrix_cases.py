"""Permission-matrix cases of the business calendar (core.testing.Case): one per URL name, HTML and API.

Center A's objects: a season running today (its name is the marker of the calendar page; entered before it began,
`configured_on`), and a future season, a future override and a future statutory day to withdraw (the services
refuse to rewrite days already gone, C-01/C-02). Dates are relative to today so the cases hold on any day.
Statutory days are entered at the company (root) by its system admin, a user this module adds to the world
(`root_admin_a`); the other center's manager must get 404 for them.
"""

from __future__ import annotations

from datetime import timedelta

from servicecenter.core.testing import Case
from servicecenter.policy.values import local_today
from servicecenter.workcalendar import services
from servicecenter.workcalendar.models import DateOverride, Season, StatutoryHoliday
from tests import factories

from .conftest import configured_on

MARKER = "矩阵季节-甲中心"


def _check(model, **lookup):
    def check(world, response) -> None:
        assert model.objects.filter(**lookup).exists(), lookup

    return check


def build(world) -> list[Case]:
    a = world.tree["a"]
    world.root_admin_a = factories.make_staff(world.tree["company"], "system_admin", name="公司管理员")
    today = local_today(a)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    with configured_on(today - timedelta(days=11)):
        running = services.season_create(
            actor=None,
            organization=a,
            name=MARKER,
            start_date=today - timedelta(days=10),
            end_date=today + timedelta(days=10),
            periods=[["07:00", "21:00"]],
        )
    future = services.season_create(
        actor=None,
        organization=a,
        name="待停用季节",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=60),
        periods=[["06:30", "22:30"]],
    )
    override = services.override_set(
        actor=None, organization=a, date=today + timedelta(days=20), is_open=False, name="待撤销安排"
    )
    holiday = services.holiday_add(
        actor=None, organization=world.tree["company"], date=today + timedelta(days=40), name="矩阵假日"
    )
    root_admin = {"actor": "root_admin_a", "cross": "manager_b"}
    api_at = "2025-10-01T09:00:00%2B08:00"
    return [
        # pages
        Case("workcalendar:calendar", marker=MARKER),
        Case("workcalendar:calendar", query=f"?org={a.pk}&month=2025-10"),
        Case(
            "workcalendar:calculate",
            query=f"?org={a.pk}&mode=add&start=2025-10-01T19:00&minutes=60",
            check=lambda world, response: "2025-10-02 09:30" in response.content.decode(),
        ),
        # actions (POST; a plain form post is redirected back to the page)
        Case(
            "workcalendar:season_create",
            kwargs={"org_id": a.pk},
            method="post",
            data={"name": "矩阵夏季", "start_date": day(100), "end_date": day(160), "periods": "06:30-22:30"},
            ok=(302,),
            check=_check(Season, name="矩阵夏季", is_active=True),
        ),
        Case(
            "workcalendar:season_deactivate",
            kwargs={"pk": future.pk},
            method="post",
            ok=(302,),
            check=_check(Season, pk=future.pk, is_active=False),
        ),
        Case(
            "workcalendar:season_end",
            kwargs={"pk": running.pk},
            method="post",
            data={"end_date": day(5)},
            ok=(302,),
            check=_check(Season, pk=running.pk, end_date=today + timedelta(days=5), is_active=True),
        ),
        Case(
            "workcalendar:override_create",
            kwargs={"org_id": a.pk},
            method="post",
            data={"date": day(21), "is_open": "0", "name": "矩阵停业"},
            ok=(302,),
            check=_check(DateOverride, name="矩阵停业", is_active=True),
        ),
        Case(
            "workcalendar:override_deactivate",
            kwargs={"pk": override.pk},
            method="post",
            ok=(302,),
            check=_check(DateOverride, pk=override.pk, is_active=False),
        ),
        Case(
            "workcalendar:holiday_create",
            kwargs={"org_id": a.pk},
            method="post",
            data={"date": day(41), "name": "矩阵放假", "is_workday": "0"},
            ok=(302,),
            check=_check(StatutoryHoliday, date=today + timedelta(days=41), is_active=True),
            **root_admin,
        ),
        Case(
            "workcalendar:holiday_deactivate",
            kwargs={"pk": holiday.pk},
            method="post",
            ok=(302,),
            check=_check(StatutoryHoliday, pk=holiday.pk, is_active=False),
            **root_admin,
        ),
        # API (read-only; another center's calendar is 404)
        Case("api-calendar-is-working", kwargs={"org_id": a.pk}, api=True, query=f"?at={api_at}"),
        Case(
            "api-calendar-add-minutes",
            kwargs={"org_id": a.pk},
            api=True,
            query=f"?start={api_at}&minutes=30",
            check=lambda world, response: response.json()["due"] == "2025-10-01T09:30:00+08:00",
        ),
        Case(
            "api-calendar-between",
            kwargs={"org_id": a.pk},
            api=True,
            query=f"?start={api_at}&end=2025-10-02T09:00:00%2B08:00",
        ),
        Case("api-calendar-days", kwargs={"org_id": a.pk}, api=True, query="?month=2025-10"),
    ]
