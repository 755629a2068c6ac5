"""每日积分核对 (PTS-04): a center-day's entries grouped per staff member, with the reason of each (the stored
citation), the totals, and the order clerk's check — all the drafts («核对全部») or the ticked ones
(services.day_verify). The G-04 banner says when attendance deductions are not counted yet. Post/redirect/get: a
second click finds the entries verified and the service says so.

Viewing needs points.view_ledger (the finance clerk checks the drafts before the month lock); verifying needs
points.verify_points (the order clerk, the manager)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.core.access import has_permission_in
from servicecenter.core.errors import DomainError, NotAllowed
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today, resolve_many

from .. import policies, selectors, services
from ..choices import Category, EntryStatus, Source
from ..forms import DayForm, VerifyForm
from ..models import DailyCheck
from .common import SourceLinks, name_of, pick_center, url_pattern


def daily_url(center: Organization, day: date) -> str:
    return f"{reverse('points:daily')}?center={center.pk}&day={day:%Y-%m-%d}"


# What a row shows (hundreds a day: no other column is loaded, no timestamp parsed that is not shown).
ROW_FIELDS = (
    "staff__name",
    "staff__staff_no",
    "points",
    "category",
    "source",
    "source_id",
    "source_label",
    "rule",
    "clause",
    "citation",
    "status",
    "verified_by_id",
    "verified_at",
    "reverses_id",
)
ROW = (
    '<li class="list-group-item py-2 entry-row {row_class}" data-pk="{pk}"><div class="d-flex gap-2 align-items-start">'
    "{check}"
    '<div class="flex-grow-1"><div class="d-flex justify-content-between gap-2">'
    '<label for="entry-{pk}" class="mb-0">{source} · {source_link}</label>'
    '<strong class="text-nowrap{negative}">{points}</strong></div>'
    '<div class="small text-body-secondary">{category} · {rule} · <span class="clause">{clause}</span> · '
    '<span class="badge {badge} entry-status">{status}</span>{verified}{reverses} · <a href="{url}">{detail}</a></div>'
    '<details class="small why"><summary>{why}</summary>'
    '<div class="text-body-secondary" style="white-space: pre-wrap">{citation}</div></details>'
    "</div></div></li>"
)


def _row_html(entry: Any, *, can_verify: bool, words: dict[str, str]) -> str:
    """One entry's row of the daily page, built with format_html (every value escaped): a center-day has hundreds of
    rows, and the template engine's per-variable cost made the page miss its 100 ms budget
    (bench/results.d/points.md)."""
    draft = entry.status == EntryStatus.DRAFT
    check = (
        format_html(
            '<input class="form-check-input mt-1 entry-check" type="checkbox" name="entry" value="{}" id="entry-{}"'
            ' aria-label="{}">',
            entry.pk,
            entry.pk,
            words["select"],
        )
        if can_verify and draft
        else mark_safe('<span style="width:1em"></span>')  # noqa: S308 - a constant
    )
    label = entry.source_label or (str(entry.source_id) if entry.source_id else "")
    link = format_html('<a href="{}">{}</a>', entry.source_url, label) if entry.source_url else label
    verified = (
        format_html(" {} {}", entry.verified_name, f"{timezone.localtime(entry.verified_at):%H:%M}")
        if entry.verified_name and entry.verified_at
        else ""
    )
    reverses = (
        format_html(' · {} <a href="{}">#{}</a>', words["reversal"], entry.reverses_url, entry.reverses_id)
        if entry.reverses_url
        else ""
    )
    return format_html(
        ROW,
        row_class="entry-draft" if draft else "entry-verified",
        pk=entry.pk,
        check=check,
        source=entry.source_display,
        source_link=link,
        negative=" text-danger" if entry.points < 0 else "",
        points=str(entry.points),
        category=entry.category_display,
        rule=entry.rule_text,
        clause=entry.clause,
        badge="text-bg-warning" if draft else "text-bg-success",
        status=entry.status_label,
        verified=verified,
        reverses=reverses,
        url=entry.url,
        detail=words["detail"],
        why=words["why"],
        citation=entry.citation or "—",
    )


def _groups(entries: list[Any], *, expand: Any, can_verify: bool = False) -> list[dict[str, Any]]:
    """Entries per staff member, each row's labels and links worked out once here (the page draws hundreds of
    rows: no per-row display lookups or URL reversing in the template, one name lookup per verifier, one label per
    rule). A staff member whose entries are all verified is collapsed to one line unless `expand(staff_id)` says
    otherwise; the rows of a collapsed group are not prepared at all."""
    groups: dict[int, dict[str, Any]] = {}
    for entry in entries:
        group = groups.get(entry.staff_id)
        if group is None:
            group = groups[entry.staff_id] = {
                "staff": entry.staff,
                "entries": [],
                "total": Decimal("0.00"),
                "verified": Decimal("0.00"),
                "drafts": 0,
            }
        group["entries"].append(entry)
        group["total"] += entry.points
        if entry.status == EntryStatus.VERIFIED:
            group["verified"] += entry.points
        else:
            group["drafts"] += 1
    for staff_id, group in groups.items():
        group["expanded"] = bool(group["drafts"]) or expand(staff_id)
    shown = [entry for group in groups.values() if group["expanded"] for entry in group["entries"]]
    links = SourceLinks()
    # Labels as plain strings, translated once (a lazy label would be translated again at every escape).
    statuses = {k: str(v) for k, v in EntryStatus.choices}
    sources = {k: str(v) for k, v in Source.choices}
    categories = {k: str(v) for k, v in Category.choices}
    entry_url = url_pattern("points:entry")
    verifier_ids = {entry.verified_by_id for entry in shown} - {None}
    names: dict[int | None, str] = {None: ""} | {
        u.pk: name_of(u) for u in get_user_model().objects.filter(pk__in=verifier_ids).select_related("staff")
    }
    rules: dict[str, str] = {}
    words = {"select": _("选择"), "reversal": _("冲正"), "detail": _("详情"), "why": _("为什么？")}
    for entry in shown:
        entry.source_url = links(entry)
        entry.status_label = statuses.get(entry.status, entry.status)
        entry.source_display = sources.get(entry.source, entry.source)
        entry.category_display = categories.get(entry.category, entry.category)
        entry.url = entry_url.format(pk=entry.pk)
        entry.reverses_url = entry_url.format(pk=entry.reverses_id) if entry.reverses_id else ""
        entry.verified_name = names.get(entry.verified_by_id, "")
        if entry.rule not in rules:
            rules[entry.rule] = entry.rule_label
        entry.rule_text = rules[entry.rule]
        entry.html = _row_html(entry, can_verify=can_verify, words=words)
    return list(groups.values())


def _recipients(check: DailyCheck | None) -> dict[str, list[str]]:
    if check is None or not check.summary_recipients:
        return {}
    data = check.summary_recipients
    ids = [int(i) for i in (data.get("to") or []) + (data.get("cc") or []) if str(i).isdigit()]
    users = get_user_model().objects.filter(pk__in=ids).select_related("staff") if ids else []
    names = {u.pk: name_of(u) for u in users}
    return {
        "to": [names.get(int(i), str(i)) for i in data.get("to") or []],
        "cc": [names.get(int(i), str(i)) for i in data.get("cc") or []],
        "missing": [str(c) for c in data.get("missing") or []],
    }


def _page(
    request: HttpRequest,
    center: Organization,
    centers: list[Organization],
    day: date,
    *,
    form: VerifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    entries = list(
        selectors.day_entries(organization=center, day=day)
        .select_related(None)
        .select_related("staff")
        .only(*ROW_FIELDS)
    )
    today = local_today(center)
    opened = str(request.GET.get("open", ""))
    # Today's page shows every row (the clerk sees what was verified); on other days a staff member whose rows are
    # all verified is one line, opened on request (?open=<staff id> or ?open=all).
    can_verify = day <= today and has_permission_in(user=request.user, permission=selectors.VERIFY, organization=center)
    groups = _groups(
        entries,
        expand=lambda staff_id: day == today or opened == "all" or opened == str(staff_id),
        can_verify=can_verify,
    )
    check = DailyCheck.objects.filter(organization=center, day=day).select_related("verified_by__staff").first()
    deductions = policies.deductions_in_force(resolve_many(services.DEDUCTION_KEYS, org=center, at=day))
    drafts = sum(g["drafts"] for g in groups)
    context = {
        "center": center,
        "centers": centers,
        "day": day,
        "today": today,
        "prev_url": daily_url(center, day - timedelta(days=1)),
        "next_url": daily_url(center, day + timedelta(days=1)) if day < today else "",
        "today_url": daily_url(center, today) if day != today else "",
        "groups": groups,
        "open_url": daily_url(center, day) + "&open=",
        "collapsed": sum(1 for g in groups if not g["expanded"]),
        "count": len(entries),
        "drafts": drafts,
        "day_total": sum((e.points for e in entries), Decimal("0.00")),
        "day_verified": sum((e.points for e in entries if e.status == EntryStatus.VERIFIED), Decimal("0.00")),
        "check": check,
        "checked_by": name_of(check.verified_by) if check is not None and check.verified_by_id else "",
        "recipients": _recipients(check),
        "deductions_set": deductions.complete,
        "deduction_url": _deduction_url(),
        "can_verify": can_verify,
        "form": form,
        "month_url": reverse("points:month", args=[center.pk, f"{day:%Y-%m}"]),
        "locked": selectors.is_locked(organization=center, day=day),
    }
    return render(request, "points/daily.html", context, status=status)


def _deduction_url() -> str:
    try:
        return reverse("policy:parameter_detail", args=["points.deduction.late"])
    except Exception:  # noqa: BLE001 - the policy pages are optional in a trimmed install
        return ""


@login_required
@require_GET
def daily_view(request: HttpRequest) -> HttpResponse:
    """The day's entries of one center (default: the user's center, today)."""
    picker = DayForm(request.GET)
    if not picker.is_valid():
        center, centers = pick_center(request.user, None, selectors.VIEW_LEDGER)
        return render(
            request,
            "points/daily_bad.html",
            {"picker": picker, "back": daily_url(center, local_today(center))},
            status=400,
        )
    center, centers = pick_center(request.user, picker.cleaned_data.get("center"), selectors.VIEW_LEDGER)
    day = picker.cleaned_data.get("day") or local_today(center)
    return _page(request, center, centers, day)


@login_required
@require_POST
def daily_verify_view(request: HttpRequest) -> HttpResponse:
    """核对全部 / 核对所选 → services.day_verify, then back to the day (PRG)."""
    form = VerifyForm(request.POST)
    center_raw = request.POST.get("center")
    center, centers = pick_center(
        request.user, center_raw if str(center_raw or "").isdigit() else None, selectors.VIEW_LEDGER
    )
    if not form.is_valid():
        day = form.cleaned_data.get("day") or local_today(center)
        return _page(request, center, centers, day, form=form, status=400)
    day = form.cleaned_data["day"]
    ids = None if form.cleaned_data.get("all") else form.cleaned_data["entry"]
    try:
        check = services.day_verify(actor=request.user, organization=center, day=day, entry_ids=ids)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, center, centers, day, form=form, status=exc.status_code)
    messages.success(request, _("已核对，当日累计核对 %(n)s 条") % {"n": check.verified_count})
    return redirect(daily_url(center, day))
