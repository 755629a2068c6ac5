"""Points API (/api/v1/points/): thin views over points.selectors (scoped with core.access) and points.services.

Reads need points.view_ledger (the board: points.view_board); a caller holding it in no center gets 403, a record
or center outside the caller's reach 404. Each action calls one service, which checks the permission (403), the
state (409: already reversed, month already locked) and the input (400). The instant reward create takes an
`Idempotency-Key` header (core.idempotency). Errors: {code, message, fields, clause}.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core import idempotency
from servicecenter.core.access import has_permission_anywhere
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import IDEMPOTENCY_HEADER, Pagination
from servicecenter.core.errors import NotAllowed
from servicecenter.org.models import Organization
from servicecenter.policy.values import local_today, value

from .. import policies, selectors, services
from ..choices import EntryStatus, MonthStatus
from ..forms import parse_month
from ..models import MonthClose, PointEntry, ReversalRequest
from .serializers import (
    BoardQuerySerializer,
    BoardSerializer,
    DailyCheckSerializer,
    DayVerifySerializer,
    EntryFilterSerializer,
    InstantRewardSerializer,
    LockSerializer,
    MonthSerializer,
    PointEntrySerializer,
    ReasonSerializer,
    ReversalRequestSerializer,
    RewardCreateSerializer,
)


def _require_anywhere(user: Any, permission: str, message: str) -> None:
    if not has_permission_anywhere(user=user, permission=permission):
        raise NotAllowed(message)


def _reversed_map(entries: list[PointEntry]) -> dict[int, int]:
    ids = [e.pk for e in entries]
    if not ids:
        return {}
    return dict(PointEntry.objects.filter(reverses_id__in=ids).values_list("reverses_id", "pk"))


def _entry_data(entry: PointEntry) -> dict[str, Any]:
    return dict(PointEntrySerializer(entry, context={"reversed_by": _reversed_map([entry])}).data)


class EntryListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="积分明细（最新日期在前）/ Ledger entries, newest day first",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("staff", int, description="员工（Staff）id"),
            OpenApiParameter("day_from", OpenApiTypes.DATE, description="积分日期不早于"),
            OpenApiParameter("day_to", OpenApiTypes.DATE, description="积分日期不晚于"),
            OpenApiParameter("status", str, description="draft | verified"),
            OpenApiParameter("category", str, description="work | reward | penalty | fixed"),
        ],
        responses={200: PointEntrySerializer(many=True), 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require_anywhere(request.user, selectors.VIEW_LEDGER, _("您没有查看积分明细的权限"))
        filters = EntryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        center = None
        if values.get("center"):
            center = selectors.access_center(user=request.user, pk=values["center"], permission=selectors.VIEW_LEDGER)
        qs = selectors.ledger(user=request.user, organization=center).select_related("verified_by__staff")
        if values.get("staff"):
            qs = qs.filter(staff_id=values["staff"])
        if values.get("day_from"):
            qs = qs.filter(day__gte=values["day_from"])
        if values.get("day_to"):
            qs = qs.filter(day__lte=values["day_to"])
        for name in ("status", "category"):
            if values.get(name):
                qs = qs.filter(**{name: values[name]})
        paginator = Pagination()
        page: Any = paginator.paginate_queryset(qs, request, view=self)
        context = {"reversed_by": _reversed_map(list(page))}
        return paginator.get_paginated_response(PointEntrySerializer(page, many=True, context=context).data)


class EntryDetailApi(APIView):
    @extend_schema(
        summary="积分记录（含依据、核对人、冲正关系、审批）/ One entry with its citation, verification and reversal",
        responses={200: PointEntrySerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_entry_data(selectors.access_entry(user=request.user, pk=pk)))


class EntryReverseApi(APIView):
    @extend_schema(
        summary="冲正一条记录 / Reverse an entry",
        description=(
            "未锁定的月份：立即写入冲正记录（−积分），返回 201 与冲正记录。已复核锁定的月份（PTS-09）：生成冲正申请交"
            "服务中心经理审批，返回 202 与申请；批准后才写入标为「锁定后冲正」的记录。已冲正、冲正记录本身或已有待审批"
            "申请：409。"
        ),
        request=ReasonSerializer,
        responses={
            201: PointEntrySerializer,
            202: ReversalRequestSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = selectors.access_entry(user=request.user, pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.entry_reverse(actor=request.user, entry_id=entry.pk, reason=data.validated_data["reason"])
        if isinstance(result, ReversalRequest):
            return Response(ReversalRequestSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        return Response(_entry_data(result), status=status.HTTP_201_CREATED)


class DayVerifyApi(APIView):
    @extend_schema(
        summary="核对一天的积分（PTS-04）/ Verify a center-day's draft entries",
        description=(
            "不填 entry_ids 核对当日全部待核对记录；填了只核对这些（任何一条不是本中心当日的待核对记录则 400，"
            "什么都不改）。未来日期 400。"
        ),
        request=DayVerifySerializer,
        responses={200: DailyCheckSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = DayVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _require_anywhere(request.user, selectors.VERIFY, _("您没有核对积分的权限"))
        center = selectors.access_center(user=request.user, pk=values["center"], permission=selectors.VIEW_LEDGER)
        check = services.day_verify(
            actor=request.user, organization=center, day=values["day"], entry_ids=values.get("entry_ids")
        )
        return Response(DailyCheckSerializer(check).data)


def _board_center(user: Any, raw: Any) -> Organization:
    if raw:
        return selectors.access_center(user=user, pk=raw, permission=selectors.VIEW_BOARD)
    center = selectors.default_center(user=user, permission=selectors.VIEW_BOARD)
    if center is None:
        raise Http404
    return center


class BoardApi(APIView):
    @extend_schema(
        summary="积分公示表（PUB-01：仅姓名、工号与积分）/ The points board",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id，默认本人所在中心"),
            OpenApiParameter("month", str, description="YYYY-MM，默认本月"),
            OpenApiParameter("day", OpenApiTypes.DATE, description="截至日期，默认今天（该月已过则为月末）"),
        ],
        responses={200: BoardSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        _require_anywhere(request.user, selectors.VIEW_BOARD, _("您没有查看积分公示的权限"))
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        center = _board_center(request.user, values.get("center"))
        today = local_today(center)
        month = parse_month(values.get("month")) or policies.month_of(values.get("day") or today)
        day = values.get("day") or min(today, policies.month_end(month))
        if policies.month_of(day) != month:
            from servicecenter.core.errors import ValidationFailed

            raise ValidationFailed(_("截至日期须在所选月份内"), fields={"day": [_("截至日期须在所选月份内")]})
        rows = selectors.board_rows(organization=center, month=month, day=day)
        body = {"center": center.pk, "month": f"{month:%Y-%m}", "day": day, "rows": rows}
        return Response(BoardSerializer(body).data)


def _month_access(user: Any, center_pk: int, raw: str) -> tuple[Organization, date]:
    _require_anywhere(user, selectors.VIEW_LEDGER, _("您没有查看月度积分的权限"))
    center = selectors.access_center(user=user, pk=center_pk, permission=selectors.VIEW_LEDGER)
    month = parse_month(raw)
    if month is None:
        raise Http404
    return center, month


def _month_data(center: Organization, month: date) -> dict[str, Any]:
    from servicecenter.core.actors import display_name

    today = local_today(center)
    end = policies.month_end(month)
    close = MonthClose.objects.filter(organization=center, month=month).select_related("locked_by__staff").first()
    locked = close is not None and close.status == MonthStatus.LOCKED
    snapshot = (close.snapshot or {}) if close is not None and locked else {}
    rows = []
    for r in selectors.board_rows(organization=center, month=month, day=end):
        snap = snapshot.get(str(r.staff_id)) if locked else None
        before = Decimal(snap["total"]) if snap else None
        rows.append(
            {
                "staff_id": r.staff_id,
                "staff_no": r.staff_no,
                "name": r.name,
                "day_points": r.day_points,
                "month_work": r.month_work,
                "auxiliary": r.auxiliary,
                "fixed": r.fixed,
                "total": r.total,
                "snapshot_total": before,
                "changed": locked and (before if before is not None else Decimal("0.00")) != r.total,
            }
        )
    raw = value("points.month_recheck_deadline_day", org=center, at=today).value
    try:
        last = max(1, min(int(raw), 28))
    except (TypeError, ValueError):
        last = 5
    following = date(end.year + end.month // 12, end.month % 12 + 1, 1)
    deadline = following.replace(day=last)
    drafts = PointEntry.objects.filter(
        organization=center, day__gte=month, day__lte=end, status=EntryStatus.DRAFT
    ).count()
    reversals = list(
        selectors.after_lock_reversals(organization=center, month=month).select_related("verified_by__staff")
    )
    return {
        "center": center.pk,
        "month": f"{month:%Y-%m}",
        "status": close.status if close is not None else MonthStatus.OPEN,
        "locked_by": close.locked_by_id if close is not None else None,
        "locked_by_name": display_name(close.locked_by) if close is not None and close.locked_by_id else "",
        "locked_at": close.locked_at if close is not None else None,
        "note": close.note if close is not None else "",
        "deadline": deadline,
        "overdue": not locked and today > deadline,
        "settled_at": close.settled_at if close is not None else None,
        "drafts": drafts,
        "rows": rows,
        "after_lock_reversals": reversals,
    }


class MonthApi(APIView):
    @extend_schema(
        summary="月度复核状态与积分表（PTS-09）/ A center's month: state, deadline, rows, after-lock reversals",
        responses={200: MonthSerializer, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request, center_pk: int, month: str) -> Response:
        center, first = _month_access(request.user, center_pk, month)
        return Response(MonthSerializer(_month_data(center, first), context={"reversed_by": {}}).data)


class MonthLockApi(APIView):
    @extend_schema(
        summary="复核无误并锁定（PTS-09）/ Recheck and lock the month",
        description="月份未结束或仍有待核对记录：400；已锁定：409。锁定时保存每人合计的快照。",
        request=LockSerializer,
        responses={200: MonthSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, center_pk: int, month: str) -> Response:
        center, first = _month_access(request.user, center_pk, month)
        data = LockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.month_lock(actor=request.user, organization=center, month=first, note=data.validated_data["note"])
        return Response(MonthSerializer(_month_data(center, first), context={"reversed_by": {}}).data)


class RewardCreateApi(APIView):
    @extend_schema(
        summary="登记及时奖励（PTS-28，送服务中心经理审批，支持 Idempotency-Key）/ Request an instant reward",
        description="积分与金额至少填一项，均须大于 0；员工须属本中心；日期不晚于今天。",
        parameters=[IDEMPOTENCY_HEADER],
        request=RewardCreateSerializer,
        responses={201: InstantRewardSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 422: ERROR},
    )
    def post(self, request: Request) -> Response:
        return idempotency.replay_or_run(request, scope="points.reward.create", run=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = RewardCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _require_anywhere(request.user, selectors.VERIFY, _("您没有登记及时奖励的权限"))
        center = selectors.access_center(user=request.user, pk=values["center"], permission=selectors.VIEW_LEDGER)
        reward = services.instant_reward_request(
            actor=request.user,
            organization=center,
            staff_id=values["staff"],
            day=values["day"],
            reason=values["reason"],
            points=values.get("points"),
            amount_cny=values.get("amount_cny"),
        )
        return Response(InstantRewardSerializer(reward).data, status=status.HTTP_201_CREATED)
