"""The call list, a row's page and the month result: scope (404), permission (403), bad input (400), the phone
mask, the 409 of a stale form, query counts."""

from __future__ import annotations

import pytest
import time_machine

from servicecenter.renewals.models import RenewalRow

from .conftest import MONTH, NOW, add_rows, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_the_month():
    with time_machine.travel(NOW, tick=False):
        yield


def test_specialist_sees_own_and_unassigned_rows_phone_masked_on_unassigned(
    tree, specialist_a, specialist_a2, client_for
):
    add_rows(tree["a"], n=2, assignee=specialist_a, phone="13911112222")
    add_rows(tree["a"], n=1, assignee=specialist_a2, prefix="X")
    add_rows(tree["a"], n=1, prefix="F", phone="13933334444")
    body = client_for(specialist_a).get("/renewals/rows/").content.decode()
    assert body.count('class="list-group-item renewal-row') == 3
    assert "13911112222" in body and "139****4444" in body and "13933334444" not in body
    assert "X00002" not in body


def test_list_filters_and_bad_input(tree, specialist_a, client_for):
    rows = add_rows(tree["a"], n=3, assignee=specialist_a)
    record(specialist_a, rows[0], "renewed")
    client = client_for(specialist_a)
    body = client.get("/renewals/rows/?outcome=pending").content.decode()
    assert body.count('class="list-group-item renewal-row') == 2
    assert client.get("/renewals/rows/?month=2026-13").status_code == 400
    assert client.get("/renewals/rows/?outcome=nope").status_code == 400
    assert client.get(f"/renewals/rows/?center={tree['b'].pk}").status_code == 404


def test_no_role_is_403(tree, clerk_a, client_for):
    client = client_for(clerk_a)
    assert client.get("/renewals/rows/").status_code == 403
    assert client.get("/renewals/result/").status_code == 403
    assert client.get("/renewals/imports/").status_code == 403


def test_other_specialists_row_is_404(tree, specialist_a, specialist_a2, client_for):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a2)
    assert client_for(specialist_a).get(f"/renewals/rows/{row.pk}/").status_code == 404


def test_recording_from_the_list_and_bad_tier_400(tree, specialist_a, client_for):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a, tier="6.0")
    client = client_for(specialist_a)
    response = client.post(
        f"/renewals/rows/{row.pk}/",
        {"outcome": "upgraded", "new_tier": "8.2", "version": row.version, "next": "/renewals/rows/"},
    )
    assert response.status_code == 302 and response["Location"] == "/renewals/rows/"
    row.refresh_from_db()
    assert row.outcome == "upgraded"
    bad = client.post(f"/renewals/rows/{row.pk}/", {"outcome": "downgraded", "new_tier": "8.2"})
    assert bad.status_code == 400 and "降档续费的新产品须低于当前产品" in bad.content.decode()


def test_stale_form_is_409_naming_who_saved(tree, specialist_a, manager_a, client_for):
    (row,) = add_rows(tree["a"], n=1, assignee=specialist_a)
    seen = row.version
    record(manager_a, row, "refused")
    response = client_for(specialist_a).post(f"/renewals/rows/{row.pk}/", {"outcome": "renewed", "version": seen})
    assert response.status_code == 409 and "已由 甲经理 登记" in response.content.decode()


def test_claim_from_the_list(tree, specialist_a, client_for):
    (row,) = add_rows(tree["a"], n=1)
    response = client_for(specialist_a).post(f"/renewals/rows/{row.pk}/claim/")
    assert response.status_code == 302
    assert RenewalRow.objects.get(pk=row.pk).assignee_id == specialist_a.pk


@pytest.mark.clause("PTS-14")
def test_result_page_shows_rate_points_and_target(tree, specialist_a, manager_a, client_for):
    rows = add_rows(tree["a"], n=25, assignee=specialist_a)
    for row in rows[:17]:
        record(specialist_a, row, "renewed")
    body = client_for(manager_a).get("/renewals/result/?month=2026-11").content.decode()
    assert "68.0%" in body and ">80<" in body.replace(" ", "") and "未达标" in body
    mine = client_for(specialist_a).get("/renewals/result/?month=2026-11").content.decode()
    assert "68.0%" in mine and "result-total" not in mine


def test_list_page_query_count_does_not_grow(tree, specialist_a, manager_a, client_for, django_assert_max_num_queries):
    rows = add_rows(tree["a"], n=30, assignee=specialist_a)
    for row in rows[:10]:
        record(specialist_a, row, "renewed")
    client = client_for(manager_a)
    client.get("/renewals/rows/")  # warm the caches (session, grants)
    with django_assert_max_num_queries(20):
        response = client.get("/renewals/rows/")
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/renewals/result/").status_code == 200


def test_month_parameter_defaults_to_this_month(tree, specialist_a, client_for):
    add_rows(tree["a"], n=1, assignee=specialist_a, month=MONTH)
    assert "2026-11" in client_for(specialist_a).get("/renewals/rows/").content.decode()
