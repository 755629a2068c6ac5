"""core.idempotency: the request digest, key checks, replay, mismatch and the purge of expired keys."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.response import Response

from servicecenter.core import idempotency
from servicecenter.core.errors import ValidationFailed
from servicecenter.core.models import IdempotencyKey
from tests import factories

pytestmark = pytest.mark.django_db


def fake_request(user, data, key):
    headers = {} if key is None else {idempotency.HEADER: key}
    return SimpleNamespace(user=user, data=data, headers=headers)


@pytest.fixture
def user(tree):
    return factories.make_staff(tree["a"], "order_clerk").user


def test_digest_ignores_key_order_and_spacing():
    assert idempotency.request_hash({"a": 1, "b": "二"}) == idempotency.request_hash({"b": "二", "a": 1})
    assert idempotency.request_hash({"a": 1}) != idempotency.request_hash({"a": 2})


def test_without_a_key_every_call_runs(user):
    calls = []
    for _ in range(2):
        idempotency.replay_or_run(fake_request(user, {}, None), scope="t", run=lambda: calls.append(1) or Response({}))
    assert len(calls) == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.smoke
def test_replay_mismatch_and_scope(user):
    calls = []

    def run():
        calls.append(1)
        return Response({"n": len(calls)}, status=201)

    first = idempotency.replay_or_run(fake_request(user, {"x": 1}, "k"), scope="a", run=run)
    again = idempotency.replay_or_run(fake_request(user, {"x": 1}, "k"), scope="a", run=run)
    assert (first.status_code, first.data) == (again.status_code, again.data) == (201, {"n": 1})
    assert again["Idempotent-Replayed"] == "true"
    with pytest.raises(idempotency.IdempotencyMismatch) as info:
        idempotency.replay_or_run(fake_request(user, {"x": 2}, "k"), scope="a", run=run)
    assert info.value.status_code == 422
    # another scope (another endpoint) is another request
    idempotency.replay_or_run(fake_request(user, {"x": 1}, "k"), scope="b", run=run)
    assert len(calls) == 2


@pytest.mark.parametrize("key", ["", " ", "a b", "x" * 256, "键"])
def test_malformed_keys_are_refused(user, key):
    with pytest.raises(ValidationFailed) as info:
        idempotency.replay_or_run(fake_request(user, {}, key), scope="a", run=lambda: Response({}))
    assert idempotency.HEADER in info.value.fields


def test_purge_deletes_only_expired_keys(user):
    now = timezone.now()
    idempotency.replay_or_run(
        fake_request(user, {}, "old"), scope="a", run=lambda: Response({}), now=now - timedelta(days=2)
    )
    idempotency.replay_or_run(fake_request(user, {}, "new"), scope="a", run=lambda: Response({}), now=now)
    assert idempotency.purge_expired(now=now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_purge_task_takes_now_as_text(user):
    from servicecenter.core.tasks import core_purge_idempotency_keys_task

    old = timezone.now() - timedelta(days=2)
    idempotency.replay_or_run(fake_request(user, {}, "old"), scope="a", run=lambda: Response({}), now=old)
    assert core_purge_idempotency_keys_task(now=timezone.now().isoformat()) == 1
    assert core_purge_idempotency_keys_task() == 0
