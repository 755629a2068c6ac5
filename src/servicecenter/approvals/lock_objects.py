"""Row locks of the approvals engine, always in the same order: the request first, then its steps (STYLE.md §2.7).

Two people deciding the same step at once both lock the request row; the second waits, then reads the step as
the first left it and gets a Conflict. On SQLite `select_for_update` does nothing (one writer at a time anyway).
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApprovalRequest, ApprovalStep


def approval_request_qs_select_for_update() -> QuerySet[ApprovalRequest]:
    # of=("self",): lock only the request row, not the joined organization or user rows.
    return ApprovalRequest.objects.select_for_update(of=("self",))


def approval_step_qs_select_for_update() -> QuerySet[ApprovalStep]:
    return ApprovalStep.objects.select_for_update(of=("self",)).order_by("order")
