"""FilterSets shared by the HTML staff list, the export and the API (STYLE.md §2.2)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicecenter.core.access import organizations_where

from .choices import StaffStatus
from .models import Organization, Role, RoleAssignment, Staff


class InlineSelect(forms.Select):
    """A select whose options are written by one template: the stock widget renders two templates per option, which
    made the organization filter (311 units for the system admin) the bulk of the staff list's garbage and its slow
    tail (bench/results.md). For flat choice lists (no option groups)."""

    template_name = "org/widgets/select.html"


class StaffFilterSet(django_filters.FilterSet):
    """q (name / 工号 / phone contains), organization (its whole subtree), status, role (code of an active role).

    `user` is required: the organization choices are the units the user may see, and a phone number only matches
    where the user may see it in full (searching by number must not reveal a masked phone).
    """

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("姓名、工号或手机"), "type": "search"}),
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("组织（含下级）"),
        queryset=Organization.objects.none(),
        method="filter_organization",
        widget=InlineSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=StaffStatus.choices, empty_label=_("全部状态"), widget=InlineSelect
    )
    role = django_filters.ModelChoiceFilter(
        label=_("角色"),
        queryset=Role.objects.filter(is_active=True),
        to_field_name="code",
        method="filter_role",
        empty_label=_("全部角色"),
        widget=InlineSelect,
    )

    class Meta:
        model = Staff
        fields = ["q", "organization", "status", "role"]

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any, **kwargs: Any) -> None:
        from .selectors import organization_list_visible_to

        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        self.filters["organization"].queryset = organization_list_visible_to(user=user)
        self.filters["organization"].extra["empty_label"] = _("全部组织")
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # Phones match only where the user sees them in full (org.change_staff); elsewhere they are masked.
        phone_visible = Q(organization__in=organizations_where(user=self.user, permission="org.change_staff"))
        if getattr(self.user, "pk", None) is not None:
            phone_visible |= Q(user=self.user)
        return queryset.filter(
            Q(name__icontains=value) | Q(staff_no__icontains=value) | (Q(phone__contains=value) & phone_visible)
        )

    def filter_organization(self, queryset: QuerySet, name: str, value: Organization | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(organization__path__startswith=value.path)

    def filter_role(self, queryset: QuerySet, name: str, value: Role | None) -> QuerySet:
        if value is None:
            return queryset
        holds = RoleAssignment.objects.filter(user=OuterRef("user"), role=value, is_active=True)
        return queryset.filter(Exists(holds))
