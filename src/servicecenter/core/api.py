"""API plumbing shared by every app: pagination and the one error format {code, message, fields, clause}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

_MESSAGES = {
    "not_authenticated": "请先登录",
    "authentication_failed": "身份验证失败",
    "permission_denied": "没有权限执行此操作",
    "not_found": "记录不存在或无权访问",
    "method_not_allowed": "不支持该请求方法",
    "parse_error": "请求格式错误",
    "throttled": "请求过于频繁，请稍后再试",
    "unsupported_media_type": "不支持的内容类型",
    "not_acceptable": "无法满足请求的格式",
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
            error_body(code="invalid", message="输入有误，请检查标出的字段", fields=fields),
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
        body = error_body(code="invalid", message="输入有误，请检查标出的字段", fields=_flatten(exc.detail))
    else:
        code = getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        message = _MESSAGES.get(code) or (str(detail) if not isinstance(detail, dict | list) else "请求失败")
        body = error_body(code=code, message=message)
    response.data = body
    return response
