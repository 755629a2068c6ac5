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


def full_clean_or_raise(
    obj: Any, *, exclude: list[str] | None = None, validate_unique: bool = True, validate_constraints: bool = True
) -> None:
    """Run the model's own validation; turn Django's ValidationError into ValidationFailed with field messages, so
    services report bad input the one way views and the API render (never a 500, nothing saved).

    `validate_unique` / `validate_constraints` = False skip the checks that cost a query each (hot create paths);
    the caller then turns the database's IntegrityError into a clean 4xx/409 itself."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints)
    except ValidationError as exc:
        fields = {key: [str(message) for message in messages] for key, messages in exc.message_dict.items()}
        raise ValidationFailed("输入有误，请检查标出的字段", fields=fields) from exc
