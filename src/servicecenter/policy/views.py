"""Pages of the regulations and their parameters: access → parse → service → render (STYLE.md §2.9)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.core.htmx import HtmxHttpRequest

from . import selectors, services
from .forms import ParameterResetForm, ParameterValueForm
from .registry import ParameterSpec, get_spec
from .values import local_today


def _spec_or_404(key: str) -> ParameterSpec:
    try:
        return get_spec(key)
    except KeyError:
        raise Http404("undeclared parameter") from None


def _parse_day(text: str | None) -> tuple[date | None, str]:
    if not text:
        return None, ""
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return None, _("日期格式应为 YYYY-MM-DD")


def _posted_org(request: HtmxHttpRequest) -> str:
    # A change names its organization explicitly; never fall back to "my center" on a write.
    org = request.POST.get("organization", "")
    if not org:
        raise Http404("no organization given")
    return org


def _detail_url(key: str, scope: selectors.PolicyScope) -> str:
    return f"{reverse('policy:parameter_detail', kwargs={'key': key})}?org={scope.org_param}"


@require_GET
@login_required
def regulation_list_view(request: HtmxHttpRequest) -> HttpResponse:
    """My center's regulations with their clauses and, under each clause, the parameters in force today."""
    scope = selectors.policy_scope_for(user=request.user, org=request.GET.get("org"))
    page = selectors.regulation_page(scope=scope)
    context = {
        "scope": scope,
        "page": page,
        "switcher": selectors.switcher_organizations(user=request.user, current=scope.organization),
        "can_set": selectors.can_set_parameters(user=request.user, scope=scope),
    }
    return render(request, "policy/regulation_list.html", context)


@require_GET
@login_required
def regulation_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One regulation: its clauses with the parameters in force, and the history of its text."""
    regulation = selectors.access_regulation(user=request.user, pk=pk)
    org = request.GET.get("org")
    if org is None and regulation.organization_id is not None:
        org = str(regulation.organization_id)
    scope = selectors.policy_scope_for(user=request.user, org=org)
    context = {
        "regulation": regulation,
        "scope": scope,
        "clauses": selectors.regulation_clause_views(regulation=regulation, scope=scope),
        "history": selectors.regulation_history(regulation=regulation),
    }
    return render(request, "policy/regulation_detail.html", context)


def _detail_context(
    request: HtmxHttpRequest,
    *,
    spec: ParameterSpec,
    scope: selectors.PolicyScope,
    at: date | None = None,
    at_error: str = "",
    form: ParameterValueForm | None = None,
    reset_form: ParameterResetForm | None = None,
) -> dict[str, Any]:
    detail = selectors.parameter_detail(spec=spec, scope=scope, at=at)
    can_set = selectors.can_set_parameters(user=request.user, scope=scope)
    if can_set and form is None:
        form = ParameterValueForm(
            spec=spec,
            today=detail.today,
            current=detail.now_value.value,
            initial={"organization": scope.org_param},
        )
    if can_set and reset_form is None and detail.own_override is not None:
        reset_form = ParameterResetForm(today=detail.today, initial={"organization": scope.org_param})
    return {
        "spec": spec,
        "default_display": spec.display(spec.default),
        "scope": scope,
        "detail": detail,
        "at_error": at_error,
        "can_set": can_set,
        "form": form,
        "reset_form": reset_form,
        "switcher": selectors.switcher_organizations(user=request.user, current=scope.organization),
    }


@require_GET
@login_required
def parameter_detail_view(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """A parameter for one organization: spec, value today and on ?at=, history, audit and the change form."""
    spec = _spec_or_404(key)
    scope = selectors.policy_scope_for(user=request.user, org=request.GET.get("org"))
    at, at_error = _parse_day(request.GET.get("at"))
    return render(
        request,
        "policy/parameter_detail.html",
        _detail_context(request, spec=spec, scope=scope, at=at, at_error=at_error),
    )


def _rerender(
    request: HtmxHttpRequest,
    *,
    spec: ParameterSpec,
    scope: selectors.PolicyScope,
    form: ParameterValueForm | None = None,
    reset_form: ParameterResetForm | None = None,
) -> HttpResponse:
    context = _detail_context(request, spec=spec, scope=scope, form=form, reset_form=reset_form)
    if request.htmx:
        template = "policy/_partials/reset_form.html" if reset_form is not None and form is None else None
        return render(request, template or "policy/_partials/parameter_form.html", context)
    return render(request, "policy/parameter_detail.html", context)


def _done(request: HtmxHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _apply_domain_error(form: Any, exc: DomainError) -> None:
    placed = False
    for name, msgs in exc.fields.items():
        if name in form.fields:
            for msg in msgs:
                form.add_error(name, msg)
            placed = True
    if not placed or exc.message:
        form.add_error(None, f"{exc.message}" + (f"（{exc.clause}）" if exc.clause else ""))


@require_POST
@login_required
def parameter_set_view(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """Set a value from a date on; field errors re-render the form (200), success goes back to the detail page."""
    spec = _spec_or_404(key)
    scope = selectors.policy_scope_for(user=request.user, org=_posted_org(request))
    today = local_today(scope.organization)
    form = ParameterValueForm(request.POST, spec=spec, today=today)
    if form.is_valid():
        try:
            services.parameter_set(
                actor=request.user,
                key=key,
                organization=scope.organization,
                value=form.cleaned_data["value"],
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已保存：%(label)s 自 %(day)s 起生效。")
                % {
                    "label": spec.label,
                    "day": form.cleaned_data["effective_from"].isoformat(),
                },
            )
            return _done(request, _detail_url(key, scope))
    return _rerender(request, spec=spec, scope=scope, form=form)


@require_POST
@login_required
def parameter_reset_view(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """Withdraw the organization's own value (恢复继承) from a date on."""
    spec = _spec_or_404(key)
    scope = selectors.policy_scope_for(user=request.user, org=_posted_org(request))
    today = local_today(scope.organization)
    form = ParameterResetForm(request.POST, today=today)
    if form.is_valid():
        try:
            services.parameter_reset(
                actor=request.user,
                key=key,
                organization=scope.organization,
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已恢复继承：%(label)s 自 %(day)s 起沿用上级或默认值。")
                % {
                    "label": spec.label,
                    "day": form.cleaned_data["effective_from"].isoformat(),
                },
            )
            return _done(request, _detail_url(key, scope))
    return _rerender(request, spec=spec, scope=scope, reset_form=form)
