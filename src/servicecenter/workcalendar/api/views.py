"""The working-time API of a center's business calendar (C-01): is an instant working time, add working minutes,
working minutes between two instants, and a month of days. Read-only; the organization must be one whose
calendar the user may view (else 404). Bad input → 400 in the {code, message, fields, clause} format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core.errors import ValidationFailed
from servicecenter.policy.values import zone_of

from .. import selectors
from ..engine import COVERAGE_WARNING_MESSAGE, NoWorkingTimeError
from ..forms import MAX_MINUTES, parse_instant
from .serializers import (
    AddMinutesOutputSerializer,
    BetweenOutputSerializer,
    DaysOutputSerializer,
    IsWorkingOutputSerializer,
)

MAX_SPAN_DAYS = 3660
"""`between` refuses spans over ten years: the answer would take long and mean nothing for an SLA."""

ISO_HELP = "ISO 8601 with a time zone, e.g. 2025-10-09T09:00:00+08:00 (URL-encode '+' as %2B)."


def _instant(request: Request, name: str) -> datetime:
    raw = request.query_params.get(name, "")
    try:
        return parse_instant(raw, zone_of(None), require_tz=True)
    except ValueError as exc:
        raise ValidationFailed(f"参数 {name} 无效：{exc}", fields={name: [str(exc)]}, clause="C-01") from None


def _minutes(request: Request) -> int:
    raw = request.query_params.get("minutes", "").strip()
    message = f"minutes 应为 0 到 {MAX_MINUTES} 之间的整数"
    try:
        minutes = int(raw)
    except ValueError:
        raise ValidationFailed(message, fields={"minutes": [message]}, clause="C-01") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(message, fields={"minutes": [message]}, clause="C-01")
    return minutes


def _month(request: Request) -> tuple[int, int]:
    raw = request.query_params.get("month", "").strip()
    message = "month 格式应为 YYYY-MM（1970–2100 年），如 2025-10"
    try:
        year_text, month_text = raw.split("-")
        year, month = int(year_text), int(month_text)
        date(year, month, 1)
    except ValueError:
        raise ValidationFailed(message, fields={"month": [message]}) from None
    if not 1970 <= year <= 2100:
        raise ValidationFailed(message, fields={"month": [message]})
    return year, month


def _override(day: selectors.CalendarDay) -> dict[str, Any] | None:
    if day.override is None:
        return None
    return {"name": day.override.name, "is_open": day.override.is_open}


def _no_working_time() -> ValidationFailed:
    message = _("该中心在此后两年内没有营业时间，无法计算")
    return ValidationFailed(message, code="no_working_time", clause="C-01")


class IsWorkingApi(APIView):
    @extend_schema(
        summary="Is this instant working time at the organization? (C-01)",
        parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, required=True, description=ISO_HELP)],
        responses=IsWorkingOutputSerializer,
    )
    def get(self, request: Request, org_id: int) -> Response:
        organization = selectors.access_calendar_organization(user=request.user, pk=org_id)
        at = _instant(request, "at")
        info = selectors.describe_instant(organization=organization, at=at)
        day = info.day
        return Response(
            {
                "organization": organization.pk,
                "at": info.local.isoformat(),
                "working": info.working,
                "day_kind": str(day.kind),
                "day_kind_label": day.kind_label,
                "day_name": day.holiday_name,
                "periods": day.period_ranges,
                "season": day.season,
                "override": _override(day),
                "citation": info.citation,
            }
        )


class AddMinutesApi(APIView):
    @extend_schema(
        summary="Add working minutes to an instant: the due time (C-01, WO-03)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description=ISO_HELP),
            OpenApiParameter("minutes", OpenApiTypes.INT, required=True, description=f"0 … {MAX_MINUTES}"),
        ],
        responses=AddMinutesOutputSerializer,
    )
    def get(self, request: Request, org_id: int) -> Response:
        organization = selectors.access_calendar_organization(user=request.user, pk=org_id)
        start = _instant(request, "start")
        minutes = _minutes(request)
        try:
            answer = selectors.add_working_minutes(organization=organization, start=start, minutes=minutes)
        except NoWorkingTimeError:
            raise _no_working_time() from None
        return Response(
            {
                "organization": organization.pk,
                "start": start.astimezone(answer.value.tzinfo).isoformat(),
                "minutes": minutes,
                "due": answer.value.isoformat(),
                "citation": answer.citation,
            }
        )


class BetweenApi(APIView):
    @extend_schema(
        summary="Working minutes between two instants (C-01, C-09)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description=ISO_HELP),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True, description=ISO_HELP),
        ],
        responses=BetweenOutputSerializer,
    )
    def get(self, request: Request, org_id: int) -> Response:
        organization = selectors.access_calendar_organization(user=request.user, pk=org_id)
        start = _instant(request, "start")
        end = _instant(request, "end")
        if abs((end - start).days) > MAX_SPAN_DAYS:
            message = "start 与 end 相距不能超过 10 年"
            raise ValidationFailed(message, fields={"end": [message]}, clause="C-01")
        answer = selectors.working_minutes_between(organization=organization, start=start, end=end)
        minutes = answer.value
        tz = zone_of(organization)
        return Response(
            {
                "organization": organization.pk,
                "start": start.astimezone(tz).isoformat(),
                "end": end.astimezone(tz).isoformat(),
                "minutes": int(minutes) if float(minutes).is_integer() else minutes,
                "citation": answer.citation,
            }
        )


class DaysApi(APIView):
    @extend_schema(
        summary="The days of a month: kind, holiday name, periods, season, override (C-01, C-02)",
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM, e.g. 2025-10")],
        responses=DaysOutputSerializer,
    )
    def get(self, request: Request, org_id: int) -> Response:
        organization = selectors.access_calendar_organization(user=request.user, pk=org_id)
        year, month = _month(request)
        view = selectors.month_view(organization=organization, year=year, month=month)
        warning = view.center.calendar.coverage_warning(year)
        return Response(
            {
                "organization": organization.pk,
                "month": f"{year:04d}-{month:02d}",
                "coverage_warning": _(COVERAGE_WARNING_MESSAGE) % {"year": year} if warning else None,
                "days": [
                    {
                        "date": d.day.isoformat(),
                        "weekday": d.day.isoweekday(),
                        "day_kind": str(d.kind),
                        "day_kind_label": d.kind_label,
                        "day_name": d.holiday_name,
                        "working": d.is_open,
                        "round_the_clock": d.round_the_clock,
                        "periods": d.period_ranges,
                        "season": d.season,
                        "override": _override(d),
                    }
                    for d in view.days
                ],
            }
        )
