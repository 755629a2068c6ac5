"""Domain errors: raised by services and policies, rendered by views and the API in one format."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused an action. `code` is stable, `message` is for people (Chinese first),
    `fields` maps form fields to messages, `clause` names the requirement ID that refused it."""

    code = "domain_error"
    status_code = 400

    def __init__(
        self,
        message: Any = "",
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        clause: str = "",
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}
        self.clause = clause


class NotAllowed(DomainError):
    code = "not_allowed"
    status_code = 403


class Conflict(DomainError):
    """Someone else changed the record first (e.g. two approvers on one step)."""

    code = "conflict"
    status_code = 409


class ValidationFailed(DomainError):
    code = "invalid"
    status_code = 400
