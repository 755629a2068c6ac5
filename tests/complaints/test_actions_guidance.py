"""The improvement-action pages (CMP-02: raised on a closed complaint, the register per period with its counts, done
and dropped) and the guidance pages (CMP-05 / CON-12: list, article, new version, history)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from servicecenter.complaints import services
from servicecenter.complaints.models import GuidanceArticle, ImprovementAction
from tests import factories

from .conftest import SH

pytestmark = pytest.mark.django_db

ACTIONS = reverse("complaints:actions")
GUIDANCE = reverse("complaints:guidance")


def _closed(make_complaint, handler, **overrides):
    case = make_complaint(**overrides)
    services.complaint_acknowledge(actor=handler.user, complaint_id=case.pk)
    services.complaint_resolve(actor=handler.user, complaint_id=case.pk, response="已处理")
    services.complaint_record_feedback(actor=handler.user, complaint_id=case.pk, feedback="satisfied")
    return services.complaint_close(actor=handler.user, complaint_id=case.pk)


@pytest.mark.clause("CMP-02")
def test_an_action_is_raised_on_the_closed_case_page(client_for, make_complaint, handler_a, worker_a):
    case = _closed(make_complaint, handler_a)
    client = client_for(handler_a)
    page = client.get(reverse("complaints:detail", args=[case.pk])).content.decode()
    assert reverse("complaints:action_create", args=[case.pk]) in page and worker_a.name in page
    response = client.post(
        reverse("complaints:action_create", args=[case.pk]),
        {"title": "维修人员文明用语培训", "description": "", "owner": worker_a.user.pk, "due_date": "2026-12-15"},
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert action.complaint == case and action.owner == worker_a.user
    # a bad due date: 400 on the case page with the message, nothing more saved
    response = client.post(
        reverse("complaints:action_create", args=[case.pk]),
        {"title": "x", "description": "", "owner": worker_a.user.pk, "due_date": "2026-11-01"},
    )
    assert response.status_code == 400 and "完成期限不能早于今天" in response.content.decode()
    assert ImprovementAction.objects.count() == 1


def test_no_action_on_an_open_case(client_for, make_complaint, handler_a, worker_a):
    case = make_complaint()
    response = client_for(handler_a).post(
        reverse("complaints:action_create", args=[case.pk]),
        {"title": "x", "description": "", "owner": worker_a.user.pk, "due_date": "2026-12-15"},
    )
    assert response.status_code == 409 and "结案后才能提出改进措施" in response.content.decode()


@pytest.mark.clause("CMP-02")
def test_the_register_of_actions_per_period_with_counts(
    client_for, make_complaint, handler_a, worker_a, django_assert_max_num_queries
):
    # given three actions in December (one done, one dropped, one open past due) and one in January
    case = _closed(make_complaint, handler_a)

    def raise_action(title, due):
        return services.action_create(
            actor=handler_a.user, complaint_id=case.pk, title=title, owner_id=worker_a.user.pk, due_date=due
        )

    done = raise_action("已完成的措施", "2026-12-10")
    services.action_complete(actor=worker_a.user, action_id=done.pk, result="完成")
    dropped = raise_action("撤销的措施", "2026-12-10")
    services.action_drop(actor=handler_a.user, action_id=dropped.pk, reason="重复")
    raise_action("逾期的措施", "2026-12-05")
    with time_machine.travel(datetime(2027, 1, 5, 10, 0, tzinfo=SH), tick=False):
        raise_action("一月的措施", "2027-01-20")
    client = client_for(handler_a)
    # when (on 2026-12-08 the open December action is past due)
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SH), tick=True):
        client.get(ACTIONS, {"period": "2026-12"})
        with django_assert_max_num_queries(14):
            response = client.get(ACTIONS, {"period": "2026-12"})
    body = response.content.decode()
    # then
    assert response.status_code == 200
    assert response.context["report"] == {
        "raised": 3,
        "done": 1,
        "dropped": 1,
        "open": 1,
        "overdue": 1,
        "closed_complaints": 1,
    }
    assert "逾期的措施" in body and "一月的措施" not in body
    quarter = client.get(ACTIONS, {"period": "2027-Q1"})
    assert [a.title for a in quarter.context["page"].object_list] == ["一月的措施"]
    assert client.get(ACTIONS, {"period": "2026-13"}).status_code == 400


def test_the_owner_finishes_the_action_on_the_page(client_for, make_complaint, handler_a, worker_a):
    case = _closed(make_complaint, handler_a)
    action = services.action_create(
        actor=handler_a.user, complaint_id=case.pk, title="配件随车", owner_id=worker_a.user.pk, due_date="2026-12-15"
    )
    client = client_for(worker_a)  # a serviceman: no register permission, sees his own actions
    page = client.get(ACTIONS)
    assert page.status_code == 200 and "配件随车" in page.content.decode() and page.context["mine"]
    assert reverse("complaints:action_drop", args=[action.pk]) not in page.content.decode()
    response = client.post(reverse("complaints:action_done", args=[action.pk]), {"result": "已备齐"})
    assert response.status_code == 302
    assert ImprovementAction.objects.get(pk=action.pk).status == "done"
    # an empty result is refused with a message
    response = client.post(reverse("complaints:action_done", args=[action.pk]), {"result": ""}, follow=True)
    assert "请填写完成情况" in response.content.decode()
    # dropping is a handler's decision
    assert client.post(reverse("complaints:action_drop", args=[action.pk]), {"result": "x"}).status_code == 403


def test_someone_without_actions_or_register_gets_403(client_for, tree):
    nobody = factories.make_staff(tree["a"], "service_staff", name="无措施")
    assert client_for(nobody).get(ACTIONS).status_code == 403


# --- guidance ---------------------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.clause("CMP-05", "CON-12")
def test_everyone_reads_the_guidance_and_banned_language_is_marked(client_for, worker_a):
    client = client_for(worker_a)  # BASE role permissions include complaints.view_guidancearticle
    response = client.get(GUIDANCE)
    body = response.content.decode()
    assert response.status_code == 200 and "文明用语与禁用语" in body and 'id="btn-new-guidance"' not in body
    article = GuidanceArticle.objects.get(title="文明用语与禁用语", is_current=True)
    body = client.get(reverse("complaints:guidance_detail", args=[article.pk])).content.decode()
    assert 'class="text-danger mb-1 phrase-dont"' in body and "不归我们管" in body
    assert 'class="text-success mb-1 phrase-do"' in body
    assert 'id="btn-edit-guidance"' not in body
    # filter by category
    only_merchant = client.get(GUIDANCE, {"tag": "merchant"})
    titles = [a.title for a in only_merchant.context["page"].object_list]
    assert titles == ["商户投诉的处理与赔偿"]


@pytest.mark.clause("CMP-05")
def test_a_manager_writes_a_center_article_and_edits_it_as_a_new_version(client_for, tree, manager_a, manager_b):
    client = client_for(manager_a)
    form = client.get(reverse("complaints:guidance_create"))
    scopes = dict(form.context["form"].fields["organization"].choices)
    assert str(tree["a"].pk) in scopes and "company" not in scopes  # a center manager: only his center
    response = client.post(
        reverse("complaints:guidance_create"),
        {
            "title": "本中心：夜间投诉接待",
            "body": "✔ 您好\n✘ 下班了",
            "tags": ["general"],
            "organization": tree["a"].pk,
        },
    )
    first = GuidanceArticle.objects.get(title="本中心：夜间投诉接待")
    assert response.status_code == 302 and first.organization == tree["a"]
    response = client.post(
        reverse("complaints:guidance_edit", args=[first.pk]),
        {"title": "本中心：夜间投诉接待", "body": "✔ 您好，夜班为您服务", "tags": ["general", "attitude"]},
    )
    second = GuidanceArticle.objects.get(title="本中心：夜间投诉接待", is_current=True)
    assert second.version == 2 and second.supersedes == first and response["Location"].endswith(f"/{second.pk}/")
    page = client.get(reverse("complaints:guidance_detail", args=[second.pk])).content.decode()
    assert 'id="guidance-versions"' in page
    old = client.get(reverse("complaints:guidance_detail", args=[first.pk])).content.decode()
    assert 'id="old-version"' in old and 'id="btn-edit-guidance"' not in old
    # editing the old version: refused (a newer one exists) — the edit page is not offered
    assert client.get(reverse("complaints:guidance_edit", args=[first.pk])).status_code == 200
    conflict = client.post(
        reverse("complaints:guidance_edit", args=[first.pk]), {"title": "x", "body": "y", "tags": ["general"]}
    )
    assert conflict.status_code == 409 and 'id="guidance-error"' in conflict.content.decode()
    # another center's manager neither sees nor edits it; company-wide articles he may read but not edit
    other = client_for(manager_b)
    assert other.get(reverse("complaints:guidance_detail", args=[second.pk])).status_code == 404
    company = GuidanceArticle.objects.filter(organization__isnull=True, is_current=True).first()
    assert other.get(reverse("complaints:guidance_edit", args=[company.pk])).status_code == 403
    # bad input: 400, nothing saved
    bad = client.post(reverse("complaints:guidance_create"), {"title": "", "body": "", "organization": tree["a"].pk})
    assert bad.status_code == 400
    assert GuidanceArticle.objects.filter(organization=tree["a"]).count() == 2


def test_guidance_list_query_count(client_for, worker_a, django_assert_max_num_queries):
    client = client_for(worker_a)
    client.get(GUIDANCE)
    with django_assert_max_num_queries(10):
        assert client.get(GUIDANCE).status_code == 200


def test_no_role_no_guidance(client_for, tree):
    nobody = factories.make_staff(tree["a"], name="无角色")
    assert client_for(nobody).get(GUIDANCE).status_code == 403
