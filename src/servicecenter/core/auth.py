"""Login by staff number regardless of case (ORG-08: 工号 are unique whatever their case)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class CaseInsensitiveModelBackend(ModelBackend):
    """`gc002` logs in as `GC002`. Usernames are staff numbers, which org.services keeps unique ignoring case."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get(**{f"{user_model.USERNAME_FIELD}__iexact": username.strip()})
        except (user_model.DoesNotExist, user_model.MultipleObjectsReturned):
            # Run the hasher once anyway, so that a missing user takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: Any, credentials: dict | None = None) -> str:
    """django-axes counts failures per lower-cased login, so `GC002` and `gc002` share one counter."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()
