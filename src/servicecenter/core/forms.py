"""Form plumbing shared by the page views of every app."""

from __future__ import annotations

from django import forms

from .errors import DomainError


def show_domain_error(form: forms.BaseForm, exc: DomainError, *, on_top: bool = True) -> list[str]:
    """Put a service's refusal on the form it came from: each field message on its field; the message itself as a
    form-wide error when no field took one (and `on_top`). Returns the fields that took a message."""
    placed = [name for name in exc.fields if name in form.fields]
    for name in placed:
        for message in exc.fields[name]:
            form.add_error(name, message)
    if not placed and on_top:
        form.add_error(None, exc.message)
    return placed
