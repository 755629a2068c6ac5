"""One API error format {code, message, fields, clause}, Chinese messages (STYLE.md §2.10)."""

import pytest
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from servicecenter.core.errors import Conflict, ValidationFailed


class _Input(serializers.Serializer):
    days = serializers.IntegerField(min_value=1)


class _View(APIView):
    def post(self, request):
        mode = request.query_params.get("mode")
        if mode == "domain":
            raise ValidationFailed("请假天数超出上限", fields={"days": ["最多 3 天"]}, clause="LEV-05")
        if mode == "conflict":
            raise Conflict("该审批已由他人处理", clause="ORG-13")
        _Input(data=request.data).is_valid(raise_exception=True)
        return Response({"ok": True})


@pytest.fixture
def call(tree, manager_a):
    factory = APIRequestFactory()

    def do(mode="", data=None, auth=True):
        request = factory.post(f"/x/?mode={mode}", data or {}, format="json")
        if auth:
            force_authenticate(request, user=manager_a.user)
        return _View.as_view()(request)

    return do


def test_domain_error_carries_clause_and_fields(call):
    resp = call("domain")
    assert resp.status_code == 400
    assert resp.data == {
        "code": "invalid",
        "message": "请假天数超出上限",
        "fields": {"days": ["最多 3 天"]},
        "clause": "LEV-05",
    }


def test_conflict_is_409(call):
    resp = call("conflict")
    assert resp.status_code == 409 and resp.data["code"] == "conflict" and resp.data["clause"] == "ORG-13"


def test_serializer_errors_are_field_by_field_in_chinese(call):
    resp = call(data={"days": 0})
    assert resp.status_code == 400
    assert resp.data["code"] == "invalid"
    assert resp.data["message"] == "输入有误，请检查标出的字段"
    assert "days" in resp.data["fields"]
    assert any("1" in m for m in resp.data["fields"]["days"])


def test_unauthenticated_gets_chinese_message(call):
    resp = call(auth=False)
    assert resp.status_code in (401, 403)
    assert resp.data["message"] == "请先登录"
