from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The two call lists of CB-11: subscribers due for renewal this month, and historically suspended ones."""

    DUE = "due", _("到期续费")
    SUSPENDED = "suspended", _("历史停机")


class Outcome(models.TextChoices):
    """The outcome of a renewal call (CB-11). renewed + upgraded + downgraded count as renewed (PTS-12)."""

    RENEWED = "renewed", _("已续费")
    UPGRADED = "upgraded", _("升档续费")
    DOWNGRADED = "downgraded", _("降档续费")
    REFUSED = "refused", _("拒绝续费")
    UNREACHABLE = "unreachable", _("无法联系")


RENEWED_OUTCOMES = (Outcome.RENEWED, Outcome.UPGRADED, Outcome.DOWNGRADED)
TIER_CHANGES = (Outcome.UPGRADED, Outcome.DOWNGRADED)


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("待确认")
    COMMITTED = "committed", _("已导入")
    CANCELLED = "cancelled", _("已取消")
