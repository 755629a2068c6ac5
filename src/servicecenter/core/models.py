"""Base models shared by every app, and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: every concrete model records when it was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def for_target(self, obj: models.Model) -> AuditEventQuerySet:
        """The events of one record, with the actor's staff record loaded for display (no query per row)."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)).select_related(
            "actor__staff"
        )

    def update(self, **kwargs):  # pragma: no cover - guarded behaviour
        raise TypeError("AuditEvent is append-only")

    def delete(self):  # pragma: no cover - guarded behaviour
        raise TypeError("AuditEvent is append-only")


class AuditEvent(models.Model):
    """One business event: who did what to which record, when, under which clause (DESIGN.md §2.7).

    Append-only: rows are written only by `core.audit.record()` inside the service's transaction and
    are never updated or deleted. `changes` holds `{"field": [old, new]}` with stored codes, not labels.
    """

    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    verb = models.CharField(_("动作"), max_length=100, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("对象"), max_length=255, blank=True)
    organization = models.ForeignKey(
        "org.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    clause = models.CharField(_("依据条款"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [
            models.Index(fields=["target_type", "target_id", "-occurred_at"], name="audit_target_idx"),
            models.Index(fields=["organization", "-occurred_at"], name="audit_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("AuditEvent is append-only")


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` an API client sent on a create (core.idempotency).

    Unique per (user, scope, key): a retry of the same request by the same user finds the row and gets the first
    answer again instead of a second record. On PostgreSQL the unique index also serialises two concurrent requests
    with one key: the second INSERT waits for the first transaction and then sees its row. Rows expire after
    `idempotency.KEEP` (24 h) and may then be reused or purged; they are API plumbing, not business records.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="core_idempotency_user_scope_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.scope}/{self.key}"
