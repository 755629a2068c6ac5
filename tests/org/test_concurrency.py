"""Two people acting at once never both win (PostgreSQL only: SQLite has no row locks)."""

import threading

import pytest
from django.db import close_old_connections, connection

from servicecenter.core.errors import Conflict, DomainError
from servicecenter.org import services
from servicecenter.org.choices import StaffImportStatus
from servicecenter.org.models import Staff, StaffImport
from tests import factories
from tests.org.sheets import staff_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


def _race(*calls):
    """Run the calls at the same time in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what happened
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_creations_of_one_staff_number_one_wins():
    tree = factories.org_tree("race")
    results = _race(
        *[
            (lambda n=n: services.staff_create(actor=None, organization=tree["a"], staff_no="RACE-1", name=f"抢{n}"))
            for n in range(2)
        ]
    )
    assert sum(isinstance(r, Staff) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Staff.objects.filter(staff_no="RACE-1").count() == 1


def test_two_confirmations_of_one_import_import_once():
    tree = factories.org_tree("race")
    manager = factories.make_staff(tree["a"], "center_manager")
    imp = services.staff_import_upload(
        actor=manager.user, file=staff_file([["RC1", "一", tree["a"].code, "", "", "", ""]])
    )
    results = _race(
        lambda: services.staff_import_commit(actor=manager.user, staff_import=imp),
        lambda: services.staff_import_commit(actor=manager.user, staff_import=imp),
    )
    assert sum(isinstance(r, StaffImport) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert Staff.objects.filter(staff_no="RC1").count() == 1
    imp.refresh_from_db()
    assert imp.status == StaffImportStatus.COMMITTED
