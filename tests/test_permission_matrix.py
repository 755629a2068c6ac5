"""Runs every `tests/<app>/matrix_cases.py` case (core.testing.Case) and checks that every URL has a case."""

from __future__ import annotations

import importlib
import json
import pkgutil
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from servicecenter.core.testing import Case
from tests import factories

# URL names that need no matrix case, with the reason.
EXEMPT = {
    "set_language": "language switch: no data, works for everyone",
    "logout": "logs the current session out; no data",
    "api-schema": "OpenAPI schema: describes endpoints, no records (requires nothing sensitive)",
    "api-docs": "API docs page, no records",
}


def _matrix_modules():
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if mod.name.endswith(".matrix_cases"):
            yield importlib.import_module(mod.name)


def _world():
    tree = factories.org_tree("m")
    w = SimpleNamespace(tree=tree)
    w.manager_a = factories.make_staff(tree["a"], "center_manager", name="甲经理")
    w.manager_b = factories.make_staff(tree["b"], "center_manager", name="乙经理")
    w.clerk_a = factories.make_staff(tree["a"], "order_clerk", name="甲内勤")
    w.clerk_b = factories.make_staff(tree["b"], "order_clerk", name="乙内勤")
    w.staff_a = factories.make_staff(tree["team_a"], "service_staff", name="甲师傅", role_org=tree["a"])
    w.staff_b = factories.make_staff(tree["b"], "service_staff", name="乙师傅")
    w.admin_a = factories.make_staff(tree["a"], "system_admin", name="甲管理员")
    w.admin_b = factories.make_staff(tree["b"], "system_admin", name="乙管理员")
    w.gm = factories.make_staff(tree["ops"], "ops_center_gm", name="总经理")
    # Issue 6: the finance clerk (points recheck, payroll) of each center; the renewal specialist of station A
    # (center B is a gov hall, which has no such role: C-22; cross-center cases use manager_b).
    w.finance_a = factories.make_staff(tree["a"], "finance_clerk", name="甲税控")
    w.finance_b = factories.make_staff(tree["b"], "finance_clerk", name="乙税控")
    w.renewal_a = factories.make_staff(tree["a"], "renewal_specialist", name="甲续费")
    return w


def _cases():
    out = []
    for module in _matrix_modules():
        out.append(pytest.param(module.__name__, id=module.__name__.split(".")[1]))
    return out


def _request(client, case: Case, world, url: str):
    payload = case.payload(world)
    if case.method == "get":
        return client.get(url, payload or {}, HTTP_ACCEPT="application/json" if case.api else "text/html")
    if case.api:
        return getattr(client, case.method)(url, data=json.dumps(payload or {}), content_type="application/json")
    return getattr(client, case.method)(url, data=payload or {})


@pytest.mark.django_db
@pytest.mark.clause("ORG-04")
@pytest.mark.parametrize("module_name", _cases())
def test_permission_matrix(client, module_name):
    world = _world()
    cases: list[Case] = importlib.import_module(module_name).build(world)
    failures = []
    for case in cases:
        url = reverse(case.url_name, kwargs=case.kwargs) + case.query
        # anonymous
        client.logout()
        resp = _request(client, case, world, url)
        if not case.public:
            if case.api:
                if resp.status_code not in (401, 403):
                    failures.append(f"{case.id}: anonymous API got {resp.status_code}")
            elif not (resp.status_code == 302 and "/accounts/login/" in resp["Location"]):
                failures.append(f"{case.id}: anonymous got {resp.status_code}, expected redirect to login")
        # the same role in the other center
        if not case.public:
            client.force_login(getattr(world, case.cross_actor()).user)
            resp = _request(client, case, world, url)
            if case.marker is not None:
                body = resp.content.decode()
                if resp.status_code != 200 or case.marker in body:
                    failures.append(f"{case.id}: other center got {resp.status_code} / saw {case.marker!r}")
            elif resp.status_code != 404:
                failures.append(f"{case.id}: other center got {resp.status_code}, expected 404")
        # the allowed user
        client.force_login(getattr(world, case.actor).user)
        resp = _request(client, case, world, url)
        if resp.status_code not in case.ok:
            failures.append(f"{case.id}: {case.actor} got {resp.status_code}, expected {case.ok}")
        elif case.marker is not None and case.marker not in resp.content.decode():
            failures.append(f"{case.id}: {case.actor} does not see {case.marker!r}")
        elif case.check is not None:
            case.check(world, resp)
    assert not failures, "\n".join(failures)


def _url_names(resolver=None, ns: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if getattr(p, "app_name", None) == "admin" or p.namespace == "admin":
                continue
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _url_names(p, sub_ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}{p.name}"


@pytest.mark.django_db
def test_every_url_has_a_matrix_case():
    world = _world()
    covered = set()
    for module in _matrix_modules():
        covered |= {c.url_name for c in module.build(world)}
    missing = sorted(n for n in set(_url_names()) if n not in covered and n not in EXEMPT)
    assert not missing, f"URLs without a permission-matrix case (add them to tests/<app>/matrix_cases.py): {missing}"
