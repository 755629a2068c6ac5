"""回访问卷 (C-10): the questionnaire in force (own, inherited from the nearest ancestor, or the built-in D02 set),
the version history, and the editor that publishes a new version — per-row errors, nothing saved on bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicecenter.callbacks import services
from servicecenter.callbacks.models import Questionnaire
from servicecenter.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

URL = "/callbacks/questionnaires/"
D02_ROWS = [
    ("a", "问题解决了吗？", "yes_no", "solved", "1", "", "", ""),
    ("b", "维修工态度如何？", "choice", "attitude", "1", "满意、一般、不满意", "", ""),
    ("c", "跟您收费了吗？", "yes_no", "charged", "1", "", "", ""),
    ("d", "请您为我们的服务打分", "score", "score", "1", "", "", ""),
    ("e", "您对我们的服务还有什么建议或意见吗？", "text", "suggestion", "0", "", "", ""),
]
FIELDS = ("code", "label", "type", "role", "required", "choices", "min", "max")


def _post_data(center, rows, **extra):
    data = {
        "organization": center.pk,
        "name": "本站回访",
        "opening": "您好，这里是{center}",
        "closing": "热线{hotline}",
    }
    data.update(extra)
    for index, name in enumerate(FIELDS):
        data[f"q_{name}"] = [row[index] for row in rows]
    data["q_clause"] = ["" for _row in rows]
    return data


@pytest.mark.clause("C-10")
def test_page_shows_the_built_in_set_in_force_and_prefills_the_editor(tree, manager_a, client):
    client.force_login(manager_a.user)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "内置 D02 维修回访问卷" in body and 'id="versions-empty"' in body
    assert [r["code"] for r in response.context["rows"]] == ["a", "b", "c", "d", "e"]
    assert body.count('class="question-row') == 6  # five rows and the template the «添加问题» button clones
    assert f"您好，我们是{tree['a'].name}" in body  # the opening as the customer hears it


@pytest.mark.clause("C-10")
def test_publish_a_new_version_with_an_added_question(tree, manager_a, client):
    client.force_login(manager_a.user)
    rows = [*D02_ROWS, ("f", "您是怎么知道我们热线的？", "choice", "other", "0", "电话簿、邻居、网上", "", "")]
    response = client.post(URL, _post_data(tree["a"], rows))
    assert response.status_code == 302
    own = Questionnaire.objects.get(organization=tree["a"])
    assert own.version == 1 and own.is_current and own.created_by == manager_a.user
    assert own.questions[5] == {
        "code": "f",
        "type": "choice",
        "role": "other",
        "label": "您是怎么知道我们热线的？",
        "required": False,
        "choices": ["电话簿", "邻居", "网上"],
    }
    assert own.questions[1]["choices"] == ["satisfied", "average", "dissatisfied"]  # CB-03's three levels
    assert services.questionnaire_for(tree["a"]) == own
    body = client.get(URL).content.decode()
    assert "本单位自定的版本" in body and 'data-version="1"' in body and "现行" in body
    # a second version keeps the first in the history
    client.post(URL, _post_data(tree["a"], rows[:4], name="精简版"))
    versions = list(Questionnaire.objects.filter(organization=tree["a"]).order_by("version"))
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    body = client.get(URL).content.decode()
    assert 'data-version="2"' in body and 'data-version="1"' in body


@pytest.mark.clause("C-10")
def test_bad_rows_are_reported_on_their_rows_and_nothing_is_saved(tree, manager_a, client):
    client.force_login(manager_a.user)
    rows = [
        D02_ROWS[0],
        ("a", "重复代码", "yes_no", "other", "1", "", "", ""),
        ("b", "态度", "yes_no", "attitude", "1", "", "", ""),
        ("d", "打分", "score", "score", "1", "", "10", "1"),
        ("g", "单选无选项", "choice", "other", "1", "", "", ""),
    ]
    response = client.post(URL, _post_data(tree["a"], rows))
    assert response.status_code == 400
    errors = [r["errors"] for r in response.context["rows"]]
    assert errors[0] == []
    assert errors[1] == ["问题代码为空或重复"]
    assert errors[2] == ["“服务态度”须用题型“单选”"]
    assert errors[3] == ["评分范围须为整数，且最低分小于最高分"]
    assert errors[4] == ["单选题须有选项"]
    body = response.content.decode()
    assert body.count("row-error") == 4 and 'value="重复代码"' in body  # the rows stay as typed
    assert not Questionnaire.objects.filter(organization=tree["a"]).exists()
    response = client.post(URL, _post_data(tree["a"], D02_ROWS, name="  ", opening=""))
    assert response.status_code == 400 and not Questionnaire.objects.filter(organization=tree["a"]).exists()
    assert response.context["form"].errors.keys() >= {"name", "opening"}
    response = client.post(URL, _post_data(tree["a"], []))
    assert response.status_code == 400 and "问卷至少要有一个问题" in response.content.decode()


def test_clean_questions_reports_every_row():
    with pytest.raises(ValidationFailed) as caught:
        services.clean_questions(
            [
                {"code": "a", "type": "yes_no", "role": "solved", "label": "x"},
                {"code": "", "type": "yes_no", "label": "y"},
                {"code": "c", "type": "score", "role": "solved", "label": "z"},
                "not a row",
            ]
        )
    fields = caught.value.fields
    assert fields["questions"] == ["问题代码为空或重复"]
    assert set(fields) == {"questions", "questions.2", "questions.3", "questions.4"}
    assert caught.value.message == "第 2 个问题：问题代码为空或重复"


@pytest.mark.clause("C-10")
def test_a_center_without_its_own_uses_the_nearest_ancestors_version(tree, gm, manager_a, client):
    client.force_login(gm.user)
    response = client.post(URL, _post_data(tree["ops"], D02_ROWS, name="营维中心统一问卷"))
    assert response.status_code == 302
    assert services.questionnaire_for(tree["a"]).name == "营维中心统一问卷"
    client.force_login(manager_a.user)
    body = client.get(URL).content.decode()
    assert "沿用上级单位" in body and tree["ops"].name in body
    # the center's own version wins over the ancestor's (nearest first)
    client.post(URL, _post_data(tree["a"], D02_ROWS[:2], name="本站问卷"))
    assert services.questionnaire_for(tree["a"]).name == "本站问卷"
    assert services.questionnaire_for(tree["b"]).name == "营维中心统一问卷"


def test_questionnaires_are_for_managers_in_their_scope(tree, clerk_a, manager_b, client):
    client.force_login(clerk_a.user)
    assert client.get(URL).status_code == 403
    client.force_login(manager_b.user)
    assert client.get(URL, {"organization": tree["a"].pk}).status_code == 404
    assert client.post(URL, _post_data(tree["a"], D02_ROWS)).status_code == 404
    assert not Questionnaire.objects.filter(organization=tree["a"]).exists()


def test_page_query_count_is_bounded(tree, manager_a, client):
    client.force_login(manager_a.user)
    client.get(URL)
    for n in range(3):
        client.post(URL, _post_data(tree["a"], D02_ROWS, name=f"版本{n}"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    assert len(ctx) <= 14, len(ctx)
