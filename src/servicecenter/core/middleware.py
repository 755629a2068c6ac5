"""Request correlation id for logs and audit events."""

from __future__ import annotations

import contextvars
import logging
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectNullCharactersMiddleware:
    """Answer 400 to a query string or form field containing a NUL character.

    PostgreSQL cannot store or compare U+0000; without this, a crafted `?q=a%00b` reaching any filter is a 500.
    Form fields already refuse it (Django's ProhibitNullCharactersValidator); this covers everything read from
    `request.GET`/`request.POST` directly, in one place. JSON bodies are checked by the API serializers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        is_api = request.path.startswith("/api/")
        params = [request.GET]
        # API bodies are parsed (and refused field by field) by DRF; reading request.POST here would turn a
        # malformed body into Django's HTML 400 instead of the API's error format.
        if not is_api and request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                params.append(request.POST)
            except Exception:  # noqa: BLE001 - a malformed body is answered by the view's own parsing
                pass
        for query in params:
            if any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists()):
                message = "请求中含有无效的空字符（NUL），已拒绝"
                if is_api:
                    return JsonResponse({"code": "invalid", "message": message, "fields": {}, "clause": ""}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
