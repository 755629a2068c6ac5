"""Pay pages (/pay/): sheets per center, sheet detail (printable A4, each line's "why"), the month's inputs
(bulk edit), formulas with a "try it" preview, the coefficient table upload and the deductions list.
Reads through `pay.selectors` (scoped), writes through `pay.services`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter.core.access import has_permission_anywhere, has_permission_in
from servicecenter.core.errors import DomainError, ValidationFailed
from servicecenter.core.months import parse_month
from servicecenter.org.models import Organization
from servicecenter.points import policies as points_policies
from servicecenter.points import selectors as points_selectors
from servicecenter.policy.values import local_today

from . import exports, policies, selectors, services
from . import formula as fx

PAGE_SIZE = 30
SIGN_SALT = "pay.coefficients"


def _month(request: HttpRequest, center: Any) -> Any:
    default = points_policies.previous_month(local_today(center))
    try:
        return selectors.month_param(request.GET.get("month") or request.POST.get("month"), default)
    except ValidationFailed as exc:
        raise BadRequest(exc.message) from None


def _need(request: HttpRequest, permission: str) -> None:
    if not has_permission_anywhere(user=request.user, permission=permission):
        raise PermissionDenied


def _error(exc: DomainError) -> None:
    if exc.status_code == 403:
        raise PermissionDenied(exc.message) from None


@login_required
@require_GET
def sheet_list_view(request: HttpRequest) -> HttpResponse:
    """工资表 (FIN-19): the sheets of a center, newest month and version first; compute form for the clerk."""
    _need(request, selectors.VIEW)
    center = selectors.pick_center(user=request.user, raw=request.GET.get("center"))
    month = _month(request, center)
    page = Paginator(selectors.sheets(user=request.user, organization=center), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "center": center,
        "centers": selectors.centers_for(user=request.user),
        "month": month,
        "page": page,
        "can_manage": has_permission_in(user=request.user, permission=selectors.MANAGE, organization=center),
        "query": f"center={center.pk}&",
    }
    return render(request, "pay/sheet_list.html", context)


@login_required
@require_POST
def compute_view(request: HttpRequest) -> HttpResponse:
    """Compute or recompute a center's sheet (pay.manage_payroll)."""
    center = selectors.access_center(user=request.user, pk=request.POST.get("center"), permission=selectors.MANAGE)
    month = _month(request, center)
    try:
        result = services.payroll_compute(actor=request.user, organization=center, month=month)
    except DomainError as exc:
        _error(exc)
        messages.error(request, exc.message)
        return redirect(f"{reverse('pay:sheets')}?center={center.pk}")
    if result.created:
        messages.success(request, _("已生成工资表第 %(v)s 版") % {"v": result.sheet.version})
    else:
        messages.info(request, _("输入未变化，工资表无变化（仍为第 %(v)s 版）") % {"v": result.sheet.version})
    return redirect("pay:sheet", pk=result.sheet.pk)


@login_required
@require_GET
def sheet_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One sheet: lines with their "why" (inputs, formulas, clauses), error lines excluded from the total, the
    points lock state and after-lock reversals (PTS-09)."""
    sheet = selectors.access_sheet(user=request.user, pk=pk)
    lines = list(sheet.lines.all())
    reversals = list(points_selectors.after_lock_reversals(organization=sheet.organization, month=sheet.month))
    close = points_selectors.month_close(organization=sheet.organization, month=sheet.month)
    latest = selectors.latest_sheet(organization=sheet.organization, month=sheet.month)
    table = sheet.coefficient_table
    context = {
        "sheet": sheet,
        "lines": lines,
        "error_lines": [line for line in lines if line.error],
        "totals": services.sheet_totals(sheet),
        "reversals": reversals,
        "close": close,
        "latest": latest,
        "table": table,
        "input_labels": policies.INPUTS,
        "can_manage": has_permission_in(
            user=request.user, permission=selectors.MANAGE, organization=sheet.organization
        ),
    }
    return render(request, "pay/sheet_detail.html", context)


@login_required
@require_GET
def sheet_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = selectors.access_sheet(user=request.user, pk=pk)
    content = exports.sheet_workbook(sheet=sheet, lines=sheet.lines.all())
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="payroll-{sheet.organization.code}-{sheet.month:%Y-%m}-v{sheet.version}.xlsx"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def inputs_view(request: HttpRequest) -> HttpResponse:
    """工资录入: staff × base salary / invoices / finance liaison for a month; base salary defaults to the last
    month entered. A bad number → 400 with the cells marked, nothing saved."""
    _need(request, selectors.MANAGE)
    raw_center = request.POST.get("center") if request.method == "POST" else request.GET.get("center")
    center = selectors.pick_center(user=request.user, raw=raw_center, permission=selectors.MANAGE)
    month = _month(request, center)
    staff = list(selectors.center_staff(organization=center))
    current, carried = selectors.inputs_of(staff_ids=[s.pk for s in staff], month=month)
    errors: dict[str, list[str]] = {}
    posted: dict[int, dict[str, str]] = {}
    status = 200
    if request.method == "POST":
        posted = {
            s.pk: {name: request.POST.get(f"{name}_{s.pk}", "") for name, _label, _whole in services.INPUT_FIELDS}
            for s in staff
        }
        try:
            changed = services.inputs_save(actor=request.user, organization=center, month=month, rows=posted)
        except DomainError as exc:
            _error(exc)
            errors = exc.fields
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, _("已保存（%(n)s 人有变化）") % {"n": changed})
            return redirect(f"{reverse('pay:inputs')}?center={center.pk}&month={month:%Y-%m}")
    rows = []
    for s in staff:
        this = current.get(s.pk)
        base = carried.get(s.pk)
        if s.pk in posted:
            values = posted[s.pk]
        else:
            values = {
                "base_salary": str(base.base_salary) if base is not None and base.base_salary is not None else "",
                "invoices": str(this.invoices) if this is not None and this.invoices is not None else "",
                "finance_liaison": str(this.finance_liaison)
                if this is not None and this.finance_liaison is not None
                else "",
            }
        rows.append(
            {
                "staff": s,
                "values": values,
                "carried": base is not None and base.month != month and s.pk not in posted,
                "carried_month": base.month if base is not None else None,
                "errors": {name: errors.get(f"{name}_{s.pk}", []) for name, _l, _w in services.INPUT_FIELDS},
            }
        )
    context = {
        "center": center,
        "centers": selectors.centers_for(user=request.user, permission=selectors.MANAGE),
        "month": month,
        "rows": rows,
        "form_errors": errors.get("__all__", []),
    }
    return render(request, "pay/inputs.html", context, status=status)


def _preview(request: HttpRequest, center: Any, month: Any) -> dict[str, Any] | None:
    formula_text = request.GET.get("formula", "").strip()
    staff_id = request.GET.get("staff", "")
    if not formula_text or not staff_id:
        return None
    lines, _facts = services.build_lines(organization=center, month=month)
    line = next((entry for entry in lines if str(entry["staff_id"]) == staff_id), None)
    if line is None:
        return {"error": _("请选择本中心的员工"), "formula": formula_text}
    notes = line["details"]["notes"]
    values: dict[str, Decimal | fx.Missing | None] = {
        k: Decimal(v) if v is not None else fx.Missing(notes.get(k, "")) for k, v in line["inputs"].items()
    }
    result = fx.evaluate(formula_text, values)
    value = policies.money(result.value) if result.value is not None else None
    return {"formula": formula_text, "line": line, "value": value, "error": result.error}


@login_required
@require_http_methods(["GET", "POST"])
def components_view(request: HttpRequest) -> HttpResponse:
    """工资公式 (C-18): the components in force per role, every version, a form for a new version, and "try it"
    against a staff member's inputs of the month."""
    _need(request, selectors.FORMULAS)
    raw_center = request.POST.get("center") if request.method == "POST" else request.GET.get("center")
    center = selectors.pick_center(user=request.user, raw=raw_center, permission=selectors.FORMULAS)
    month = _month(request, center)
    status = 200
    form_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        level = request.POST.get("level", "")
        chain = {str(o.pk): o for o in center.ancestors()}
        organization = chain.get(level, center)
        try:
            order = int(request.POST.get("order") or 10)
            services.component_save(
                actor=request.user,
                organization=organization,
                role=request.POST.get("role", ""),
                name=request.POST.get("name", ""),
                formula=request.POST.get("formula", ""),
                clause=request.POST.get("clause", ""),
                order=max(0, min(order, 999)),
                valid_from=parse_month(request.POST.get("valid_from")) or month,
                is_active=request.POST.get("is_active", "1") == "1",
                note=request.POST.get("note", ""),
            )
        except ValueError:
            form_errors = {"order": [_("排序须为整数")]}
            status = 400
        except DomainError as exc:
            _error(exc)
            form_errors = exc.fields or {"__all__": [exc.message]}
            status = 400
        else:
            messages.success(request, _("已保存新版本公式"))
            return redirect(f"{reverse('pay:components')}?center={center.pk}")
    configured = selectors.components_in_force(organization=center, month=month)
    manager_formula = str(selectors.resolve_manager_formula(organization=center, month=month))
    roles = []
    for code, label in services.ROLE_LABELS.items():
        specs = configured.get(code) or policies.default_components(code, manager_formula=manager_formula)
        roles.append({"code": code, "label": label, "specs": specs, "configured": code in configured})
    context = {
        "center": center,
        "centers": selectors.centers_for(user=request.user, permission=selectors.FORMULAS),
        "month": month,
        "roles": roles,
        "history": selectors.components_history(user=request.user, organization=center)[:200],
        "levels": [
            o
            for o in center.ancestors()
            if has_permission_in(user=request.user, permission=selectors.FORMULAS, organization=o)
        ],
        "inputs": policies.INPUTS,
        "staff": selectors.center_staff(organization=center),
        "preview": _preview(request, center, month),
        "form_errors": form_errors,
        "posted": request.POST if request.method == "POST" else {},
        "role_labels": services.ROLE_LABELS,
    }
    return render(request, "pay/components.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def coefficients_view(request: HttpRequest) -> HttpResponse:
    """考评系数表 (PTS-02, PTS-03): uploaded versions, and an upload that is checked and previewed first."""
    _need(request, selectors.UPLOAD)
    tops = selectors.upload_organizations(user=request.user)
    status = 200
    preview: dict[str, Any] | None = None
    if request.method == "POST":
        organization = next(
            (o for o in tops if str(o.pk) == request.POST.get("organization")), tops[0] if tops else None
        )
        upload = request.FILES.get("file")
        month = parse_month(request.POST.get("month"))
        if organization is None:
            raise PermissionDenied
        file_errors: list[str] = []
        rows: list[services.ParsedRow] = []
        if month is None:
            file_errors.append(_("请选择月份（YYYY-MM）"))
        if upload is None:
            file_errors.append(_("请选择要上传的 .xlsx 文件"))
        elif (upload.size or 0) > 5 * 1024 * 1024:
            file_errors.append(_("文件过大（最多 5 MB）"))
        else:
            rows, errors = services.coefficients_parse(organization=organization, upload=upload)
            file_errors += errors
        bad = file_errors or any(r.errors for r in rows)
        payload = ""
        if not bad:
            payload = signing.dumps(
                {
                    "org": organization.pk,
                    "month": f"{month:%Y-%m}",
                    "file": upload.name if upload else "",
                    "rows": [r.__dict__ | {"errors": list(r.errors)} for r in rows],
                },
                salt=SIGN_SALT,
            )
        preview = {
            "organization": organization,
            "month": month,
            "rows": rows,
            "errors": file_errors,
            "bad": bad,
            "payload": payload,
        }
        status = 400 if bad else 200
    context = {"tables": selectors.coefficient_tables(user=request.user)[:24], "tops": tops, "preview": preview}
    return render(request, "pay/coefficients.html", context, status=status)


@login_required
@require_POST
def coefficients_confirm_view(request: HttpRequest) -> HttpResponse:
    _need(request, selectors.UPLOAD)
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=SIGN_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, _("预览已失效，请重新上传"))
        return redirect("pay:coefficients")
    tops = selectors.upload_organizations(user=request.user)
    organization = next((o for o in tops if o.pk == data["org"]), None)
    if organization is None:
        raise Http404
    try:
        table = services.coefficients_save(
            actor=request.user,
            organization=organization,
            month=parse_month(data["month"]) or local_today(organization).replace(day=1),  # signed by this view
            file_name=data["file"],
            rows=data["rows"],
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        _error(exc)
        messages.error(request, exc.message)
        return redirect("pay:coefficients")
    messages.success(
        request, _("已保存 %(m)s 考评系数表第 %(v)s 版") % {"m": f"{table.month:%Y-%m}", "v": table.version}
    )
    return redirect("pay:coefficients")


@login_required
@require_GET
def coefficient_template_view(request: HttpRequest) -> HttpResponse:
    _need(request, selectors.UPLOAD)
    tops = selectors.upload_organizations(user=request.user)
    raw = request.GET.get("organization", "")
    organization = next((o for o in tops if str(o.pk) == raw), None) if raw else (tops[0] if tops else None)
    if organization is None:
        raise Http404
    codes = list(
        Organization.objects.centers()
        .active()
        .filter(path__startswith=organization.path)
        .values_list("code", flat=True)
    )
    response = HttpResponse(exports.coefficient_template(codes), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="coefficient-template.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def deductions_view(request: HttpRequest) -> HttpResponse:
    """工资扣款 (C-05): yuan deductions of a center and month (attendance fines and manual ones); the clerk adds
    a manual deduction with its reason."""
    _need(request, selectors.VIEW)
    raw_center = request.POST.get("center") if request.method == "POST" else request.GET.get("center")
    permission = selectors.MANAGE if request.method == "POST" else selectors.VIEW
    center = selectors.pick_center(user=request.user, raw=raw_center, permission=permission)
    month = _month(request, center)
    status = 200
    form_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.deduction_add(
                actor=request.user,
                organization=center,
                staff_id=request.POST.get("staff", ""),
                month=month,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            _error(exc)
            form_errors = exc.fields
            status = 400
        else:
            messages.success(request, _("已登记扣款"))
            return redirect(f"{reverse('pay:deductions')}?center={center.pk}&month={month:%Y-%m}")
    page = Paginator(selectors.deductions(user=request.user, organization=center, month=month), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "center": center,
        "centers": selectors.centers_for(user=request.user),
        "month": month,
        "page": page,
        "staff": selectors.center_staff(organization=center),
        "can_manage": has_permission_in(user=request.user, permission=selectors.MANAGE, organization=center),
        "form_errors": form_errors,
        "posted": request.POST if request.method == "POST" else {},
        "query": f"center={center.pk}&month={month:%Y-%m}&",
    }
    return render(request, "pay/deductions.html", context, status=status)
