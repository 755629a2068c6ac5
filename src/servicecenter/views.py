"""Project-level pages that combine several apps (the top of the dependency order)."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """My center, my roles, approvals waiting for me, my latest notifications — bounded queries."""
    from servicecenter.approvals.selectors import steps_awaiting
    from servicecenter.notifications.selectors import notification_list_for
    from servicecenter.org.selectors import roles_of

    user = request.user
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    awaiting = steps_awaiting(user=user)
    context = {
        "staff": staff,
        "center": staff.organization.service_center() if staff else None,
        "assignments": roles_of(user=user),
        "awaiting": awaiting[:10],
        "awaiting_count": awaiting.count(),
        "notifications": notification_list_for(user=user, unread_only=True)[:8],
    }
    return render(request, "home.html", context)


# --- API reference page (/api/docs/) ------------------------------------------------------------------------------
# Rendered on the server from the OpenAPI schema, with the site's own static files: the intranet has no CDN, and
# drf-spectacular's Swagger UI / ReDoc views load their JavaScript from one (docs/api.md).

API_GROUPS = {
    "org": _("组织与人员"),
    "policy": _("制度与参数"),
    "approvals": _("审批"),
    "notifications": _("通知"),
    "calendar": _("营业日历"),
}
_METHOD_STYLE = {"get": "primary", "post": "success", "put": "warning", "patch": "warning", "delete": "danger"}


def _schema_type(schema: dict, components: dict) -> str:
    """A short readable type: `integer`, `string (date)`, `Organization`, `Staff[]`, or a choice's values."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        choices = components.get(name, {}).get("enum")
        return " | ".join(str(v) if v != "" else '""' for v in choices if v is not None) if choices else name
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            return " | ".join(dict.fromkeys(_schema_type(s, components) for s in schema[key]))
    if schema.get("type") == "array":
        return f"{_schema_type(schema.get('items', {}), components)}[]"
    text = schema.get("type", "object")
    if "format" in schema:
        text += f" ({schema['format']})"
    return text


def _fields(schema: dict, components: dict) -> list[dict]:
    """The properties of a (referenced) object schema, writable ones only, required first."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    rows = [
        {
            "name": name,
            "type": _schema_type(prop, components),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
        if not prop.get("readOnly")
    ]
    return sorted(rows, key=lambda row: not row["required"])


@lru_cache(maxsize=4)
def _api_reference(language: str) -> dict:
    """The operations of /api/v1/ grouped by app, from the same generator as /api/schema/ (cached per language)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict]] = {code: [] for code in API_GROUPS}
    for path, item in schema["paths"].items():
        code = path.removeprefix("/api/v1/").split("/", 1)[0]
        for method, operation in item.items():
            if method not in _METHOD_STYLE:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            body_schema = body.get("application/json", {}).get("schema")
            groups.setdefault(code, []).append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "style": _METHOD_STYLE[method],
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_type(p.get("schema", {}), components),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _fields(body_schema, components) if body_schema else None,
                    "body_types": list(body),
                    "responses": [
                        {
                            "code": status,
                            "description": answer.get("description", ""),
                            "type": _schema_type(answer["content"]["application/json"]["schema"], components)
                            if "application/json" in answer.get("content", {})
                            else "",
                        }
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "groups": [
            {"code": code, "label": API_GROUPS.get(code, code), "operations": operations}
            for code, operations in groups.items()
            if operations
        ],
    }


def api_docs_view(request: HttpRequest) -> HttpResponse:
    """API 文档: every operation of /api/v1/ with its parameters, body and answers; public like /api/schema/."""
    context = _api_reference(get_language() or "zh-hans")
    return render(request, "api_docs.html", context)
