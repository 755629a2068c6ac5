"""Inbox pages: the list with 全部/未读 tabs, mark one read (htmx row), mark all read (STYLE.md §2.9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.htmx import HtmxHttpRequest

from . import selectors, services

PAGE_SIZE = 20
FAILURES_SHOWN = 20


@require_GET
@login_required
def inbox_view(request: HtmxHttpRequest) -> HttpResponse:
    """My notifications, newest first, 20 a page; tab ?filter=unread shows only the unread ones.

    Administrators (core.view_auditevent somewhere) also see the 投递失败 section: dead deliveries of their
    organizations, so that no message is lost silently.
    """
    return _render_inbox(
        request, unread_only=request.GET.get("filter") == "unread", page_number=request.GET.get("page")
    )


def _render_inbox(request: HtmxHttpRequest, *, unread_only: bool, page_number: str | None = None) -> HttpResponse:
    page = Paginator(selectors.notification_list_for(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        page_number
    )
    context = {"page": page, "unread_only": unread_only, "show_failures": False}
    if selectors.can_see_delivery_failures(user=request.user):
        failures = selectors.delivery_failures_visible_to(user=request.user)
        context |= {
            "show_failures": True,
            "failures": failures[:FAILURES_SHOWN],
            "failure_count": failures.count(),
        }
    return render(request, "notifications/notification_inbox.html", context)


@require_POST
@login_required
def mark_read_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read. htmx: the updated row (and the navbar badge out of band: `nav_unread` comes
    from the context processor, counted after the change); otherwise a
    redirect to `next` (the notification's link, when the title was clicked) or back to the inbox."""
    notification = selectors.access_notification(user=request.user, pk=pk)
    notification = services.notification_mark_read(actor=request.user, notification_id=notification.pk)
    if request.htmx:
        return render(
            request,
            "notifications/_partials/notification_row.html",
            {"n": notification, "oob_badge": True},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read_view(request: HtmxHttpRequest) -> HttpResponse:
    """Mark all my notifications read and show the inbox again (200; repeating the POST changes nothing more)."""
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    return _render_inbox(request, unread_only=False)
