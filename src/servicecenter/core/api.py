"""API plumbing shared by every app: pagination and the one error format {code, message, fields, clause}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

_MESSAGES = {
    "not_authenticated": gettext_lazy("请先登录"),
    "authentication_failed": gettext_lazy("身份验证失败"),
    "permission_denied": gettext_lazy("没有权限执行此操作"),
    "not_found": gettext_lazy("记录不存在或无权访问"),
    "method_not_allowed": gettext_lazy("不支持该请求方法"),
    "parse_error": gettext_lazy("请求格式错误"),
    "throttled": gettext_lazy("请求过于频繁，请稍后再试"),
    "unsupported_media_type": gettext_lazy("不支持的内容类型"),
    "not_acceptable": gettext_lazy("无法满足请求的格式"),
}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[key] = [str(v) for v in value]
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(d) for d in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(*, code: str, message: str, fields: dict | None = None, clause: str = "") -> dict:
    return {"code": code, "message": message, "fields": fields or {}, "clause": clause}


def exception_handler(exc, context):
    """Render every API error as {code, message, fields, clause} with a Chinese message."""
    if isinstance(exc, DomainError):
        return Response(
            error_body(code=exc.code, message=exc.message, fields=exc.fields, clause=exc.clause),
            status=exc.status_code,
        )
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            error_body(code="invalid", message=gettext("输入有误，请检查标出的字段"), fields=fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(code="invalid", message=gettext("输入有误，请检查标出的字段"), fields=_flatten(exc.detail))
    else:
        code = getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        message = str(_MESSAGES.get(code) or "") or (
            str(detail) if not isinstance(detail, dict | list) else gettext("请求失败")
        )
        body = error_body(code=code, message=message)
    response.data = body
    return response


def page_not_found(request, exception):
    """handler404: under /api/ a URL that matches no route answers in the error format, elsewhere the HTML page.

    An id that is not a number (/api/v1/approvals/requests/abc/) matches no route, so Django, not DRF, answers it.
    """
    from django.http import JsonResponse
    from django.views import defaults

    if request.path_info.startswith("/api/"):
        body = error_body(code="not_found", message=str(_MESSAGES["not_found"]))
        return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-12"})
class MonthField(serializers.DateField):
    """A calendar month in the API: `YYYY-MM` (the first day of the month inside)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m")
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("help_text", "YYYY-MM")
        super().__init__(**kwargs)


def bad_request(request, exception):
    """handler400: a page's `BadRequest("…")` (e.g. a malformed ?month=) answers 400 with its message — in the API
    error format under /api/, else on the site's page. Other suspicious requests (a bad Host header) get Django's
    bare page: rendering the site's layout would read the very header that was refused."""
    from django.core.exceptions import BadRequest
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.views import defaults

    if not isinstance(exception, BadRequest):
        return defaults.bad_request(request, exception)
    message = str(exception) or gettext("请求有误")
    if request.path_info.startswith("/api/"):
        body = error_body(code="invalid", message=message)
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"message": message}, status=400)


ERROR_SCHEMA = {
    "type": "object",
    "description": "统一错误格式 / the one error format of every 4xx answer",
    "properties": {
        "code": {
            "type": "string",
            "description": "invalid, not_authenticated, permission_denied, not_found, conflict…",
        },
        "message": {"type": "string", "description": "中文说明 / a Chinese message for people"},
        "fields": {
            "type": "object",
            "description": "字段 → 错误列表 / field name → its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "clause": {"type": "string", "description": "依据的制度条款编号（可为空）/ the requirement ID, may be empty"},
    },
    "required": ["code", "message", "fields", "clause"],
}
_ERROR_DESCRIPTIONS = {
    "400": "输入有误 / invalid input",
    "401": "请先登录 / not authenticated",
    "403": "未登录或没有权限 / not authenticated (session) or not permitted",
    "404": "记录不存在或无权访问 / not found or not visible to you",
    "409": "与当前状态冲突（已被他人处理）/ conflict with the current state",
    "415": "不支持的内容类型 / unsupported media type",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its 4xx answers with the `Error` schema.

    401/403/404 for every operation (all need a login; objects and organizations out of reach are 404; a page past
    the end is 404), 400 where the operation takes input, 409/415 where it changes state. An answer a view already
    declares keeps its description; a bare `object` schema becomes the `Error` reference.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["401", "403", "404"]
            has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method != "get":
                codes += ["400", "409", "415"]
            elif has_query:
                codes.append("400")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                answer = responses.setdefault(code, {"description": _ERROR_DESCRIPTIONS[code]})
                content = answer.setdefault("content", {}).setdefault("application/json", {})
                schema = content.get("schema") or {}
                if "$ref" not in schema and schema.get("type", "object") == "object" and not schema.get("properties"):
                    content["schema"] = ref  # a bare object (OpenApiTypes.OBJECT) is the error format
            operation["responses"] = dict(sorted(responses.items()))
    return result


# --- one endpoint per service transition (work orders, complaints, …) -------------------------------------------

ERROR_RESPONSE = OpenApiResponse(OpenApiTypes.OBJECT, description="{code, message, fields, clause}")
# The `Idempotency-Key` request header of every create endpoint (core.idempotency): documented once.
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "幂等键（1–255 个可见 ASCII 字符，如 UUID）：同一用户以同一键重发相同内容，返回首次的结果而不重复登记；"
        "同一键配不同内容返回 422。保留 24 小时。/ Idempotency key: a retry with the same key and body replays the "
        "first answer; the same key with another body is a 422. Kept 24 h."
    ),
)


def transition_view(
    name: str,
    summary: str,
    serializer: type[serializers.Serializer],
    call: Callable[[Any, Any, dict[str, Any]], Any],
    *,
    lookup: Callable[[Any, int], Any],
    answer: Callable[[Any, Any], dict[str, Any]],
    detail: type[serializers.Serializer],
    created: type[serializers.Serializer] | None = None,
    doc: str = "",
) -> type[APIView]:
    """An APIView whose POST finds the record with `lookup(user, pk)` (scoped: 404 outside the caller's reach),
    validates `serializer` and calls one service: `call(user, record, validated_data)`. It answers
    `answer(request, record)` — the record as `detail` (200) — or, with `created`, the new row the service returned
    (201: a note, an expense). Domain errors become 400/403/409 through the exception handler."""
    response = created or detail
    code = 201 if created else 200

    class _Api(APIView):
        @extend_schema(
            summary=summary,
            description=doc or None,
            request=serializer,
            responses={
                code: response,
                400: ERROR_RESPONSE,
                403: ERROR_RESPONSE,
                404: ERROR_RESPONSE,
                409: ERROR_RESPONSE,
            },
        )
        def post(self, request: Request, pk: int) -> Response:
            record = lookup(request.user, pk)
            data = serializer(data=request.data)
            data.is_valid(raise_exception=True)
            result = call(request.user, record, dict(data.validated_data))
            if created is not None:
                return Response(created(result).data, status=201)
            return Response(answer(request, record))

    _Api.__name__ = _Api.__qualname__ = name
    _Api.__doc__ = doc or summary
    return _Api
