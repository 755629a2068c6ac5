"""回访问卷 (C-10): the questionnaire in force for a center — its own version, else the nearest ancestor's, else the
built-in D02 set — with the center's version history, and an editor to publish a new version (services.
questionnaire_publish): the scripts (CB-08: {center}, {hotline}), the fee reminder (CB-07) and rows of questions
(code, label, type, what it measures, required, choices) added and removed in the page; each row's problem is shown
on the row. A published version is never changed: answers keep pointing at the version they were asked from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.policy.values import value

from .. import policies, selectors, services
from ..choices import Attitude, QuestionRole, QuestionType
from ..forms import QuestionnaireForm, question_rows_for_editor, question_rows_from_post
from .queue import form_errors, user_name

PAGE_SIZE = 20


def _organization(request: HttpRequest, organizations: list[Any], raw: Any) -> Any:
    if raw in (None, ""):
        centers = [o for o in organizations if o.is_center]
        return centers[0] if centers else organizations[0]
    chosen = next((o for o in organizations if str(o.pk) == str(raw)), None)
    if chosen is None:
        raise Http404("no such organization")
    return chosen


def _row_errors(exc: DomainError) -> dict[int, list[str]]:
    """ "questions.<n>" (1-based) → that row's messages."""
    out: dict[int, list[str]] = {}
    for key, msgs in exc.fields.items():
        head, _dot, tail = key.partition(".")
        if head == "questions" and tail.isdigit():
            out[int(tail)] = list(msgs)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_view(request: HttpRequest) -> HttpResponse:
    """The questionnaire in force, the version history, and the editor of the next version."""
    organizations = selectors.questionnaire_organizations(user=request.user)
    if not organizations:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    organization = _organization(request, organizations, (data or request.GET).get("organization"))
    in_force = services.questionnaire_for(organization)
    status = 200
    errors_by_row: dict[int, list[str]] = {}
    question_error = ""
    initial = {
        "organization": str(organization.pk),
        "name": in_force.name,
        "opening": in_force.opening,
        "closing": in_force.closing,
        "fee_reminder": in_force.fee_reminder,
    }
    form = QuestionnaireForm(data, initial=initial, organizations=organizations)
    rows = question_rows_for_editor(in_force.questions)
    if data is not None:
        posted = question_rows_from_post(data)
        rows = question_rows_for_editor(posted)
        status = 400
        if form.is_valid():
            try:
                created = services.questionnaire_publish(
                    actor=request.user,
                    organization=organization,
                    name=form.cleaned_data["name"],
                    opening=form.cleaned_data["opening"],
                    closing=form.cleaned_data["closing"],
                    fee_reminder=form.cleaned_data["fee_reminder"],
                    questions=posted,
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                errors_by_row = _row_errors(exc)
                if "questions" in exc.fields:
                    question_error = exc.message  # also above the rows: «第 2 个问题：…»
                other = {k: v for k, v in exc.fields.items() if not k.startswith("questions")}
                if other:
                    form_errors(form, DomainError(exc.message, fields=other))
                elif not errors_by_row and not question_error:
                    form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("已发布回访问卷 %(name)s 第 %(v)s 版，此后的回访按新版本提问")
                    % {"name": created.name, "v": created.version},
                )
                return redirect(reverse("callbacks:questionnaires") + f"?organization={organization.pk}")
    for index, row in enumerate(rows, start=1):
        row["errors"] = errors_by_row.get(index, [])
    versions = Paginator(selectors.questionnaire_versions(organization=organization), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for version in versions.object_list:
        version.created_by_name = user_name(version.created_by)
    hotline = value("callbacks.hotline_number", org=organization, at=timezone.now()).value
    if in_force.organization_id == organization.pk:
        origin = _("本单位自定的版本")
    elif in_force.organization_id is not None:
        origin = _("沿用上级单位（%(name)s）的版本") % {"name": in_force.organization.name}  # type: ignore[union-attr]
    else:
        origin = _("内置 D02 维修回访问卷（本单位及上级均未自定）")
    type_labels = {k: str(v) for k, v in QuestionType.choices}
    in_force_rows = question_rows_for_editor(in_force.questions)
    for row in in_force_rows:
        row["type_label"] = type_labels.get(row["type"], row["type"])
    context = {
        "organizations": organizations,
        "organization": organization,
        "in_force": in_force,
        "origin": origin,
        "in_force_questions": in_force_rows,
        "versions_query": f"organization={organization.pk}",
        "opening_preview": policies.render_script(in_force.opening, center=organization.name, hotline=hotline),
        "closing_preview": policies.render_script(in_force.closing, center=organization.name, hotline=hotline),
        "versions": versions,
        "form": form,
        "rows": rows,
        "question_error": question_error,
        "types": QuestionType.choices,
        "roles": QuestionRole.choices,
        "attitude_text": "、".join(str(label) for _v, label in Attitude.choices),
    }
    return render(request, "callbacks/questionnaire.html", context, status=status)
