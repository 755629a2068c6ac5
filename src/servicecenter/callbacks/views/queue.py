"""The callback queue (回访队列) of the order clerk, the finished callbacks (回访记录, also the drill-down of the
satisfaction report) and the manager's care callback (CB-16).

The queue lists the pending callbacks of the user's center(s), the soonest `next_attempt_at` first — the ones due now
(new, retries whose time has come, appointments reached), then later retries and appointments below a divider —
one keyset page at a time (`?after=<cursor>`), with its counts, filters and the «下一个» button that opens the next
due callback nobody else is making. What a row prints is prepared here once per request (labels from dicts, URLs
from one reversed pattern, the phone as the user may see it), so the template only prints.

The history takes stable GET parameters (documented in docs/callbacks.md; the satisfaction report links to them):
center, month=YYYY-MM (completed in that local month), technician, kind, status (alias result), attitude,
solved=yes|no, charge_mismatch=1|0, score_max.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from servicecenter.core.access import has_permission_anywhere, has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.customers import selectors as customer_selectors
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import zone_of

from .. import selectors, services
from ..choices import Attitude, TaskKind, TaskStatus
from ..forms import CareForm, HistoryFilterForm, QueueFilterForm, month_range

_PATTERN_PK = 987654321  # a stand-in primary key: one reverse() per URL name, then each row's pk is put in its place


def url_pattern(name: str) -> str:
    """The URL of `name` for any object, as a format string with `{pk}` — reversed once, filled per row."""
    return reverse(name, args=[_PATTERN_PK]).replace(str(_PATTERN_PK), "{pk}")


def user_name(user: Any) -> str:
    """A user as people know them: the staff name, else the login (claimed_by__staff etc. are select_related)."""
    if user is None:
        return ""
    try:
        return user.staff.name
    except (AttributeError, ObjectDoesNotExist):
        return user.get_full_name() or user.get_username()


def parse_cursor(raw: str) -> tuple[datetime, int] | None:
    """`<ISO instant>_<pk>` → the keyset cursor (None for anything else: the first page)."""
    at_text, _sep, pk_text = (raw or "").rpartition("_")
    at = parse_datetime(at_text) if at_text else None
    if at is None or not pk_text.isdigit():
        return None
    return at, int(pk_text)


def cursor_text(cursor: tuple[datetime, int]) -> str:
    return f"{cursor[0].isoformat()}_{cursor[1]}"


def pick_centers(centers: list[Any], raw: str | None) -> tuple[Any, list[Any]]:
    """The chosen center and the centers shown: the chosen one; or, without a choice, the only one / all of them.
    A center outside the user's scope does not exist for them (404)."""
    if raw:
        chosen = next((c for c in centers if str(c.pk) == str(raw)), None)
        if chosen is None:
            raise Http404("no such center")
        return chosen, [chosen]
    if len(centers) == 1:
        return centers[0], centers
    return None, centers


def _pager(request: HttpRequest, next_cursor: tuple[datetime, int] | None) -> dict[str, str]:
    query = request.GET.copy()
    query.pop("after", None)
    first_url = "?" + query.urlencode() if request.GET.get("after") else ""
    next_url = ""
    if next_cursor is not None:
        query["after"] = cursor_text(next_cursor)
        next_url = "?" + query.urlencode()
    return {"first_url": first_url, "next_url": next_url}


_KIND_CSS = {"rating": "text-bg-danger", "care": "text-bg-info", "courtesy": "text-bg-success"}
DUE_SOON_SECONDS = 2 * 3600


def present_tasks(tasks: list[Any], *, user: Any, now: datetime) -> None:
    """What each queue / history row prints: URLs, labels, the phone as the user may see it, the due badge."""
    call_url = url_pattern("callbacks:call")
    order_url = url_pattern("workorders:order_detail")
    kinds = {k: str(v) for k, v in TaskKind.choices}
    statuses = {k: str(v) for k, v in TaskStatus.choices}
    attitudes = {k: str(v) for k, v in Attitude.choices}
    for task in tasks:
        row: Any = task
        row.url = call_url.format(pk=task.pk)
        row.order_url = order_url.format(pk=task.order_id) if task.order_id else ""
        row.kind_label = kinds.get(task.kind, task.kind)
        row.kind_css = _KIND_CSS.get(task.kind, "text-bg-light border")
        row.status_label = statuses.get(task.status, task.status)
        row.attitude_label = attitudes.get(task.attitude, "")
        row.phone_shown = (
            task.phone if selectors.can_see_phone(user=user, organization=task.organization) else mask_phone(task.phone)
        )
        row.technician_name = task.technician.name if task.technician_id else ""
        left = (task.due_at - now).total_seconds()
        row.overdue = left < 0
        row.due_css = (
            "text-bg-danger" if left < 0 else ("text-bg-warning" if left < DUE_SOON_SECONDS else "text-bg-success")
        )
        row.later = task.status == TaskStatus.PENDING and task.next_attempt_at > now
        claimed = task.claimed_by_id is not None and task.claimed_until is not None and task.claimed_until > now
        row.claimed_now = claimed
        row.claimed_by_me = claimed and task.claimed_by_id == user.pk
        row.claimed_name = user_name(task.claimed_by) if claimed else ""


@login_required
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    """回访队列: the pending callbacks of the user's center(s), due first, with filters, counts and «下一个»."""
    centers = selectors.callback_centers(user=request.user, permission=selectors.MAKE)
    if not centers:
        raise PermissionDenied
    now = timezone.now()
    chosen, shown = pick_centers(centers, request.GET.get("center"))
    form = QueueFilterForm(request.GET or None, centers=centers, initial={"center": chosen.pk if chosen else ""})
    rows: list[Any] = []
    next_cursor = None
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    if valid:
        filters = selectors.QueueFilters(
            centers=shown,
            kind=data.get("kind") or "",
            overdue=bool(data.get("overdue")),
            appointments=bool(data.get("appointments")),
            mine=bool(data.get("mine")),
        )
        qs = selectors.queue_tasks(user=request.user, filters=filters, now=now)
        rows, next_cursor = selectors.keyset_page(
            qs, after=parse_cursor(request.GET.get("after", "")), size=selectors.QUEUE_PAGE, column="next_attempt_at"
        )
    present_tasks(rows, user=request.user, now=now)
    divider = next((r.pk for r in rows if r.later), None)
    next_task = selectors.next_due_task(user=request.user, organization=chosen, now=now) if chosen is not None else None
    base = f"?center={chosen.pk}&" if chosen is not None and len(centers) > 1 else "?"
    context = {
        "now": now,
        "form": form,
        "centers": centers,
        "center": chosen,
        "rows": rows,
        "divider": divider,
        "counts": selectors.queue_counts(user=request.user, centers=shown, now=now),
        "count_base": base,
        "next_task": next_task,
        "can_manage": any(
            has_permission_in(user=request.user, permission=selectors.MANAGE, organization=c) for c in shown
        ),
        "can_view_history": has_permission_anywhere(user=request.user, permission=selectors.VIEW),
        **_pager(request, next_cursor),
    }
    return render(request, "callbacks/queue.html", context, status=200 if valid else 400)


def history_filters(request: HttpRequest) -> tuple[HistoryFilterForm, selectors.HistoryFilters | None, Any]:
    """The bound history filter form and the selector's filters (None while the parameters are invalid)."""
    centers = selectors.callback_centers(user=request.user, permission=selectors.VIEW)
    if not centers:
        raise PermissionDenied
    params = request.GET.copy()
    if params.get("result") and not params.get("status"):
        params["status"] = params.get("result", "")  # `result` is an alias of `status` (done | unreachable | cancelled)
    chosen, shown = pick_centers(centers, params.get("center"))
    staff = selectors.center_staff_choices(center=chosen) if chosen is not None else []
    raw_tech = params.get("technician", "")
    if raw_tech.isdigit() and int(raw_tech) not in {pk for pk, _name in staff}:
        # A drill-down link may name a technician of any listed center: offer them so the filter shows (only a
        # member of those centers; anyone else is "not a valid choice", 400).
        extra = selectors.staff_choice(pk=int(raw_tech), centers=shown)
        if extra is not None:
            staff = [*staff, extra]
    form = HistoryFilterForm(params, centers=centers, staff=staff)
    if not form.is_valid():
        return form, None, chosen
    data = form.cleaned_data
    start = end = None
    if data.get("month"):
        tz = zone_of(chosen)
        first, after = month_range(*data["month"])
        start = datetime.combine(first, time.min, tzinfo=tz)
        end = datetime.combine(after, time.min, tzinfo=tz)
    filters = selectors.HistoryFilters(
        centers=shown,
        start=start,
        end=end,
        technician=data.get("technician"),
        kind=data.get("kind") or "",
        statuses=(data["status"],) if data.get("status") else selectors.CLOSED_STATUSES,
        attitude=data.get("attitude") or "",
        solved={"yes": True, "no": False}.get(data.get("solved") or ""),
        charge_mismatch={"1": True, "0": False}.get(data.get("charge_mismatch") or ""),
        score_max=data.get("score_max"),
    )
    return form, filters, chosen


@login_required
@require_GET
def history_view(request: HttpRequest) -> HttpResponse:
    """回访记录: finished callbacks, the latest first, filtered by the stable GET parameters; keyset-paged."""
    form, filters, chosen = history_filters(request)
    rows: list[Any] = []
    next_cursor = None
    if filters is not None:
        qs = selectors.history_tasks(filters=filters)
        rows, next_cursor = selectors.keyset_page(
            qs,
            after=parse_cursor(request.GET.get("after", "")),
            size=selectors.HISTORY_PAGE,
            column="completed_at",
            descending=True,
        )
    now = timezone.now()
    present_tasks(rows, user=request.user, now=now)
    for row in rows:
        row.completed_by_name = user_name(row.completed_by)
    context = {
        "form": form,
        "rows": rows,
        "center": chosen,
        "several_centers": len(form.fields["center"].choices) > 1,  # type: ignore[attr-defined]
        "can_make": has_permission_anywhere(user=request.user, permission=selectors.MAKE),
        **_pager(request, next_cursor),
    }
    return render(request, "callbacks/queue_history.html", context, status=200 if filters is not None else 400)


# --- CB-16: a care callback ------------------------------------------------------------------------------------------


CANDIDATES = 10


@login_required
@require_http_methods(["GET", "POST"])
def care_create_view(request: HttpRequest) -> HttpResponse:
    """安排客户关怀回访 (CB-16): a manager puts a customer of the center in the queue for a given time. The customer
    is found by phone or name; several matches are offered to choose from (works without JavaScript)."""
    centers = selectors.callback_centers(user=request.user, permission=selectors.MANAGE)
    if not centers:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    center_raw = (data or request.GET).get("center") or str(centers[0].pk)
    center = next((c for c in centers if str(c.pk) == center_raw), None)
    if center is None:
        raise Http404("no such center")
    candidates: list[Any] = []
    initial: dict[str, Any] = {"center": str(center.pk)}
    preset = request.GET.get("customer", "")
    if data is None and preset.isdigit():
        customer = customer_selectors.customer_search(user=request.user, organization=center).filter(pk=int(preset))
        candidates = list(customer[:1])
        if candidates:
            initial.update(customer=candidates[0].pk, q=candidates[0].phone)
    if data is not None:
        query = (data.get("q") or "").strip()
        if data.get("customer", "").isdigit():
            candidates = list(
                customer_selectors.customer_search(user=request.user, organization=center).filter(
                    pk=int(data["customer"])
                )[:1]
            )
        if not candidates and query:
            candidates = list(
                customer_selectors.customer_search(user=request.user, q=query, organization=center)[:CANDIDATES]
            )
    status = 200
    if data is not None and data.get("find"):
        # «查找»: only look the customer up; nothing is validated or saved yet.
        initial.update({k: data.get(k, "") for k in ("q", "due_at", "reason")})
        if len(candidates) == 1:
            initial["customer"] = candidates[0].pk
        data = None
    with timezone.override(zone_of(center)):
        form = CareForm(data, initial=initial, centers=centers, candidates=candidates)
        if data is not None:
            status = 400
            if form.is_valid():
                chosen = form.cleaned_data.get("customer")
                if chosen is None and len(candidates) == 1:
                    chosen = candidates[0].pk
                if chosen is None:
                    if candidates:
                        form.add_error("customer", _("找到多位客户，请选择一位"))
                    else:
                        form.add_error("q", _("本中心没有匹配的客户，请输入电话或姓名"))
                else:
                    try:
                        task = services.task_create_care(
                            actor=request.user,
                            organization=center,
                            customer_id=chosen,
                            due_at=form.cleaned_data["due_at"],
                            reason=form.cleaned_data["reason"],
                        )
                    except NotAllowed:
                        raise PermissionDenied from None
                    except DomainError as exc:
                        _form_errors(form, exc, aliases={"customer": "q"})
                        status = exc.status_code
                    else:
                        messages.success(
                            request,
                            _("已安排客户关怀回访：%(name)s，%(at)s")
                            % {
                                "name": task.customer_name,
                                "at": timezone.localtime(task.due_at, zone_of(center)).strftime("%Y-%m-%d %H:%M"),
                            },
                        )
                        return redirect(reverse("callbacks:queue") + f"?center={center.pk}&kind=care")
    context = {"form": form, "center": center, "candidates": candidates, "centers": centers}
    return render(request, "callbacks/queue_care.html", context, status=status)


def _form_errors(form: Any, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """A service's field errors beside the form's fields, and its message (which names the rule and its clause,
    e.g. «须填写答复内容后才能关闭（CMP-06）») at the top of the form."""
    shown: set[str] = set()
    for name, msgs in exc.fields.items():
        target = (aliases or {}).get(name, name)
        if target in form.fields:
            for message in msgs:
                form.add_error(target, message)
                shown.add(message)
    if exc.message and exc.message not in shown:
        form.add_error(None, exc.message)


form_errors = _form_errors
