"""Callback API (/api/v1/callbacks/): thin views over the selectors (callbacks.selectors, scoped with core.access)
and the services (callbacks.services, callbacks.surveys).

Every action is its own endpoint calling exactly one service: the record is first looked up in the caller's scope
(outside it: 404), then the service checks the permission for the action (403), the state (409, e.g. «该回访正由 X
进行») and the input (400, with the clause where a rule refused it: CB-01, CB-05, CMP-06). A list asked for by someone
who holds its permission in no center is a 403. Creates take an `Idempotency-Key` header (core.idempotency).
Errors: {code, message, fields, clause}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecenter.core import idempotency
from servicecenter.core.api import ERROR_RESPONSE as ERROR
from servicecenter.core.api import IDEMPOTENCY_HEADER, Pagination
from servicecenter.core.errors import ValidationFailed
from servicecenter.org.selectors import mask_phone
from servicecenter.policy.values import resolve_many

from .. import policies, selectors, services
from ..models import CallbackTask
from .serializers import (
    ATTEMPT_RESULTS,
    CallbackAnswerSerializer,
    CallbackAttemptInputSerializer,
    CallbackEmptySerializer,
    CallbackReasonSerializer,
    CallbackTaskDetailSerializer,
    CallbackTaskFilterSerializer,
    CallbackTaskSerializer,
    FollowUpFilterSerializer,
    FollowUpResolveSerializer,
    FollowUpSerializer,
    OpinionCloseSerializer,
    OpinionCreateSerializer,
    OpinionFilterSerializer,
    OpinionSerializer,
    RatingCreateSerializer,
    RatingFilterSerializer,
    RatingSerializer,
)


def _context(request: Request) -> dict[str, Any]:
    """What the output serializers need: the phone rule (full for callers who may call) and the clock."""
    user = request.user
    return {
        "now": timezone.now(),
        "phone_for": lambda phone, organization: (
            phone if selectors.can_see_phone(user=user, organization=organization) else mask_phone(phone)
        ),
    }


def _page(request: Request, view: APIView, qs: Any, serializer: type[serializers.Serializer]) -> Response:
    paginator = Pagination()
    page: Any = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True, context=_context(request)).data)


# --- tasks ------------------------------------------------------------------------------------------------------


def _questionnaire(task: CallbackTask) -> dict[str, Any]:
    """The questionnaire of a callback (the version it was answered with, else the one in force, C-10) with its
    scripts rendered for the center and its hotline (CB-08)."""
    questionnaire = task.questionnaire or services.questionnaire_for(task.organization)
    params = resolve_many(
        ["callbacks.hotline_number", "callbacks.score_range"], org=task.organization, at=timezone.now()
    )
    hotline = params["callbacks.hotline_number"].value
    low, high = policies.score_range(params["callbacks.score_range"].value)
    center = task.organization.name
    return {
        "id": questionnaire.pk,
        "name": questionnaire.name,
        "version": questionnaire.version,
        "opening": policies.render_script(questionnaire.opening, center=center, hotline=hotline),
        "closing": policies.render_script(questionnaire.closing, center=center, hotline=hotline),
        "fee_reminder": questionnaire.fee_reminder,
        "score_min": low,
        "score_max": high,
        "questions": [_question(q) for q in questionnaire.questions if isinstance(q, dict)],
    }


def _question(raw: dict[str, Any]) -> dict[str, Any]:
    """A stored question as the schema documents it (a center's questionnaire is JSON: keep only well-formed keys)."""
    question: dict[str, Any] = {
        "code": str(raw.get("code", "")),
        "type": str(raw.get("type", "")),
        "role": str(raw.get("role", "")),
        "label": str(raw.get("label", "")),
        "required": bool(raw.get("required")),
    }
    if isinstance(raw.get("choices"), list):
        question["choices"] = [str(c) for c in raw["choices"]]
    for key in ("min", "max"):
        try:
            question[key] = int(raw[key])
        except (KeyError, TypeError, ValueError):
            pass
    if raw.get("clause"):
        question["clause"] = str(raw["clause"])
    return question


def _task_detail(request: Request, pk: int) -> dict[str, Any]:
    task = selectors.access_task(user=request.user, pk=pk)
    context = {
        **_context(request),
        "questionnaire": _questionnaire(task),
        "followup": selectors.task_followup(task),
        "attempts": selectors.task_attempts(task=task),
    }
    return dict(CallbackTaskDetailSerializer(task, context=context).data)


class CallbackTaskListApi(APIView):
    pagination_class = Pagination  # documents GET as a page {count, next, previous, results}

    @extend_schema(
        summary="回访任务列表（本人可见范围）/ Callback tasks visible to me",
        description=(
            "默认排序：status=pending 时按下次回访时间（即回访队列的顺序），已结束的状态按完成时间倒序，"
            "不限状态时按创建时间倒序。电话号码仅对有回访权限者完整显示。"
        ),
        parameters=[
            OpenApiParameter("status", str, description="pending | done | unreachable | cancelled"),
            OpenApiParameter("kind", str, description="after_service | courtesy | rating | care"),
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("technician", int, description="服务人员（Staff）id"),
            OpenApiParameter(
                "due_before", OpenApiTypes.DATETIME, description="回访期限早于该时刻 / due before this instant"
            ),
            OpenApiParameter("ordering", str, description=" | ".join(selectors.API_TASK_ORDERING)),
        ],
        responses={200: CallbackTaskSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        selectors.require_anywhere(user=request.user, permission=selectors.VIEW, message=_("您没有查看回访任务的权限"))
        filters = CallbackTaskFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.task_api_list(user=request.user, filters=filters.validated_data)
        return _page(request, self, qs, CallbackTaskSerializer)


class CallbackTaskDetailApi(APIView):
    @extend_schema(
        summary="回访任务详情（含拨打记录、回答、问卷）/ A callback with its attempts, answers and questionnaire",
        responses={200: CallbackTaskDetailSerializer, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_task_detail(request, pk))


TaskCall = Callable[[Any, CallbackTask, dict[str, Any]], Any]


def _task_action(
    name: str, summary: str, serializer: type[serializers.Serializer], call: TaskCall, *, doc: str = ""
) -> type[APIView]:
    """An APIView whose POST looks the task up in the caller's scope, validates `serializer`, calls one service
    and answers the task as GET …/{id}/ shows it."""

    class _Api(APIView):
        @extend_schema(
            summary=summary,
            description=doc or None,
            request=serializer,
            responses={200: CallbackTaskDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        )
        def post(self, request: Request, pk: int) -> Response:
            task = selectors.access_task(user=request.user, pk=pk)
            data = serializer(data=request.data)
            data.is_valid(raise_exception=True)
            call(request.user, task, dict(data.validated_data))
            return Response(_task_detail(request, task.pk))

    _Api.__name__ = _Api.__qualname__ = name
    _Api.__doc__ = doc or summary
    return _Api


def _answer(user: Any, task: CallbackTask, data: dict[str, Any]) -> Any:
    """The answers' field errors are named as in the request body: answers.<question code>."""
    try:
        return services.task_answer(actor=user, task_id=task.pk, answers=data["answers"])
    except ValidationFailed as exc:
        if exc.fields and exc.clause == "CB-02":  # from policies.clean_answers: keyed by question code
            exc.fields = {f"answers.{key}": messages for key, messages in exc.fields.items()}
        raise


CallbackTaskClaimApi = _task_action(
    "CallbackTaskClaimApi",
    "开始回访（占用任务）/ Claim a callback before calling",
    CallbackEmptySerializer,
    lambda u, t, d: services.task_claim(actor=u, task_id=t.pk),
    doc="任务归调用人占用 callbacks.claim_minutes 分钟；他人正在回访时 409「该回访正由 X 进行」。",
)
CallbackTaskReleaseApi = _task_action(
    "CallbackTaskReleaseApi",
    "放弃占用 / Release my claim",
    CallbackEmptySerializer,
    lambda u, t, d: services.task_release(actor=u, task_id=t.pk),
    doc="只释放调用人自己的占用；他人的占用不受影响。",
)
CallbackTaskAttemptApi = _task_action(
    "CallbackTaskAttemptApi",
    "记录一次未完成的拨打（CB-01 预约 / 未接通）/ Record an unanswered call or an appointment",
    CallbackAttemptInputSerializer,
    lambda u, t, d: services.task_record_attempt(
        actor=u, task_id=t.pk, result=d["result"], note=d["note"], appointment_at=d["appointment_at"]
    ),
    doc=(
        f"result：{' | '.join(ATTEMPT_RESULTS)}。not_convenient 须填 appointment_at（晚于现在，CB-01），任务按预约时间"
        "重新排队；未接通按 callbacks.retry_interval_minutes 再拨，达到 callbacks.max_attempts 次后结束为「无法联系」。"
    ),
)
CallbackTaskAnswerApi = _task_action(
    "CallbackTaskAnswerApi",
    "登记回访回答（CB-02…CB-07，G-03）/ Record the customer's answers",
    CallbackAnswerSerializer,
    _answer,
    doc=(
        "answers 按问卷的问题代码给出，如 D02 问卷：a 问题是否解决（yes/no）、"
        "b 态度（satisfied/average/dissatisfied）、c 是否收费（yes/no）、d 评分（1–10 整数，CB-05）、e 建议。"
        "错误逐题列在 fields 的 answers.<代码> 下。"
        "未解决、不满意或低分时生成跟进（G-03）。"
    ),
)
CallbackTaskCancelApi = _task_action(
    "CallbackTaskCancelApi",
    "取消回访（须填原因，经理）/ Cancel a callback with a reason",
    CallbackReasonSerializer,
    lambda u, t, d: services.task_cancel(actor=u, task_id=t.pk, reason=d["reason"]),
)


# --- follow-ups -------------------------------------------------------------------------------------------------


class FollowUpListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="回访跟进列表（G-03，最新的在前）/ Callback follow-ups, newest first",
        parameters=[
            OpenApiParameter("status", str, description="open | rework | complaint | closed"),
            OpenApiParameter("center", int, description="服务中心 id / center id"),
        ],
        responses={200: FollowUpSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        selectors.require_anywhere(
            user=request.user, permission=selectors.MANAGE, message=_("您没有处理回访跟进的权限")
        )
        filters = FollowUpFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        centers = selectors.api_centers(user=request.user, permission=selectors.MANAGE, center=values.get("center"))
        qs = selectors.followup_list(centers=centers, status=values.get("status") or "").select_related("resolved_by")
        return _page(request, self, qs, FollowUpSerializer)


class FollowUpResolveApi(APIView):
    @extend_schema(
        summary="处理回访跟进：返工 / 转投诉 / 结束（G-03）/ Decide a follow-up: rework, complaint or close",
        request=FollowUpResolveSerializer,
        responses={200: FollowUpSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        followup = selectors.access_followup(user=request.user, pk=pk)
        data = FollowUpResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.followup_resolve(
            actor=request.user,
            followup_id=followup.pk,
            action=values["action"],
            note=values["note"],
            severity=values["severity"],
        )
        fresh = selectors.access_followup(user=request.user, pk=followup.pk)
        return Response(FollowUpSerializer(fresh, context=_context(request)).data)


# --- opinions ---------------------------------------------------------------------------------------------------


def _opinions(request: Request, values: dict[str, Any]) -> Any:
    centers = selectors.api_centers(user=request.user, permission=selectors.MANAGE, center=values.get("center"))
    qs = selectors.opinion_list(
        centers=centers,
        kind=values.get("kind") or "",
        status=values.get("status") or "",
        source=values.get("source") or "",
    )
    return qs.filter(staff_id=values["staff"]) if values.get("staff") else qs


class OpinionListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="客户意见列表（CB-13，最新的在前）/ Customer opinions, newest first",
        parameters=[
            OpenApiParameter("status", str, description="open | closed"),
            OpenApiParameter("kind", str, description="suggestion | grievance | staff_rating"),
            OpenApiParameter("source", str, description="callback | survey | rating | manual"),
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("staff", int, description="涉及人员（Staff）id"),
        ],
        responses={200: OpinionSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        selectors.require_anywhere(
            user=request.user, permission=selectors.MANAGE, message=_("您没有查看客户意见的权限")
        )
        filters = OpinionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return _page(request, self, _opinions(request, filters.validated_data), OpinionSerializer)

    @extend_schema(
        summary="登记客户意见（CB-13，支持 Idempotency-Key）/ Record a customer opinion (idempotent)",
        parameters=[IDEMPOTENCY_HEADER],
        request=OpinionCreateSerializer,
        responses={201: OpinionSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 422: ERROR},
    )
    def post(self, request: Request) -> Response:
        return idempotency.replay_or_run(request, scope="callbacks.opinion.create", run=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = OpinionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        center = selectors.api_center_with_role(user=request.user, pk=values["organization"])
        opinion = services.opinion_record(
            actor=request.user,
            organization=center,
            kind=values["kind"],
            text=values["text"],
            customer_id=values["customer"],
            staff_id=values["staff"],
        )
        out = OpinionSerializer(opinion, context=_context(request))
        return Response(out.data, status=status.HTTP_201_CREATED)


class OpinionCloseApi(APIView):
    @extend_schema(
        summary="答复并关闭客户意见（须有答复，CMP-06）/ Answer and close an opinion (CMP-06)",
        request=OpinionCloseSerializer,
        responses={200: OpinionSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        opinion = selectors.access_opinion(user=request.user, pk=pk)
        data = OpinionCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.opinion_close(actor=request.user, opinion_id=opinion.pk, response=data.validated_data["response"])
        fresh = selectors.access_opinion(user=request.user, pk=opinion.pk)
        return Response(OpinionSerializer(fresh, context=_context(request)).data)


# --- ratings (好差评) -------------------------------------------------------------------------------------------


class RatingListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        summary="好差评列表（最新的在前）/ Service ratings, newest first",
        parameters=[
            OpenApiParameter("center", int, description="服务中心 id / center id"),
            OpenApiParameter("staff", int, description="服务人员（Staff）id"),
            OpenApiParameter("level", int, description="评价等级 1–5（5 最好）"),
            OpenApiParameter("level_max", int, description="等级不高于 / at most this level"),
            OpenApiParameter("channel", str, description="survey_link | on_site | phone | staff_entry"),
            OpenApiParameter("rated_after", OpenApiTypes.DATE, description="评价日期不早于 / rated on or after"),
            OpenApiParameter("rated_before", OpenApiTypes.DATE, description="评价日期不晚于 / rated on or before"),
        ],
        responses={200: RatingSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        selectors.require_anywhere(
            user=request.user, permission=selectors.VIEW_SATISFACTION, message=_("您没有查看好差评的权限")
        )
        filters = RatingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return _page(
            request,
            self,
            selectors.rating_api_list(user=request.user, filters=filters.validated_data),
            RatingSerializer,
        )

    @extend_schema(
        summary="工作人员代录评价（支持 Idempotency-Key）/ Record a rating for an order (idempotent)",
        description="每张工单只能评价一次（已评价 409）；差评生成整改和回访任务。",
        parameters=[IDEMPOTENCY_HEADER],
        request=RatingCreateSerializer,
        responses={201: RatingSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 422: ERROR},
    )
    def post(self, request: Request) -> Response:
        return idempotency.replay_or_run(request, scope="callbacks.rating.create", run=lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        from ..surveys import rating_submit

        data = RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = selectors.order_for_rating(user=request.user, pk=values["order"])
        rating = rating_submit(
            order=order,
            level=values["level"],
            tags=values["tags"],
            comment=values["comment"],
            channel=values["channel"],
            actor=request.user,
        )
        out = RatingSerializer(rating, context=_context(request))
        return Response(out.data, status=status.HTTP_201_CREATED)
