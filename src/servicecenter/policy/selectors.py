"""Reads of regulations, clauses and parameter values, scoped through core.access (STYLE.md §2.8).

A user reads the regulations and parameters of the organizations in which they hold policy.view_regulation.
What is *in force* for an organization is its own, plus what it inherits from its ancestors and the
installation (ORG-21). Pages pick one organization (`policy_scope_for`): the user's own center by default, or
`?org=<id>` among the organizations they may read; anything else is "not found" (404).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from servicecenter.core.access import has_permission_anywhere, has_permission_in, organizations_where
from servicecenter.core.models import AuditEvent
from servicecenter.core.policy import CLAUSE_IMPLEMENTATIONS, implements

from .models import Clause, ParameterValue, Regulation
from .register import IMPLEMENTED
from .registry import PARAMETERS, ParameterSpec
from .values import PolicyValue, local_today, resolve_many

VIEW_PERMISSION = "policy.view_regulation"
SET_PERMISSION = "policy.set_parameter"
GLOBAL = "global"  # ?org=global: the installation-wide level (superusers only)
# Units whose parameters people tune; teams and windows inherit from their center and stay out of the switcher.
SWITCHER_KINDS = ("company", "ops_center", "service_center", "sub_center")

APP_LABELS = {
    "attendance": gettext_lazy("考勤与营业时间"),
    "leave": gettext_lazy("请假"),
    "points": gettext_lazy("积分、绩效与工资"),
    "workorders": gettext_lazy("工单"),
    "service": gettext_lazy("客户服务登记"),
    "callbacks": gettext_lazy("回访"),
    "approvals": gettext_lazy("审批"),
    "finance": gettext_lazy("账务"),
    "inspections": gettext_lazy("检查与卫生"),
    "govservice": gettext_lazy("政务服务"),
    "scripts": gettext_lazy("服务用语"),
}


# --- which organization a page is about ---------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyScope:
    """The organization a policy page or API call is about; `organization` None = installation-wide."""

    organization: Any
    is_global: bool = False

    @property
    def org_param(self) -> str:
        return GLOBAL if self.is_global else str(self.organization.pk)

    @property
    def name(self) -> str:
        return gettext("全系统") if self.is_global else self.organization.name


def _default_organization(user: Any, visible: QuerySet) -> Any:
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    if staff is not None:
        center = staff.organization.service_center()
        for candidate in (center, staff.organization):
            if candidate is not None and visible.filter(pk=candidate.pk).exists():
                return candidate
    return visible.filter(is_active=True).order_by("depth", "path").first()


def policy_scope_for(*, user: Any, org: str | int | None, permission: str = VIEW_PERMISSION) -> PolicyScope:
    """The organization `user` asked for (`org`: an id, "global", or None for their own center).

    Raises:
        Http404: the organization does not exist or the user may not read it (never 403 for objects).
        PermissionDenied: the user may read no organization at all (403, as on every list page).
    """
    visible = organizations_where(user=user, permission=permission)
    if org in (None, ""):
        organization = _default_organization(user, visible)
        if organization is None:
            if getattr(user, "is_superuser", False):
                return PolicyScope(organization=None, is_global=True)
            raise PermissionDenied("您没有查看制度参数的权限")
        return PolicyScope(organization=organization)
    if org == GLOBAL:
        if getattr(user, "is_superuser", False) and user.is_active:
            return PolicyScope(organization=None, is_global=True)
        raise Http404("organization not visible")
    try:
        pk = int(org)
    except (TypeError, ValueError):
        raise Http404("bad organization id") from None
    organization = visible.filter(pk=pk).first()
    if organization is None:
        raise Http404("organization not visible")
    return PolicyScope(organization=organization)


def switcher_organizations(*, user: Any, current: Any = None) -> list[Any]:
    """Organizations offered in the center switcher: those the user may read, above team level, plus `current`."""
    orgs = list(
        organizations_where(user=user, permission=VIEW_PERMISSION)
        .filter(is_active=True, kind__in=SWITCHER_KINDS)
        .order_by("path")[:300]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs.append(current)
        orgs.sort(key=lambda o: o.path)
    return orgs


def can_set_parameters(*, user: Any, scope: PolicyScope) -> bool:
    if scope.is_global:
        return bool(getattr(user, "is_superuser", False))
    return has_permission_in(user=user, permission=SET_PERMISSION, organization=scope.organization)


# --- regulations ----------------------------------------------------------------------------------------------


def may_read_policy(*, user: Any) -> bool:
    """Does the user hold policy.view_regulation anywhere (list pages answer 403 otherwise)?"""
    return has_permission_anywhere(user=user, permission=VIEW_PERMISSION)


def regulation_list_visible_to(*, user: Any) -> QuerySet[Regulation]:
    """Regulations the user may read: installation-wide ones, and those of any organization that is in, or above,
    an organization where the user holds policy.view_regulation (a center sees what it inherits, ORG-21)."""
    if not has_permission_anywhere(user=user, permission=VIEW_PERMISSION):
        return Regulation.objects.none()
    visible = organizations_where(user=user, permission=VIEW_PERMISSION)
    below_or_at = visible.filter(path__startswith=OuterRef("organization__path"))
    return (
        Regulation.objects.filter(Q(organization__isnull=True) | Exists(below_or_at))
        .select_related("organization")
        .order_by("title", "-effective_date", "id")
    )


def access_regulation(*, user: Any, pk: int) -> Regulation:
    """The regulation if `user` may read it, with its clauses; otherwise Http404."""
    regulation = (
        regulation_list_visible_to(user=user)
        .filter(pk=pk)
        .prefetch_related(Prefetch("clauses", queryset=Clause.objects.order_by("sort_key", "id")))
        .first()
    )
    if regulation is None:
        raise Http404("regulation not visible")
    return regulation


@implements("ORG-18", "ORG-21")
def regulations_in_force_for(*, organization: Any, at: date | None = None) -> list[Regulation]:
    """The regulations in force for `organization` on `at` (default today), with their clauses (ORG-18, ORG-21).

    Its own, its ancestors' and the installation-wide regulations that are active and effective by then; where
    several levels have a regulation with the same code, the nearest level's (the newest version) applies, as a
    sub-center's own regulation overrides the inherited one. Two queries (plus the ancestors when not cached).
    """
    day = at or local_today(organization)
    chain = organization.ancestors() if organization is not None else []
    depth_of = {o.pk: i for i, o in enumerate(chain)}
    level = Q(organization__isnull=True)
    if chain:
        level |= Q(organization_id__in=list(depth_of))
    candidates = (
        Regulation.objects.filter(level, is_active=True, effective_date__lte=day)
        .select_related("organization")
        .prefetch_related(Prefetch("clauses", queryset=Clause.objects.order_by("sort_key", "id")))
    )
    nearest: dict[str, Regulation] = {}
    for regulation in candidates:
        rank = (depth_of.get(regulation.organization_id, len(chain)), -regulation.effective_date.toordinal())
        kept = nearest.get(regulation.code)
        if kept is None:
            nearest[regulation.code] = regulation
            continue
        kept_rank = (depth_of.get(kept.organization_id, len(chain)), -kept.effective_date.toordinal())
        if (rank, -regulation.pk) < (kept_rank, -kept.pk):
            nearest[regulation.code] = regulation
    return sorted(nearest.values(), key=lambda r: (r.source or "~", r.title))


# --- parameters in force, attached to clauses ----------------------------------------------------------------


@dataclass
class ClauseView:
    clause: Clause
    parameters: list[PolicyValue] = field(default_factory=list)


@dataclass
class RegulationView:
    regulation: Regulation
    clauses: list[ClauseView]

    @property
    def inherited_from(self) -> str:
        org = self.regulation.organization
        return org.name if org is not None else gettext("全系统")


@dataclass
class ParameterGroup:
    app: str
    label: str | Promise
    parameters: list[PolicyValue]


@dataclass
class RegulationPage:
    scope: PolicyScope
    day: date
    regulations: list[RegulationView]
    other_groups: list[ParameterGroup]
    unset: list[PolicyValue]
    values: dict[str, PolicyValue]


def parameters_for_requirements(requirement_ids: list[str] | tuple[str, ...]) -> list[ParameterSpec]:
    """Declared parameters that serve any of the given requirement IDs, in declaration order."""
    wanted = set(requirement_ids)
    return [spec for spec in PARAMETERS.values() if wanted & set(spec.requirements)]


def regulation_page(*, scope: PolicyScope, at: date | None = None) -> RegulationPage:
    """Everything the regulations page shows for one organization, in a bounded number of queries.

    The regulations in force with their clauses; under each clause the parameters whose requirement IDs meet the
    clause's, with the value in force on `at` (default today) and its origin; the other declared parameters
    grouped by app; and the parameters the clauses in force need but that have no value (must be configured,
    e.g. G-04).
    """
    organization = scope.organization
    day = at or local_today(organization)
    values = resolve_many(list(PARAMETERS), org=organization, at=day)
    regulations = regulations_in_force_for(organization=organization, at=day)
    attached: set[str] = set()
    views = []
    for regulation in regulations:
        clauses = []
        for clause in regulation.clauses.all():
            params = [values[spec.key] for spec in parameters_for_requirements(clause.requirement_ids)]
            attached |= {p.key for p in params}
            clauses.append(ClauseView(clause=clause, parameters=params))
        views.append(RegulationView(regulation=regulation, clauses=clauses))
    groups: dict[str, list[PolicyValue]] = defaultdict(list)
    for key, pv in values.items():
        if key not in attached:
            groups[pv.spec.app].append(pv)
    other = [
        ParameterGroup(app=app, label=APP_LABELS.get(app, app), parameters=params) for app, params in groups.items()
    ]
    # The warning lists what the regulations in force need and lacks (G-04); with no regulation recorded, all.
    unset = [pv for pv in values.values() if not pv.is_set and (pv.key in attached or not views)]
    return RegulationPage(scope=scope, day=day, regulations=views, other_groups=other, unset=unset, values=values)


def regulation_clause_views(*, regulation: Regulation, scope: PolicyScope) -> list[ClauseView]:
    """The clauses of one regulation with the parameters in force today for the scope's organization."""
    values = resolve_many(list(PARAMETERS), org=scope.organization)
    return [
        ClauseView(
            clause=clause,
            parameters=[values[spec.key] for spec in parameters_for_requirements(clause.requirement_ids)],
        )
        for clause in regulation.clauses.all()
    ]


@dataclass
class HistoryEntry:
    """One row of a regulation's text history (simple_history): what changed, who, when."""

    when: Any
    who: Any
    what: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[tuple[str, Any, Any]]


def regulation_history(*, regulation: Regulation) -> list[HistoryEntry]:
    """Changes to the regulation and its clauses (admin edits are recorded by simple_history), newest first."""
    entries: list[HistoryEntry] = []
    reg_records = list(regulation.history.select_related("history_user").order_by("history_date", "history_id"))
    clause_model = Clause.history.model
    clause_records = list(
        clause_model.objects.filter(regulation_id=regulation.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    reg_fields = ["title", "version", "effective_date", "source", "is_active"]
    clause_fields = ["number", "title", "text", "original_text", "requirement_ids"]
    for records, fields, label in (
        (reg_records, reg_fields, lambda r: str(regulation)),
        (clause_records, clause_fields, lambda r: f"{r.number}"),
    ):
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None:
                for name in fields:
                    old, new = getattr(before, name), getattr(record, name)
                    if old != new:
                        changes.append((name, old, new))
            previous[record.id] = record
            if record.history_type == "~" and not changes:
                continue
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    what=label(record),
                    kind=record.history_type,
                    changes=changes,
                )
            )
    # The clauses entered together with the regulation are one event: "录入《…》（共 N 条）".
    created = next((e for e in entries if e.kind == "+" and e.what == str(regulation)), None)
    if created is not None:
        folded = [
            e
            for e in entries
            if e.kind == "+" and e is not created and abs((e.when - created.when).total_seconds()) < 60
        ]
        if folded:
            created.what = f"{regulation}（共 {len(folded)} 条）"
            folded_ids = {id(e) for e in folded}
            entries = [e for e in entries if id(e) not in folded_ids]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


# --- one parameter: its history ------------------------------------------------------------------------------


@dataclass
class ParameterRowView:
    row: ParameterValue
    status: str  # "scheduled" | "in_force" | "superseded"
    applies: bool  # the row that gives the scope's value today
    display: str
    level: str


@dataclass
class ParameterDetail:
    spec: ParameterSpec
    scope: PolicyScope
    today: date
    now_value: PolicyValue
    at: date | None
    at_value: PolicyValue | None
    rows: list[ParameterRowView]
    scheduled: list[ParameterRowView]
    events: list[AuditEvent]
    own_override: ParameterValue | None  # the scope's own row in force today or scheduled (offer 恢复继承)


def parameter_detail(*, spec: ParameterSpec, scope: PolicyScope, at: date | None = None) -> ParameterDetail:
    """A parameter for one organization: value today and on `at`, every row of the organization, its ancestors
    and the installation (who set what, from when, why), the scheduled ones, and the audit events."""
    organization = scope.organization
    today = local_today(organization)
    chain = organization.ancestors() if organization is not None else []
    names = {o.pk: o.name for o in chain}
    level = Q(organization__isnull=True)
    if chain:
        level |= Q(organization_id__in=list(names))
    rows = list(
        ParameterValue.objects.filter(level, key=spec.key)
        .select_related("set_by", "organization")
        .order_by("-effective_from", "-id")
    )
    now_value = resolve_many([spec.key], org=organization, at=today)[spec.key]
    at_value = resolve_many([spec.key], org=organization, at=at)[spec.key] if at is not None else None
    in_force_ids: set[int] = set()
    seen_levels: set[int | None] = set()
    for row in rows:  # newest first: the first past row of each level is the one in force at that level
        if row.effective_from <= today and row.organization_id not in seen_levels:
            seen_levels.add(row.organization_id)
            in_force_ids.add(row.pk)
    views = []
    for row in rows:
        if row.effective_from > today:
            status = "scheduled"
        elif row.pk in in_force_ids:
            status = "in_force"
        else:
            status = "superseded"
        display = gettext("恢复继承") if row.inherit else spec.display(row.value)
        views.append(
            ParameterRowView(
                row=row,
                status=status,
                applies=row.pk == now_value.row_id,
                display=display,
                level=names.get(row.organization_id, gettext("全系统")) if row.organization_id else gettext("全系统"),
            )
        )
    own_id = organization.pk if organization is not None else None
    own_override = next(
        (
            v.row
            for v in views
            if v.row.organization_id == own_id and v.status in ("in_force", "scheduled") and not v.row.inherit
        ),
        None,
    )
    ct = ContentType.objects.get_for_model(ParameterValue)
    events = (
        list(
            AuditEvent.objects.filter(target_type=ct, target_id__in=[str(r.pk) for r in rows])
            .select_related("actor")
            .order_by("-occurred_at", "-id")
        )
        if rows
        else []
    )
    return ParameterDetail(
        spec=spec,
        scope=scope,
        today=today,
        now_value=now_value,
        at=at,
        at_value=at_value,
        rows=views,
        scheduled=[v for v in views if v.status == "scheduled"],
        events=events,
        own_override=own_override,
    )


# --- the register of implemented requirements ---------------------------------------------------------------


@dataclass
class RequirementView:
    id: str
    title: str
    kind: str
    implemented_by: list[str]
    clauses: list[tuple[Regulation, Clause]]
    parameters: list[str]


def requirement_register(*, scope: PolicyScope) -> list[RequirementView]:
    """The implemented requirement IDs (policy/register.py) with the functions that implement them, and the
    clauses of the regulations in force for the scope's organization that give rise to each."""
    regulations = regulations_in_force_for(organization=scope.organization)
    by_requirement: dict[str, list[tuple[Regulation, Clause]]] = defaultdict(list)
    for regulation in regulations:
        for clause in regulation.clauses.all():
            for rid in clause.requirement_ids:
                by_requirement[rid].append((regulation, clause))
    params: dict[str, list[str]] = defaultdict(list)
    for spec in PARAMETERS.values():
        for rid in spec.requirements:
            params[rid].append(spec.key)
    return [
        RequirementView(
            id=rid,
            title=req.title,
            kind=req.kind,
            implemented_by=list(CLAUSE_IMPLEMENTATIONS.get(rid, [])),
            clauses=by_requirement.get(rid, []),
            parameters=params.get(rid, []),
        )
        for rid, req in sorted(IMPLEMENTED.items())
    ]
