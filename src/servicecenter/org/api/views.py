"""The org API (/api/v1/org/): organizations, staff, roles and role assignments (STYLE.md §2.10).

Querysets come from the selectors (scoped by core.access), objects from the `access_*` helpers (404 when not
visible or not permitted), writes from the services. Nothing is deleted: DELETE answers 405.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..filters import StaffFilterSet
from ..models import Organization, RoleAssignment, Staff
from . import serializers as s


class UserScopedFilterBackend(DjangoFilterBackend):
    """django-filter backend that hands the requesting user to FilterSets that scope their choices by it."""

    def get_filterset_kwargs(self, request: Request, queryset: Any, view: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["user"] = request.user
        return kwargs


@extend_schema_view(
    list=extend_schema(summary="组织列表（本人可见的子树）"),
    retrieve=extend_schema(summary="组织详情"),
)
class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organization units visible to the user. Create under a parent where the user holds org.add_organization;
    update with org.change_organization over the unit; deactivate (`is_active: false`) instead of delete."""

    serializer_class = s.OrganizationSerializer
    lookup_value_converter = "int"  # a non-numeric id matches no route: 404, not a 500 from the query
    filterset_fields = ["kind", "is_active", "parent"]
    queryset = Organization.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> Any:
        return selectors.organization_list_visible_to(user=self.request.user)

    @extend_schema(
        summary="新建组织", request=s.OrganizationCreateSerializer, responses={201: s.OrganizationSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._valid(s.OrganizationCreateSerializer, request.data)
        org = services.organization_create(
            actor=request.user,
            parent=data.get("parent"),
            kind=data["kind"],
            name=data["name"],
            code=data["code"],
            center_type=data.get("center_type", ""),
            address=data.get("address", ""),
            phone=data.get("phone", ""),
        )
        return Response(s.OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改组织（含停用）", request=s.OrganizationUpdateSerializer, responses=s.OrganizationSerializer
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = selectors.access_organization(user=request.user, pk=kwargs["pk"], permission="org.change_organization")
        data = self._valid(s.OrganizationUpdateSerializer, request.data)
        org = services.organization_update(actor=request.user, organization=org, **data)
        return Response(s.OrganizationSerializer(org).data)

    @extend_schema(summary="部分修改组织", request=s.OrganizationUpdateSerializer, responses=s.OrganizationSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def _valid(self, serializer_class: Any, data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="员工列表（本人可见的子树，可筛选）"),
    retrieve=extend_schema(summary="员工详情"),
)
class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff of the subtrees the user may view. Filters: `q` (name/工号/phone), `organization` (subtree),
    `status`, `role` (code). Phones are masked (138****1234) unless the user may change the staff member.
    Status changes: POST /staff/{id}/status/. No delete: a person who leaves gets status `left`."""

    serializer_class = s.StaffSerializer
    lookup_value_converter = "int"  # a non-numeric id matches no route: 404, not a 500 from the query
    filter_backends = [UserScopedFilterBackend]
    filterset_class = StaffFilterSet
    queryset = Staff.objects.none()

    def get_queryset(self) -> Any:
        return selectors.staff_list_visible_to(user=self.request.user)

    @extend_schema(summary="新增员工", request=s.StaffCreateSerializer, responses={201: s.StaffSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.StaffCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff = services.staff_create(
            actor=request.user,
            organization=data["organization"],
            staff_no=data["staff_no"],
            name=data["name"],
            position=data.get("position", ""),
            phone=data.get("phone", ""),
            hire_date=data.get("hire_date"),
            roles=data.get("roles", []),
        )
        return Response(self._out(staff), status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改员工资料", request=s.StaffUpdateSerializer, responses=s.StaffSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        staff = selectors.access_staff(user=request.user, pk=kwargs["pk"], permission="org.change_staff")
        serializer = s.StaffUpdateSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.staff_update(actor=request.user, staff=staff, **serializer.validated_data)
        return Response(self._out(staff))

    @extend_schema(summary="部分修改员工资料", request=s.StaffUpdateSerializer, responses=s.StaffSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="变更在职状态（在岗 / 休假中 / 已离职）", request=s.StaffStatusSerializer, responses=s.StaffSerializer
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        staff = selectors.access_staff(user=request.user, pk=pk, permission="org.change_staff")
        serializer = s.StaffStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.staff_set_status(
            actor=request.user, staff=staff, status=data["status"], on=data.get("on"), note=data.get("note", "")
        )
        return Response(self._out(staff))

    def _out(self, staff: Staff) -> dict[str, Any]:
        fresh = selectors.access_staff(user=self.request.user, pk=staff.pk)
        return s.StaffSerializer(fresh, context=self.get_serializer_context()).data


@extend_schema_view(list=extend_schema(summary="角色列表：管理角色者看到全部，其他人看到本人的角色"))
class RoleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The role catalogue (built-in and configured roles with their permission sets)."""

    serializer_class = s.RoleSerializer
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return selectors.role_list_visible_to(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="角色分配（本人可见的子树）",
        parameters=[
            OpenApiParameter("staff", int, description="员工编号"),
            OpenApiParameter("organization", int, description="组织编号（含下级）"),
            OpenApiParameter("active", str, description="true（默认）/ false / all"),
        ],
    ),
    retrieve=extend_schema(summary="角色分配详情"),
)
class RoleAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Who holds which role over which subtree. Grant with POST (ORG-04 decides), end with POST …/revoke/."""

    serializer_class = s.RoleAssignmentSerializer
    lookup_value_converter = "int"  # a non-numeric id matches no route: 404, not a 500 from the query
    filter_backends: list = []
    queryset = RoleAssignment.objects.none()

    def get_queryset(self) -> Any:
        return selectors.role_assignment_list_visible_to(user=self.request.user, filters=self.request.query_params)

    def get_object(self) -> RoleAssignment:
        return selectors.access_role_assignment(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="授予角色", request=s.RoleAssignmentCreateSerializer, responses={201: s.RoleAssignmentSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.RoleAssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment = services.role_assign(
            actor=request.user, user=data["staff"].user, role_code=data["role"].code, organization=data["organization"]
        )
        return Response(s.RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="撤销角色", request=s.RoleAssignmentRevokeSerializer, responses=s.RoleAssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="revoke", url_name="revoke")
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        assignment = selectors.access_role_assignment(user=request.user, pk=pk, permission="org.change_roleassignment")
        serializer = s.RoleAssignmentRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_revoke(
            actor=request.user, assignment=assignment, note=serializer.validated_data.get("note", "")
        )
        return Response(s.RoleAssignmentSerializer(assignment).data)
