"""Helpers of the leave tests: deciding a leave's pending approval step, tiny valid files."""

from __future__ import annotations

import io

from PIL import Image

from servicecenter.approvals import services as approvals

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pending_step(leave):
    request = leave.approval_request
    request.refresh_from_db()
    return request.steps.get(order=request.current_step_order)


def decide(leave, approver, decision="approve", comment="", now=None):
    step = pending_step(leave)
    approvals.step_decide(actor=approver.user, step_id=step.pk, decision=decision, comment=comment, now=now)
    leave.refresh_from_db()
    return leave
