"""The OpenAPI schema generates cleanly, is committed up to date (docs/openapi.yaml), and docs/api.md lists every
operation. The schema is reviewed like code: an API change shows in the diff of docs/openapi.yaml (STYLE.md §2.10).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.yaml"
API_DOC = ROOT / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """The schema as `make schema` writes it: manage.py spectacular --validate --fail-on-warn."""
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    GENERATOR_STATS.reset()  # warnings counted by earlier schema generation in this process are not ours
    # raises SchemaGenerationError on any warning or error, SchemaValidationError if not valid OpenAPI 3
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text(encoding="utf-8")


def _operations(text: str) -> list[tuple[str, str, dict]]:
    paths = yaml.safe_load(text)["paths"]
    return [(method, path, op) for path, item in paths.items() for method, op in item.items() if method in METHODS]


@pytest.mark.smoke
def test_schema_generates_without_warnings_and_is_valid_openapi(generated):
    # given / when: the fixture ran the generator with --validate --fail-on-warn
    schema = yaml.safe_load(generated)
    # then
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.smoke
def test_committed_schema_is_up_to_date(generated):
    # given
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    # then
    assert committed == generated, (
        "docs/openapi.yaml is not the schema the code generates: run `make schema` and commit docs/openapi.yaml"
    )


def test_every_operation_documents_its_errors_in_the_error_format(generated):
    # given
    schema = yaml.safe_load(generated)
    error = schema["components"]["schemas"]["Error"]
    # then: the one error format (core.api.error_body)
    assert error["required"] == ["code", "message", "fields", "clause"]
    for method, path, op in _operations(generated):
        expected = {"401", "403", "404"} | ({"400", "409"} if method != "get" else set())
        for code in expected:
            answer = op["responses"].get(code)
            assert answer, f"{method.upper()} {path} does not document {code}"
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_list_is_documented_as_a_page(generated):
    # given: GET operations that take ?page (DRF pagination)
    pages = [
        (path, op)
        for method, path, op in _operations(generated)
        if method == "get" and any(p["name"] == "page" for p in op.get("parameters", []))
    ]
    # then: their 200 answer is {count, next, previous, results}
    assert len(pages) >= 8
    for path, op in pages:
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert re.fullmatch(r"#/components/schemas/Paginated\w+List", ref), path
    assert {"/api/v1/approvals/inbox/", "/api/v1/approvals/requests/"} <= {path for path, _ in pages}


def test_api_guide_lists_every_operation(generated):
    # given: the endpoint tables of docs/api.md ("| GET | `/api/v1/…` | summary |")
    text = API_DOC.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", text, flags=re.MULTILINE))
    # when
    operations = {(method.upper(), path) for method, path, _ in _operations(generated)}
    # then
    missing = sorted(operations - listed)
    stale = sorted(listed - operations)
    assert not missing and not stale, f"update the endpoint tables in docs/api.md: missing {missing}, stale {stale}"
