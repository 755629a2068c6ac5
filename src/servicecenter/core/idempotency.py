"""`Idempotency-Key` for API creates: a client that retries (a telephony system after a timeout) never creates a
second record.

`replay_or_run(request, scope=..., run=...)`:

- no header: `run()` as usual;
- a new key: the key row is inserted, `run()` executes, and its answer (status and body) is stored with the row,
  all in one transaction — if `run()` fails, the key is not kept and a retry runs again;
- the same key again (same user, same scope) with the same body: the stored answer is returned as it was
  (header `Idempotent-Replayed: true`), nothing runs;
- the same key with another body: `IdempotencyMismatch` (422) — a key names one request;
- two requests with one key at the same moment: on PostgreSQL the second INSERT waits on the unique index until the
  first commits, then finds its row and replays it — one record.

Keys are kept `KEEP` (24 h); an expired key may be used again (it names a new request) and `purge_expired()`
deletes old rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import DomainError, ValidationFailed
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, no spaces (UUIDs, ULIDs, call ids)


MISMATCH_MESSAGE = gettext_lazy(
    "该 Idempotency-Key 已用于另一份不同的请求内容；重试请发送与首次相同的内容，新请求请用新键"
)


class IdempotencyMismatch(DomainError):
    """The key was already used for a different request body."""

    code = "idempotency_mismatch"
    status_code = 422


def request_hash(data: Any) -> str:
    """A stable digest of a JSON body: key order and spacing do not matter."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_from(request: Any) -> str | None:
    """The request's Idempotency-Key, checked; None when absent. A malformed key is a 400."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not _KEY_RE.match(key):
        raise ValidationFailed(
            _("Idempotency-Key 应为 1–255 个可见 ASCII 字符（如 UUID）"),
            fields={HEADER: [_("格式不正确")]},
        )
    return key


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.response_body, status=row.status_code or 200)
    response["Idempotent-Replayed"] = "true"
    return response


def _insert(*, user: Any, scope: str, key: str, digest: str, now: datetime) -> IdempotencyKey | None:
    """The new key row, or None when (user, scope, key) exists: ONE statement (INSERT … ON CONFLICT DO NOTHING
    RETURNING id) instead of an INSERT in a savepoint. On PostgreSQL it waits, like a plain INSERT, until a
    concurrent transaction that inserted the same key commits or rolls back."""
    row = IdempotencyKey(user=user, scope=scope, key=key, request_hash=digest, created_at=now, expires_at=now + KEEP)
    meta = IdempotencyKey._meta
    qn = connection.ops.quote_name
    names = ("user", "scope", "key", "request_hash", "created_at", "expires_at")
    fields = [f for f in meta.concrete_fields if f.name in names]
    columns = ", ".join(qn(str(f.column)) for f in fields)
    params = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING "
            f"RETURNING {qn(str(next(f.column for f in meta.concrete_fields if f.primary_key)))}",
            params,
        )
        found = cursor.fetchone()
    if found is None:
        return None
    row.pk = found[0]
    row._state.adding = False
    row._state.db = connection.alias
    return row


def replay_or_run(request: Any, *, scope: str, run: Callable[[], Response], now: datetime | None = None) -> Response:
    """Run `run()` at most once per (user, scope, Idempotency-Key); see the module docstring."""
    key = key_from(request)
    if key is None:
        return run()
    user = request.user
    digest = request_hash(request.data)
    now = now or timezone.now()
    with transaction.atomic():
        inserted = _insert(user=user, scope=scope, key=key, digest=digest, now=now)
        if inserted is not None:
            row = inserted
        else:
            # Someone used the key first; on PostgreSQL the INSERT above waited until their transaction committed.
            row = IdempotencyKey.objects.select_for_update().get(user=user, scope=scope, key=key)
            if row.expires_at > now and row.status_code is not None:
                if row.request_hash != digest:
                    raise IdempotencyMismatch(
                        MISMATCH_MESSAGE,
                        fields={HEADER: [_("键已被另一请求使用")]},
                    ) from None
                return _replay(row)
            # Expired (or left without an answer): the key names this new request.
            row.request_hash = digest
            row.created_at = now
            row.expires_at = now + KEEP
            row.status_code = None
            row.response_body = None
        response = run()
        if 200 <= response.status_code < 300:
            row.status_code = response.status_code
            # Stored as the client received it (DRF's renderer: the same number and date formats on replay).
            row.response_body = json.loads(JSONRenderer().render(response.data))
            row.save(update_fields=["request_hash", "created_at", "expires_at", "status_code", "response_body"])
        else:  # pragma: no cover - run() raises on failure; a non-2xx answer is not remembered
            transaction.set_rollback(True)
        return response


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete keys past their expiry (they can no longer replay anything). Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _details = IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    return deleted
