"""The register of implemented requirement IDs stays in sync with the code and the tests (STYLE.md §2.12)."""

import pytest

from servicecenter.core.policy import CLAUSE_IMPLEMENTATIONS
from servicecenter.policy.register import IMPLEMENTED
from tests.conftest import COLLECTED_CLAUSES


def _import_all_app_modules() -> None:
    import importlib
    import pkgutil

    import servicecenter

    for mod in pkgutil.walk_packages(servicecenter.__path__, "servicecenter."):
        if ".migrations" in mod.name or mod.name.endswith((".wsgi", ".asgi", ".cli")) or ".settings" in mod.name:
            continue
        importlib.import_module(mod.name)


def test_every_registered_requirement_has_an_implementation():
    _import_all_app_modules()
    missing = sorted(code for code in IMPLEMENTED if code not in CLAUSE_IMPLEMENTATIONS)
    assert not missing, f"registered without an @implements function: {missing}"


def test_every_implements_code_is_registered():
    _import_all_app_modules()
    unknown = sorted(code for code in CLAUSE_IMPLEMENTATIONS if code not in IMPLEMENTED)
    assert not unknown, f"@implements codes missing from policy/register.py: {unknown}"


def test_every_registered_requirement_has_a_marked_test(request):
    if (
        request.config.getoption("-k")
        or request.config.args != []
        and not any(a.rstrip("/") in {"tests", "."} for a in request.config.args)
    ):
        pytest.skip("needs the whole suite collected (run `make test`)")
    missing = sorted(code for code in IMPLEMENTED if code not in COLLECTED_CLAUSES)
    assert not missing, f"no test marked @pytest.mark.clause for: {missing}"
