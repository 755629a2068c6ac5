"""Organization and staff pages: access → parse → call service → render (STYLE.md §2.9).

Objects come only from the `access_*` selectors (404 when not visible or not permitted); lists from the
`*_visible_to` selectors. Domain errors re-render the form with the message on its field (200), never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from servicecenter.core.access import has_permission_anywhere, has_permission_in
from servicecenter.core.errors import DomainError
from servicecenter.core.htmx import HtmxHttpRequest
from servicecenter.core.models import AuditEvent

from . import exports, policies, selectors, services
from .choices import StaffImportStatus, StaffStatus
from .filters import StaffFilterSet
from .forms import (
    OrganizationCreateForm,
    OrganizationUpdateForm,
    RoleAssignForm,
    StaffCreateForm,
    StaffImportUploadForm,
    StaffStatusForm,
    StaffUpdateForm,
)
from .imports import COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES

STAFF_PAGE_SIZE = 50
HISTORY_LIMIT = 50


def _form_error(form: Form, exc: DomainError) -> None:
    """Put a service's refusal on the form: on the fields it names when the form has them, else on the form."""
    placed = False
    for name, msgs in (exc.fields or {}).items():
        if name in form.fields:
            for msg in msgs:
                form.add_error(name, msg)
            placed = True
    if not placed or exc.message not in {m for msgs in (exc.fields or {}).values() for m in msgs}:
        form.add_error(None, exc.message)


def _posted(request: HtmxHttpRequest) -> Any:
    """The POST data of a POST (even an empty one, so the form is bound and reports what is missing), else None."""
    return request.POST if request.method == "POST" else None


def _require_anywhere(user: Any, permission: str) -> None:
    """List and create pages: a user who holds the permission nowhere gets 403 (there is no object to hide)."""
    if not has_permission_anywhere(user=user, permission=permission):
        raise PermissionDenied


def _history(obj: Any, *, user: Any, organization: Any = None, hide_phone: bool = False) -> list | None:
    """The audit timeline of `obj` for users who may read the audit log over `organization` (core.view_auditevent),
    else None (the page leaves the section out). Phone numbers in it are masked like everywhere else."""
    if organization is not None and not has_permission_in(
        user=user, permission="core.view_auditevent", organization=organization
    ):
        return None
    events = list(AuditEvent.objects.for_target(obj).select_related("actor")[:HISTORY_LIMIT])
    if hide_phone:
        for event in events:
            if "phone" in event.changes:
                # In memory only: audit events are never saved again.
                event.changes = {
                    **event.changes,
                    "phone": [selectors.mask_phone(v) if isinstance(v, str) else v for v in event.changes["phone"]],
                }
    return events


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- organizations -----------------------------------------------------------------------------------------------


@login_required
def organization_list_view(request: HtmxHttpRequest) -> HttpResponse:
    """The visible tree, indented, with active staff per unit and per subtree (one aggregate query)."""
    _require_anywhere(request.user, "org.view_organization")
    tree = selectors.organization_tree_for(user=request.user)
    context = {
        "tree": tree,
        "can_add": has_permission_anywhere(user=request.user, permission="org.add_organization"),
        "can_import": has_permission_anywhere(user=request.user, permission="org.import_staff"),
        "total_active": sum(o.active_staff for o in tree),
    }
    return render(request, "org/organization_list.html", context)


@login_required
def organization_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One unit: its data, children, staff, role holders and history."""
    user = request.user
    org = selectors.access_organization(user=user, pk=pk)
    staff = selectors.staff_list_visible_to(user=user).filter(organization=org).exclude(status=StaffStatus.LEFT)
    staff_page = list(staff[:STAFF_PAGE_SIZE])
    context = {
        "org": org,
        "ancestors": selectors.organization_ancestors_visible(user=user, organization=org),
        "children": selectors.organization_children(user=user, organization=org),
        "staff": selectors.with_phone_display(staff_page, user=user),
        "staff_more": staff.count() > STAFF_PAGE_SIZE,
        "holders": selectors.organization_role_holders(organization=org),
        "events": _history(org, user=user, organization=org),
        "can_change": has_permission_in(user=user, permission="org.change_organization", organization=org),
        "can_add_child": org.is_active
        and has_permission_in(user=user, permission="org.add_organization", organization=org),
        "can_add_staff": org.is_active and has_permission_in(user=user, permission="org.add_staff", organization=org),
    }
    return render(request, "org/organization_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HtmxHttpRequest) -> HttpResponse:
    """New unit under a parent where the user holds org.add_organization (`?parent=` preselects it)."""
    user = request.user
    if not user.is_superuser:
        _require_anywhere(user, "org.add_organization")
    initial: dict[str, Any] = {}
    if request.GET.get("parent"):
        parent = selectors.access_organization(
            user=user, pk=_int_or_404(request.GET["parent"]), permission="org.add_organization"
        )
        kinds = policies.kinds_allowed_under(parent.kind)
        initial.update(parent=parent, kind="team" if "team" in kinds else (kinds[0] if kinds else ""))
    form = OrganizationCreateForm(_posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organization_create(
                actor=user,
                parent=data["parent"],
                kind=data["kind"],
                name=data["name"],
                code=data["code"],
                center_type=data["center_type"] or "",
                address=data["address"],
                phone=data["phone"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新建组织：%(name)s") % {"name": org.name})
            return redirect("org:organization_detail", pk=org.pk)
    return render(request, "org/organization_form.html", {"form": form, "parent": initial.get("parent")})


@login_required
@require_http_methods(["GET", "POST"])
def organization_update_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Edit a unit (org.change_organization over it); deactivate instead of delete."""
    org = selectors.access_organization(user=request.user, pk=pk, permission="org.change_organization")
    form = OrganizationUpdateForm(_posted(request), organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=org, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:organization_detail", pk=org.pk)
    return render(request, "org/organization_form.html", {"form": form, "org": org})


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("not found") from None


# --- staff -------------------------------------------------------------------------------------------------------


@login_required
def staff_list_view(request: HtmxHttpRequest) -> HttpResponse:
    """Staff of the visible subtrees: search, filters, 50 a page; a fixed number of queries per page."""
    user = request.user
    _require_anywhere(user, "org.view_staff")
    filterset = StaffFilterSet(request.GET or None, queryset=selectors.staff_list_visible_to(user=user), user=user)
    page = Paginator(filterset.qs, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "staff": selectors.with_phone_display(page.object_list, user=user),
        "query": query.urlencode(),
        "can_add": has_permission_anywhere(user=user, permission="org.add_staff"),
        "can_import": has_permission_anywhere(user=user, permission="org.import_staff"),
        "can_export": has_permission_anywhere(user=user, permission="org.export_staff"),
    }
    template = "org/_partials/staff_table.html" if request.htmx else "org/staff_list.html"
    return render(request, template, context)


@login_required
def staff_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One staff member: master data, roles (with grant/revoke where allowed), status actions, history."""
    staff = selectors.access_staff(user=request.user, pk=pk)
    return _render_staff_detail(request, staff)


def _render_staff_detail(
    request: HtmxHttpRequest, staff: Any, assign_form: RoleAssignForm | None = None
) -> HttpResponse:
    user = request.user
    can_change = has_permission_in(user=user, permission="org.change_staff", organization=staff.organization)
    assignments = list(
        selectors.role_assignment_list_visible_to(user=user, filters={"staff": staff.pk, "active": "all"})
    )
    # Roles granted outside the viewer's scope still belong to the record: list them without actions.
    own = getattr(staff.user, "active_assignments", []) if staff.user_id else []
    seen = {a.pk for a in assignments}
    assignments += [a for a in own if a.pk not in seen]
    assignments.sort(key=lambda a: (not a.is_active, a.role.rank, a.organization.path))
    can_grant = (
        staff.status != StaffStatus.LEFT
        and staff.user_id is not None
        and has_permission_anywhere(user=user, permission="org.add_roleassignment")
    )
    if can_grant and assign_form is None:
        assign_form = RoleAssignForm(user=user, staff=staff)
    selectors.with_phone_display([staff], user=user)
    events = _history(staff, user=user, organization=staff.organization, hide_phone=not staff.phone_visible)
    context = {
        "staff": staff,
        "assignments": assignments,
        "revocable": selectors.revocable_assignment_ids(user=user, assignments=assignments),
        # A refused grant is shown on its form even when the form would not be offered any more.
        "assign_form": assign_form if can_grant or (assign_form is not None and assign_form.errors) else None,
        "can_change": can_change,
        "is_self": staff.user_id == user.pk,
        "status_actions": [s for s in StaffStatus if s != staff.status] if can_change else [],
        "events": events,
    }
    return render(request, "org/staff_detail.html", context, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HtmxHttpRequest) -> HttpResponse:
    """New staff member in an organization where the user holds org.add_staff (`?organization=` preselects)."""
    user = request.user
    _require_anywhere(user, "org.add_staff")
    initial: dict[str, Any] = {}
    if request.GET.get("organization"):
        initial["organization"] = selectors.access_organization(
            user=user, pk=_int_or_404(request.GET["organization"]), permission="org.add_staff"
        )
    form = StaffCreateForm(_posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = services.staff_create(
                actor=user,
                organization=data["organization"],
                staff_no=data["staff_no"],
                name=data["name"],
                position=data["position"],
                phone=data["phone"],
                hire_date=data["hire_date"],
                roles=data["roles"],
                password=data["password"] or None,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新增员工：%(staff)s") % {"staff": staff})
            return redirect("org:staff_detail", pk=staff.pk)
    return render(request, "org/staff_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_update_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Edit master data (org.change_staff over the staff member's organization)."""
    staff = selectors.access_staff(user=request.user, pk=pk, permission="org.change_staff")
    form = StaffUpdateForm(_posted(request), user=request.user, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=request.user, staff=staff, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:staff_detail", pk=staff.pk)
    return render(request, "org/staff_form.html", {"form": form, "staff": staff})


@login_required
@require_http_methods(["GET", "POST"])
def staff_set_status_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm and change a status: GET shows what will happen (`?status=` preselects), POST does it."""
    staff = selectors.access_staff(user=request.user, pk=pk, permission="org.change_staff")
    initial = {"on": timezone.localdate()}
    if request.GET.get("status") in StaffStatus.values:
        initial["status"] = request.GET["status"]
    form = StaffStatusForm(_posted(request), staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_set_status(
                actor=request.user, staff=staff, status=data["status"], on=data["on"], note=data["note"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("状态已更新"))
            return redirect("org:staff_detail", pk=staff.pk)
    context = {"form": form, "staff": staff, "chosen": form["status"].value() or initial.get("status")}
    return render(request, "org/staff_status_form.html", context)


@login_required
@require_POST
def staff_reset_password_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Give the staff member a temporary password, shown once on this page (never stored in clear)."""
    staff = selectors.access_staff(user=request.user, pk=pk, permission="org.change_staff")
    try:
        password = services.staff_reset_password(actor=request.user, staff=staff)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("org:staff_detail", pk=staff.pk)
    response = render(request, "org/staff_password.html", {"staff": staff, "password": password})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def role_assign_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Grant a role to the staff member over an organization in the user's scope (ORG-04 decides)."""
    staff = selectors.access_staff(user=request.user, pk=pk)
    if not has_permission_anywhere(user=request.user, permission="org.add_roleassignment"):
        raise Http404("not found")
    form = RoleAssignForm(request.POST, user=request.user, staff=staff)
    if form.is_valid():
        try:
            services.role_assign(
                actor=request.user,
                user=staff.user,
                role_code=form.cleaned_data["role"].code,
                organization=form.cleaned_data["organization"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已授予角色：%(role)s") % {"role": form.cleaned_data["role"].name})
            return redirect(reverse("org:staff_detail", kwargs={"pk": staff.pk}) + "#roles")
    return _render_staff_detail(request, staff, assign_form=form)


@login_required
@require_POST
def role_revoke_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """End a role assignment (ORG-04 decides); back to the staff member's page."""
    assignment = selectors.access_role_assignment(user=request.user, pk=pk, permission="org.change_roleassignment")
    staff = getattr(assignment.user, "staff", None)
    try:
        services.role_revoke(actor=request.user, assignment=assignment, note=request.POST.get("note", "")[:200])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销角色：%(role)s") % {"role": assignment.role.name})
    if staff is None:
        return redirect("org:organization_detail", pk=assignment.organization_id)
    return redirect(reverse("org:staff_detail", kwargs={"pk": staff.pk}) + "#roles")


@login_required
def staff_export_view(request: HtmxHttpRequest) -> HttpResponse:
    """The filtered staff list as .xlsx (org.export_staff; phones masked where the user may not change staff)."""
    user = request.user
    _require_anywhere(user, "org.export_staff")
    if request.GET.get("organization"):
        # Filtering on a unit the user cannot see looks like "not found", as for any object.
        selectors.access_organization(user=user, pk=_int_or_404(request.GET["organization"]))
    staff = selectors.staff_list_visible_to(user=user, filters=request.GET)
    staff = staff.filter(
        organization__in=selectors.organization_list_visible_to(user=user, permission="org.export_staff")
    )
    rows = selectors.with_phone_display(staff, user=user)
    content = exports.staff_export(staff=rows, phones={s.pk: s.phone_display for s in rows})
    return _xlsx(content, f"员工名单-{timezone.localdate():%Y%m%d}.xlsx")


# --- import ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_import_view(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a .xlsx; every row is checked and the report page shows what would be imported. Nothing is saved
    until the importer confirms there."""
    user = request.user
    _require_anywhere(user, "org.import_staff")
    form = StaffImportUploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_import = services.staff_import_upload(actor=user, file=form.cleaned_data["file"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("org:staff_import_detail", pk=staff_import.pk)
    context = {
        "form": form,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "organizations": selectors.import_organizations_for(user=user)[:200],
        "imports": selectors.staff_import_list_for(user=user)[:10],
    }
    return render(request, "org/staff_import.html", context)


@login_required
def staff_import_template_view(request: HtmxHttpRequest) -> HttpResponse:
    """The import template with the user's organization codes (`?organization=` puts that one in the example)."""
    user = request.user
    _require_anywhere(user, "org.import_staff")
    organizations = list(selectors.import_organizations_for(user=user))
    if request.GET.get("organization"):
        chosen = selectors.access_organization(
            user=user, pk=_int_or_404(request.GET["organization"]), permission="org.import_staff"
        )
        organizations = [chosen] + [o for o in organizations if o.pk != chosen.pk]
    top = organizations[0] if organizations else None
    roles = selectors.assignable_roles(user=user, organization=top) if top else []
    return _xlsx(exports.import_template(organizations=organizations, roles=roles), "员工导入模板.xlsx")


@login_required
def staff_import_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The report of one upload: bad rows with their reasons, good rows, and the decision buttons."""
    staff_import = selectors.access_staff_import(user=request.user, pk=pk)
    bad = [r for r in staff_import.rows if r["errors"]]
    good = [r for r in staff_import.rows if not r["errors"]]
    context = {
        "imp": staff_import,
        "bad": bad,
        "good": good,
        "columns": COLUMNS,
        "pending": staff_import.status == StaffImportStatus.VALIDATED,
        "events": _history(staff_import, user=request.user),
        "max_rows": MAX_ROWS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "org/staff_import_detail.html", context)


@login_required
@require_POST
def staff_import_confirm_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Import the valid rows in one transaction (checked again first)."""
    staff_import = selectors.access_staff_import(user=request.user, pk=pk)
    try:
        staff_import = services.staff_import_commit(actor=request.user, staff_import=staff_import)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已导入 %(n)d 名员工") % {"n": staff_import.created_count})
    return redirect("org:staff_import_detail", pk=pk)


@login_required
@require_POST
def staff_import_cancel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    staff_import = selectors.access_staff_import(user=request.user, pk=pk)
    try:
        services.staff_import_cancel(actor=request.user, staff_import=staff_import)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("已取消本次导入，未导入任何数据"))
    return redirect("org:staff_import")


@login_required
def staff_import_errors_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The rows that were not imported, with their reasons, as .xlsx to fix and upload again."""
    staff_import = selectors.access_staff_import(user=request.user, pk=pk)
    return _xlsx(exports.import_error_report(staff_import=staff_import), f"导入错误报告-{staff_import.pk}.xlsx")
