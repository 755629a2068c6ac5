"""Property-based testing of every /api/v1/ operation against the OpenAPI schema the app serves (schemathesis 4).

The schema is loaded in-process from /api/schema/ through Django's WSGI handler (no server, no network), and each
operation becomes one test item, e.g. `test_api_fuzz[GET /api/v1/org/staff/]`, with a fresh world
(tests/api/conftest.py: api_world). Two tests per operation:

- test_api_fuzz — Hypothesis' random examples (25 per operation, valid and invalid), each sent as one of the four
  people of the world by DRF token: center manager, order clerk, system administrator, ops-center GM. Values that
  name records (ids, organization, staff, role, parameter key, calendar instants) are mostly drawn from the world's
  real records, so the examples reach the views' real paths (decide a pending step, change a staff member, revoke
  a role, set a parameter…) as well as their 400/404 paths. Mutating operations run here too, bounded by the same
  25 examples; the world is rebuilt for every operation.
- test_api_coverage — schemathesis' coverage phase: a deterministic set of boundary and invalid values for every
  parameter and property, missing required fields, wrong types and media types, and methods the path does not
  have; sent as the center manager, with path ids aimed at the world's records.

Database: plain `django_db` is enough (no `transaction=True`). Schemathesis calls the WSGI app in the test's own
thread, so the views use the test's connection and see the world inside its open transaction; only Django's
per-request connection cleanup must be switched off (conftest.wsgi_in_test_transaction), as Django's test client
does. Side effects scheduled with `transaction.on_commit` do not run (nothing commits); fuzzing does not need them.

Checks (every example must pass all of them):
- not_a_server_error: no 5xx, for GET and for mutating operations alike;
- status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance:
  the answer's status is documented, it is JSON, and it matches its schema (every operation documents its 4xx with
  the `Error` schema: core.api.document_error_responses);
- negative_data_rejection: input that violates the schema gets a 4xx, but for the leniencies DRF has on purpose
  (negative_path_or_body_rejection says which);
- ignored_auth: a successful answer turns into 401/403 when the token is taken away or replaced;
- unsupported_method: a method the path does not have gets 405;
- error_format (ours): every 4xx body is exactly {code, message, fields, clause}, with a Chinese message.

Left out on purpose:
- positive_data_acceptance: it wants a 2xx for every schema-valid request, but valid-looking requests are refused
  by design when the person lacks the permission (403), the record is outside their subtree (404), the step was
  already decided (409) or a business rule says no (400, e.g. a team directly under a company).
- use_after_free, ensure_resource_availability: stateful checks for APIs that DELETE; nothing here is deleted.
- max_response_time: timing on a shared CI machine is not a conformance property (bench/ measures speed).

Run time: about six and a half minutes for both tests on two shared cores (101 operations; measured for issue 4).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from servicecenter.notifications.models import Notification
from servicecenter.org.models import RoleAssignment
from servicecenter.org.roles import ROLE_CODES
from servicecenter.policy.registry import PARAMETERS

from .conftest import ACTORS

SCHEMA_URL = "/api/schema/?format=json"
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
schema.config.phases.coverage.enabled = False  # test_api_coverage runs that phase, as one person

coverage_schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
coverage_schema.config.phases.fuzzing.enabled = False
coverage_schema.config.phases.examples.enabled = False

# The manager and the administrator hold most of the write permissions: they act twice as often.
ACTOR_DRAW = ("manager", "manager", "admin", "admin", "clerk", "gm")
ERROR_KEYS = {"code", "message", "fields", "clause"}
CJK = re.compile(r"[\u4e00-\u9fff]")
CALENDAR = "/api/v1/calendar/{org_id}"
INSTANTS = [
    "2025-10-09T09:00:00+08:00",  # a Thursday, in business hours
    "2025-10-01T10:00:00+08:00",  # National Day holiday
    "2025-10-11T12:00:00+08:00",  # Saturday make-up workday (调休)
    "2026-02-16T23:30:00Z",  # the eve of the Spring Festival, in UTC
]

CALLBACK_ACTIONS = ("", "claim/", "release/", "attempts/", "answer/", "cancel/")
COMPLAINT_ACTIONS = (
    "",
    "events/",
    "acknowledge/",
    "start-investigation/",
    "notes/",
    "resolve/",
    "feedback/",
    "close/",
    "reopen/",
)

# Real values of the current test's world, by parameter or property name ("org"), or by operation path and name
# ("/api/v1/org/staff/{id}/ id") where one name means different things on different paths. Filled in by the
# fuzz_world fixture, read by _aim_at_world in the tests.
KNOWN: dict[str, list[Any]] = {}


def _known_values(world: Any) -> dict[str, list[Any]]:
    today = dt.date.today()
    tree = world.tree
    # Center A's subtree, where the four people hold their roles, comes first and most often; the units above and
    # beside it (which most of them may not see: 404) less often.
    org_ids = [tree[name].pk for name in ("a", "a", "team_a", "b", "ops", "company")]
    staff_ids = [getattr(world, name).pk for name in ACTORS]
    users = [getattr(world, name).user for name in ACTORS]
    steps = list(world.request.steps.order_by("order").values_list("pk", flat=True))
    assignments = list(RoleAssignment.objects.filter(user__in=users).values_list("pk", flat=True))
    notifications = list(Notification.objects.filter(recipient__in=users).values_list("pk", flat=True))
    return {
        "/api/v1/approvals/requests/{id}/ id": [world.request.pk],
        "/api/v1/approvals/steps/{id}/decide/ id": steps,
        "/api/v1/notifications/{id}/read/ id": notifications,
        "/api/v1/org/organizations/{id}/ id": org_ids,
        "/api/v1/org/staff/{id}/ id": staff_ids,
        "/api/v1/org/staff/{id}/status/ id": staff_ids,
        "/api/v1/org/role-assignments/{id}/ id": assignments,
        "/api/v1/org/role-assignments/{id}/revoke/ id": assignments,
        "/api/v1/policy/regulations/{id}/ id": [world.regulation.pk],
        f"{CALENDAR}/is-working/ at": INSTANTS,
        f"{CALENDAR}/add-minutes/ start": INSTANTS,
        f"{CALENDAR}/add-minutes/ minutes": [0, 30, 240, 7 * 24 * 60],
        f"{CALENDAR}/between/ start": INSTANTS,
        f"{CALENDAR}/between/ end": INSTANTS,
        f"{CALENDAR}/days/ month": ["2025-10", "2026-02", "1970-01", "2100-12"],
        # Issue 4 (tests/api/conftest.issue4_records): every callback and complaint path aims at center A's records.
        **{f"/api/v1/callbacks/tasks/{{id}}/{action} id": [world.callback.pk] for action in CALLBACK_ACTIONS},
        "/api/v1/callbacks/followups/{id}/resolve/ id": [world.followup.pk],
        "/api/v1/callbacks/opinions/{id}/close/ id": [world.opinion.pk],
        **{f"/api/v1/complaints/{{id}}/{action} id": [world.complaint.pk] for action in COMPLAINT_ACTIONS},
        "center": org_ids,
        "technician": staff_ids,
        "order": [world.order.pk],
        "owner": [user.pk for user in users],
        "org_id": org_ids,
        "key": sorted(PARAMETERS),
        "org": org_ids,
        "organization": org_ids,
        "parent": org_ids,
        "staff": staff_ids,
        "role": sorted(ROLE_CODES),
        "at": [today.isoformat(), "2025-01-01"],  # the policy API's day
        "effective_from": [(today + dt.timedelta(days=n)).isoformat() for n in (1, 0, 30)],
    }


def _aim_at_world(case: Any, choose: Callable[[list[Any]], Any], locations: tuple[ParameterLocation, ...]) -> None:
    """Replace values whose name has known values by `choose(known)` in the schema-valid components among
    `locations`. Invalid components stay as generated, so the checks that expect them refused still see them."""
    meta = case.meta
    path = case.operation.path
    containers = {
        ParameterLocation.PATH: case.path_parameters,
        ParameterLocation.QUERY: case.query,
        ParameterLocation.BODY: case.body,
    }
    for location in locations:
        values = containers[location]
        if not isinstance(values, dict) or (meta is not None and meta.is_negative_at(location)):
            continue
        for name in list(values):
            known = KNOWN.get(f"{path} {name}") or KNOWN.get(name)
            if known:
                values[name] = choose(known)


SCALAR_TYPES = {"string", "integer", "number", "boolean"}


def _scalar_type_name(value: Any) -> bool:
    names = value if isinstance(value, list) else [value]
    return bool(names) and all(name in SCALAR_TYPES for name in names)


def _only_scalar_type_swaps_in_body(case: Any) -> bool:
    """True when the body is invalid only because a scalar came as another scalar type (2500 for "2500")."""
    data = case.meta.phase.data
    mutations = [m for m in data.mutations if m.parameter_location == ParameterLocation.BODY]
    if mutations:  # fuzzing: each mutation names the JSON-Schema keyword it breaks, and the types before/after
        return all(
            m.keywords == ("type",) and _scalar_type_name(m.original_value) and _scalar_type_name(m.new_value)
            for m in mutations
        )
    # coverage: one property (named in the schema location, "/properties/amount/…") has a value of another type
    prop = re.match(r"/properties/([^/]+)", data.location or "")
    if getattr(data, "scenario", None) == CoverageScenario.INCORRECT_TYPE and prop and isinstance(case.body, dict):
        value = case.body.get(prop.group(1))
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    return False


@schemathesis.check
def negative_path_or_body_rejection(ctx, response, case):
    """schemathesis' negative_data_rejection, minus two leniencies that DRF and django-filter have on purpose.

    - The query string: a page_size that is not a positive integer falls back to the default page size (DRF
      PageNumberPagination); an empty filter (?at=, ?staff=) means "not given".
    - A scalar of another scalar type in a JSON body: DRF's fields coerce them (CharField takes 5 as "5",
      IntegerField and DecimalField take "5"); a value that does not coerce still gets a 400.
    Invalid ids in the path, and bodies that are invalid otherwise (missing or null required fields, values out of
    range or too long, objects or arrays for scalars, unknown choices) must still be refused.
    """
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.QUERY):
        return None
    if meta is not None and meta.is_negative_at(ParameterLocation.BODY) and _only_scalar_type_swaps_in_body(case):
        return None
    return negative_data_rejection(ctx, response, case)


@schemathesis.check
def error_format(ctx, response, case):
    """Every 4xx answer is the one error format of core.api: {code, message, fields, clause}, message in Chinese."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == ERROR_KEYS, (
        f"4xx body is not {{code, message, fields, clause}}: {body}"
    )
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["clause"], str), body
    assert isinstance(body["message"], str) and CJK.search(body["message"]), f"message is not in Chinese: {body}"
    assert isinstance(body["fields"], dict), body
    for name, messages in body["fields"].items():
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), (name, messages)
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_path_or_body_rejection,
    ignored_auth,
    unsupported_method,
]
# function_scoped_fixture: the world is built once per operation and shared by its examples on purpose, so state
# carries over between them (a step decided in one example answers 409 in the next). The others: schemathesis
# generates large and heavily filtered inputs by design, and requests through the whole app are slower than
# Hypothesis expects of a unit test.
HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
]


@pytest.fixture
def fuzz_world(api_world):
    KNOWN.clear()
    KNOWN.update(_known_values(api_world))
    yield api_world
    KNOWN.clear()


def _call(case: Any, token: str) -> None:
    # The schema offers a session cookie or a token; schemathesis fills the cookie with a random session id. We
    # authenticate with a real token, so the random cookie goes (else `ignored_auth` takes our token for generated).
    if case.cookies:
        case.cookies.pop("sessionid", None)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS, additional_checks=[error_format])


@pytest.mark.django_db
@schema.given(actor=st.sampled_from(ACTOR_DRAW), data=st.data())
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH)
def test_api_fuzz(case, actor, data, fuzz_world):
    # Mostly aim at the world's records: Hypothesis favours small draws, so 0 ("aim") is the common case and the
    # one a failure shrinks to.
    if not data.draw(st.integers(0, 3), label="keep generated values"):
        locations = (ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.BODY)
        _aim_at_world(case, lambda known: data.draw(st.sampled_from(known)), locations)
    _call(case, fuzz_world.tokens[actor])


@pytest.mark.django_db
@coverage_schema.parametrize()
@settings(deadline=None, suppress_health_check=HEALTH)
def test_api_coverage(case, fuzz_world):
    # Only the path is aimed (at the first known record): the query and body values are the point of this phase.
    _aim_at_world(case, lambda known: known[0], (ParameterLocation.PATH,))
    _call(case, fuzz_world.tokens["manager"])
