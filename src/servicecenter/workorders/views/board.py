"""The dispatch board (WO-04, WO-05) and the dispatcher's actions on one order: dispatch, reassign, take back,
cancel, close.

The board is a full page whose body (`_board.html`: counts, the open orders by urgency, the staff panel) is reloaded
by htmx every 15 s from `board_rows`. It shows one page of `selectors.BOARD_LIMIT` orders, the most urgent first, with
links to the next/previous page (`?page=N`); the counts cover every open order; the refresh reloads the page shown.
The actions open in ONE modal (htmx GET of the form, htmx POST of the answer): a row carries only its pk and the
action names, the table the action URLs reversed once; the staff choice is rendered in the form fetched on demand.
Without JavaScript the actions are ordinary pages with a POST/redirect (reached from the order page). A conflict —
another dispatcher was faster — is shown in place («该工单已被 X 派给 Y», 409 for a plain post) and the board
refreshes.

Rendering cost is what limits the board (its SQL is a few ms): what a row shows is prepared here once per request
(`_present`: labels from dicts, dates formatted in Python, the SLA badges as ready strings) so the template only
prints it.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import Conflict, DomainError
from servicecenter.core.forms import show_domain_error
from servicecenter.core.htmx import HtmxHttpRequest

from .. import selectors, services
from ..choices import OffsiteStatus, OrderKind, OrderStatus, Priority
from ..models import WorkOrder

REFRESH_EVENT = "board-refresh"


# --- the board -----------------------------------------------------------------------------------------------------


_PATTERN_PK = 987654321  # a stand-in primary key: one reverse() per URL name, then the row's pk is put in its place


def url_pattern(name: str) -> str:
    """The URL of `name` for any order, as a format string with `{pk}` — reversed once, filled per row."""
    return reverse(name, args=[_PATTERN_PK]).replace(str(_PATTERN_PK), "{pk}")


@dataclass(frozen=True)
class ClockBadge:
    """One SLA clock of a board row, ready to print (the markup of `_clock.html`, which the order page uses)."""

    state: str
    css: str
    title: str
    text: str
    due: str  # ISO instant for the countdown script; "" when the clock no longer runs (met, stopped)

    def __str__(self) -> str:
        """The badge as HTML (escaped, safe), printed by `{{ badge }}` without a template node per attribute."""
        if self.due:
            return format_html(
                '<span class="{}" title="{}" data-due="{}" data-state="{}">{}</span>',
                self.css,
                self.title,
                self.due,
                self.state,
                self.text,
            )
        return format_html('<span class="{}" title="{}">{}</span>', self.css, self.title, self.text)


def _clock_words() -> dict[str, str]:
    """The words of the SLA badges, translated once per request."""
    return {
        "due": _("截止"),
        "responded": _("已响应"),
        "resolved": _("已办结"),
        "stopped": _("暂停计时"),
        "response_due": _("响应截止"),
        "resolve_due": _("处理截止"),
        "note_breach": f" · {_('已超时')}",
        "note_warn": f" · {_('预警')}",
    }


_PRIORITY_CSS = {"urgent": "text-bg-danger", "high": "text-bg-warning"}
_OFFSITE_CSS = {"approved": "text-bg-success", "pending": "text-bg-warning", "rejected": "text-bg-danger"}
_BADGE_COLOUR = {"breach": "text-bg-danger", "warn": "text-bg-warning"}


def _clock_badges(clocks: list[selectors.Clock], words: dict[str, str]) -> list[ClockBadge]:
    """`_clock.html` in Python: the same classes, titles and texts (dates in the current time zone)."""

    zone = timezone.get_current_timezone()

    def fmt(value: Any, pattern: str) -> str:
        return value.astimezone(zone).strftime(pattern) if value is not None else ""

    badges = []
    for clock in clocks:
        if clock.state == "met":
            done = words["responded"] if clock.kind == "response" else words["resolved"]
            css = "badge text-bg-light border sla sla-met"
            badges.append(
                ClockBadge(
                    "met",
                    css,
                    f"{words['due']} {fmt(clock.due, '%m-%d %H:%M')}",
                    f"{done} {fmt(clock.done_at, '%H:%M')}",
                    "",
                )
            )
        elif clock.state == "stopped":
            css = "badge text-bg-secondary sla sla-stopped"
            badges.append(
                ClockBadge("stopped", css, f"{words['due']} {fmt(clock.due, '%m-%d %H:%M')}", words["stopped"], "")
            )
        else:
            css = f"badge sla sla-{clock.state} {_BADGE_COLOUR.get(clock.state, 'text-bg-success')}"
            what = words["response_due"] if clock.kind == "response" else words["resolve_due"]
            note = words.get(f"note_{clock.state}", "")
            title = f"{what} {fmt(clock.due, '%Y-%m-%d %H:%M')}{note}"
            badges.append(ClockBadge(clock.state, css, title, fmt(clock.due, "%m-%d %H:%M"), clock.due.isoformat()))
    return badges


def _short(text: str, length: int) -> str:
    """`truncatechars`: the text itself when it fits (most do), else cut with "…"."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def _present(orders: list[selectors.BoardOrder], *, now: Any) -> None:
    """Prepare what each board row prints: its URL (one reversed pattern), labels, short texts, SLA badges."""
    detail = url_pattern("workorders:order_detail")
    labels = {
        field: {value: str(label) for value, label in choices.choices}
        for field, choices in (
            ("priority", Priority),
            ("kind", OrderKind),
            ("status", OrderStatus),
            ("offsite_status", OffsiteStatus),
        )
    }
    words = _clock_words()
    for order in orders:
        row: Any = order
        row.url = detail.format(pk=order.pk)
        row.priority_label = labels["priority"].get(order.priority, order.priority)
        row.kind_label = labels["kind"].get(order.kind, order.kind)
        row.status_label = labels["status"].get(order.status, order.status)
        row.offsite_label = labels["offsite_status"].get(order.offsite_status, order.offsite_status)
        row.address_short = _short(order.address, 24)
        row.problem_short = _short(order.problem, 30)
        row.badges = _clock_badges(selectors.order_clocks(order, now=now), words)
        row.priority_css = _PRIORITY_CSS.get(order.priority, "text-bg-light border")
        row.offsite_css = _OFFSITE_CSS.get(order.offsite_status, "text-bg-light border")


def _page_number(raw: str | None, pages: int) -> int:
    """The requested page, clamped to 1…pages (a page that emptied since the last refresh shows the last one)."""
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), pages)


def _board_context(request: HtmxHttpRequest) -> dict[str, Any]:
    now = timezone.now()
    centers = selectors.board_centers(user=request.user)
    center_ids = {str(c.pk): c for c in centers}
    chosen = center_ids.get(request.GET.get("center", ""))
    # One center: its own board with the staff panel. Several: all of them (capped) until one is chosen.
    if chosen is None and len(centers) == 1:
        chosen = centers[0]
    shown = [chosen] if chosen is not None else centers
    # The counts are complete (every open order); the rows are one page of them, the most urgent first.
    counts = selectors.board_counts(centers=shown, now=now) if shown else None
    size = selectors.BOARD_LIMIT
    pages = max(1, -(-(counts["open"] if counts else 0) // size))
    number = _page_number(request.GET.get("page"), pages)
    offset = (number - 1) * size
    orders, more = selectors.board_orders(centers=shown, limit=size, offset=offset) if shown else ([], False)
    _present(orders, now=now)
    staff = selectors.board_staff(center=chosen, at=now) if chosen is not None else []
    can_dispatch = chosen is not None and has_permission_in(
        user=request.user, permission=selectors.DISPATCH, organization=chosen
    )
    if chosen is None:
        can_dispatch = any(
            has_permission_in(user=request.user, permission=selectors.DISPATCH, organization=c) for c in centers
        )
    base = f"center={chosen.pk}" if chosen is not None else ""
    with_page = "&".join(p for p in (base, f"page={number}" if number > 1 else "") if p)

    def page_link(n: int) -> str:
        return "?" + "&".join(p for p in (base, f"page={n}") if p)

    return {
        "now": now,
        "centers": centers,
        "center": chosen,
        "orders": orders,
        "more": more,
        "limit": size,
        "page": {
            "number": number,
            "pages": max(pages, number + 1) if more else pages,
            "first": offset + 1 if orders else 0,
            "last": offset + len(orders),
            "previous": page_link(number - 1) if number > 1 else "",
            "next": page_link(number + 1) if more else "",
        },
        "counts": counts,
        "staff_rows": staff,
        "can_dispatch": can_dispatch,
        # The row actions open their form in the one modal: each URL reversed once, the row's pk filled in by the
        # page's script from the row's data-pk (the staff choice is rendered only in the form fetched on demand).
        "action_urls": {
            a: url_pattern(f"workorders:order_{a}") for a in ("dispatch", "reassign", "take_back", "cancel")
        },
        "query": with_page,
    }


@login_required
@require_GET
def board_view(request: HtmxHttpRequest) -> HttpResponse:
    """调度看板: the open orders of the user's center(s) by urgency, with countdowns, counts and staff."""
    return render(request, "workorders/board/board.html", _board_context(request))


@login_required
@require_GET
def board_rows_view(request: HtmxHttpRequest) -> HttpResponse:
    """The board's body, for the htmx refresh every 15 s (and after each action)."""
    return render(request, "workorders/board/_board.html", _board_context(request))


# --- actions -------------------------------------------------------------------------------------------------------


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class AssignForm(_Form):
    assignee = forms.TypedChoiceField(label=gettext_lazy("服务人员"), coerce=int, choices=())


class ReasonForm(_Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )


class ReassignForm(AssignForm, ReasonForm):
    expected_assignee = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CloseForm(_Form):
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
    )


def _staff_choices(order: WorkOrder, exclude: Any = None) -> list[tuple[Any, str]]:
    rows = selectors.board_staff(center=order.organization, at=timezone.now())
    choices: list[tuple[Any, str]] = [("", _("— 请选择 —"))]
    for row in rows:
        if row.staff.pk == exclude:
            continue
        label = _("%(name)s（%(state)s，在办 %(n)s 单）") % {"name": row.staff.name, "state": row.label, "n": row.load}
        choices.append((row.staff.pk, label))
    return choices


def _dispatch(request: HtmxHttpRequest, order: WorkOrder, form: Any) -> WorkOrder:
    return services.order_dispatch(actor=request.user, order_id=order.pk, assignee_id=form.cleaned_data["assignee"])


def _reassign(request: HtmxHttpRequest, order: WorkOrder, form: Any) -> WorkOrder:
    return services.order_reassign(
        actor=request.user,
        order_id=order.pk,
        assignee_id=form.cleaned_data["assignee"],
        reason=form.cleaned_data["reason"],
        expected_assignee_id=form.cleaned_data.get("expected_assignee"),
    )


def _take_back(request: HtmxHttpRequest, order: WorkOrder, form: Any) -> WorkOrder:
    return services.order_take_back(actor=request.user, order_id=order.pk, reason=form.cleaned_data["reason"])


def _cancel(request: HtmxHttpRequest, order: WorkOrder, form: Any) -> WorkOrder:
    return services.order_cancel(actor=request.user, order_id=order.pk, reason=form.cleaned_data["reason"])


def _close(request: HtmxHttpRequest, order: WorkOrder, form: Any) -> WorkOrder:
    return services.order_close(actor=request.user, order_id=order.pk, note=form.cleaned_data["note"])


ACTIONS: dict[str, dict[str, Any]] = {
    "dispatch": {"title": gettext_lazy("派单"), "form": AssignForm, "run": _dispatch, "done": gettext_lazy("已派单")},
    "reassign": {"title": gettext_lazy("改派"), "form": ReassignForm, "run": _reassign, "done": gettext_lazy("已改派")},
    "take_back": {"title": gettext_lazy("收回"), "form": ReasonForm, "run": _take_back, "done": gettext_lazy("已收回")},
    "cancel": {"title": gettext_lazy("取消工单"), "form": ReasonForm, "run": _cancel, "done": gettext_lazy("已取消")},
    "close": {"title": gettext_lazy("关闭工单"), "form": CloseForm, "run": _close, "done": gettext_lazy("已关闭")},
}


def _make_form(action: str, order: WorkOrder, data: Any = None) -> Any:
    form = ACTIONS[action]["form"](data, initial={"expected_assignee": order.assignee_id})
    if "assignee" in form.fields:
        form.fields["assignee"].choices = _staff_choices(
            order, exclude=order.assignee_id if action == "reassign" else None
        )
    return form


def _next_url(request: HtmxHttpRequest, order: WorkOrder) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target == "board":
        return reverse("workorders:board")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("workorders:order_detail", args=[order.pk])


def _action_view(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    order = selectors.access_order(user=request.user, pk=pk)
    if not has_permission_in(user=request.user, permission=selectors.DISPATCH, organization=order.organization):
        raise PermissionDenied
    spec = ACTIONS[action]
    error, conflict, done, status = "", False, False, 200
    form = _make_form(action, order, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                order = spec["run"](request, order, form)
                done = True
            except DomainError as exc:
                conflict = isinstance(exc, Conflict)
                placed = show_domain_error(form, exc, on_top=False)
                error = "" if placed else exc.message
                status = exc.status_code
        else:
            status = 400
        if not request.htmx:
            if done:
                messages.success(request, f"{spec['done']}：{order.number}")
                return redirect(_next_url(request, order))
        # A conflict means the board shows stale data: refresh it (the form stays with the message).
    context = {
        "order": order,
        "action": action,
        "title": spec["title"],
        "form": form,
        "error": error,
        "conflict": conflict,
        "done": done,
        "done_label": spec["done"],
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "post_url": reverse(f"workorders:order_{action}", args=[order.pk]),
    }
    if request.htmx:
        response = render(request, "workorders/board/_action_form.html", context)
        if done or conflict:
            events = {REFRESH_EVENT: True}
            if done:
                events["wo-action-done"] = True
            response["HX-Trigger"] = json.dumps(events)
        return response
    return render(request, "workorders/board/action_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def order_dispatch_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """派单 (WO-04): choose a serviceman — available first, with their current load (WO-05)."""
    return _action_view(request, pk, "dispatch")


@login_required
@require_http_methods(["GET", "POST"])
def order_reassign_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """改派 (WO-04): another serviceman, with a reason; the SLA clocks keep running."""
    return _action_view(request, pk, "reassign")


@login_required
@require_http_methods(["GET", "POST"])
def order_take_back_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """收回 (WO-04): back into the queue, with a reason."""
    return _action_view(request, pk, "take_back")


@login_required
@require_http_methods(["GET", "POST"])
def order_cancel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """取消: an open order is cancelled with a reason (kept in the register)."""
    return _action_view(request, pk, "cancel")


@login_required
@require_http_methods(["GET", "POST"])
def order_close_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """关闭: a returned order is closed by the dispatcher or the manager."""
    return _action_view(request, pk, "close")
