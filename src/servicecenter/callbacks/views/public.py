"""The customer's survey page (CB-14, 好差评) at `/callbacks/s/<token>/`: no login, mobile first.

It shows the center, the service (order number, date, kind) — never a staff name or phone number, nor an address —
and asks the rating (five big buttons), the reason tags of the chosen level (switched live by a few lines of script;
without script both groups show and the server checks them), «问题解决了吗？» and a comment. The form is CSRF
protected; the answer goes through surveys.survey_answer (locked, single use). A used link answers «已提交过» (200),
an expired one «链接已过期» with the hotline (410), a tampered or unknown one «链接无效» (404; failed look-ups are
limited per address: 429 past MISS_LIMIT). A link is the signed token of the text message, or the short code of a
printed list (surveys.short_path). The first GET marks
the invitation opened. Responses are not cached and send no referrer to other sites (the token is in the URL;
"same-origin", not "no-referrer": a form posted under no-referrer carries `Origin: null`, which CSRF refuses).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from servicecenter.core.errors import ValidationFailed
from servicecenter.core.ratelimit import client_ip, over_limit
from servicecenter.policy.values import value, zone_of

from .. import surveys
from ..choices import BAD_TAGS, GOOD_TAGS, RatingLevel
from ..models import SurveyInvitation

THANKS_KEY = "cb_survey_thanks"
LEVELS = sorted(RatingLevel.choices, reverse=True)
# Failed look-ups (tampered, unknown or ambiguous links) per IP address: (count, seconds). Past it the page answers
# 429 for the rest of the window — guessing a 64-bit short code is hopeless anyway; this keeps scanners off.
MISS_LIMIT: tuple[int, int] = getattr(settings, "CALLBACKS_SURVEY_MISS_LIMIT", (20, 600))
MISS_KEY = "cb-survey-miss"


def _blocked(request: HttpRequest) -> bool:
    """Has this address used up its failed look-ups? (Reads the counter core.ratelimit.over_limit keeps.)"""
    return int(cache.get(f"{MISS_KEY}:{client_ip(request)}") or 0) >= MISS_LIMIT[0]


def _count_miss(request: HttpRequest) -> None:
    over_limit(request, MISS_KEY, MISS_LIMIT)


def _respond(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _hotline(invitation: SurveyInvitation | None) -> str:
    if invitation is None:
        return ""
    return str(value("callbacks.hotline_number", org=invitation.organization).value or "")


def _service(invitation: SurveyInvitation) -> dict[str, Any]:
    """What the customer may see of the service: center, order number, date of the service, kind. Nothing else."""
    order = invitation.order
    zone = zone_of(invitation.organization)
    done_at = order.returned_at if order is not None else None
    return {
        "center": invitation.organization.name,
        "number": order.number if order is not None else "",
        "date": timezone.localtime(done_at, zone).date() if done_at else None,
        "kind": order.get_kind_display() if order is not None else "",
    }


def _problem(request: HttpRequest, problem: str, invitation: SurveyInvitation | None) -> HttpResponse:
    context: dict[str, Any] = {"problem": problem, "hotline": _hotline(invitation)}
    if invitation is not None:
        context["service"] = _service(invitation)
    if problem == "used" and invitation is not None:
        thanks = request.session.pop(THANKS_KEY, None)
        if isinstance(thanks, dict) and thanks.get("pk") == invitation.pk:
            context["problem"] = "thanks"
            context["bad"] = bool(thanks.get("bad"))
        return _respond(request, "callbacks/public_status.html", context, 200)
    if problem == "expired":
        return _respond(request, "callbacks/public_status.html", context, 410)
    _count_miss(request)
    return _respond(request, "callbacks/public_status.html", {"problem": "invalid"}, 404)


@require_http_methods(["GET", "POST"])
def survey_public_view(request: HttpRequest, token: str) -> HttpResponse:
    if _blocked(request):
        limited = {"problem": "limited", "minutes": MISS_LIMIT[1] // 60}
        return _respond(request, "callbacks/public_status.html", limited, 429)
    now = timezone.now()
    opened = surveys.open_link(token, now=now)
    invitation = opened.invitation
    if invitation is None:
        return _problem(request, "invalid", None)
    if opened.problem:
        return _problem(request, opened.problem, invitation)
    data: dict[str, Any] = {"level": "", "tags": [], "solved": "", "comment": ""}
    context: dict[str, Any] = {
        "service": _service(invitation),
        "hotline": _hotline(invitation),
        "levels": LEVELS,
        "good_tags": [(code, _(label)) for code, label in GOOD_TAGS.items()],
        "bad_tags": [(code, _(label)) for code, label in BAD_TAGS.items()],
        "data": data,
        "errors": {},
    }
    if request.method == "GET":
        if invitation.opened_at is None:
            surveys.survey_mark_opened(invitation, now=now)
        return _respond(request, "callbacks/public_survey.html", context)
    data.update(
        level=request.POST.get("level", "")[:2],
        tags=[t[:40] for t in request.POST.getlist("tags")[:20]],
        solved=request.POST.get("solved", "")[:5],
        comment=request.POST.get("comment", "")[:5000],
    )
    try:
        result = surveys.survey_answer(
            token, level=data["level"], tags=data["tags"], solved=data["solved"], comment=data["comment"], now=now
        )
    except surveys.SurveyAlreadyAnswered:
        return _problem(request, "used", invitation)
    except surveys.SurveyLinkExpired:
        return _problem(request, "expired", invitation)
    except surveys.SurveyLinkInvalid:
        return _problem(request, "invalid", None)
    except ValidationFailed as exc:
        context["errors"] = exc.fields
        context["error_message"] = exc.message
        return _respond(request, "callbacks/public_survey.html", context, 400)
    request.session[THANKS_KEY] = {"pk": result.invitation.pk, "bad": result.bad}
    return redirect(request.path)
