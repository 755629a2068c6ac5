"""The Celery app and the one place where periodic jobs are declared (STYLE.md §2.11)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.embedded")

app = Celery("servicecenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Hourly: delete API Idempotency-Keys older than their 24 h (core.idempotency).
    "core-purge-idempotency-keys": {
        "task": "servicecenter.core.tasks.core_purge_idempotency_keys_task",
        "schedule": crontab(minute=17),
    },
    # Every 15 minutes: remind approvers of steps pending longer than approvals.reminder_hours.
    "approvals-remind": {
        "task": "servicecenter.approvals.tasks.approvals_send_reminders_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every 5 minutes: retry notification deliveries that failed or were never handed to a worker.
    "notifications-retry": {
        "task": "servicecenter.notifications.tasks.notifications_retry_pending_task",
        "schedule": crontab(minute="*/5"),
    },
    # 00:20 every night: close yesterday's attendance results of every center (idempotent, ATT-03/04/05).
    "attendance-close-yesterday": {
        "task": "servicecenter.attendance.tasks.attendance_close_yesterday_task",
        "schedule": crontab(hour=0, minute=20),
    },
    # Every minute: WO-03 — SLA warnings and breaches of work orders, each flagged and notified once.
    "workorders-sla-sweep": {
        "task": "servicecenter.workorders.tasks.sla_sweep_task",
        "schedule": crontab(),
    },
    # 00:05 every night, then hourly: SVC-12 — yesterday's undispatched requests go to the top of today's queue.
    "workorders-rollover": {
        "task": "servicecenter.workorders.tasks.rollover_task",
        "schedule": crontab(minute=5),
    },
    # Every 5 minutes: WO-15 — open facility issues are re-escalated at the center's interval until closed.
    "workorders-reescalate": {
        "task": "servicecenter.workorders.tasks.reescalate_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 5 minutes: ATT-02 — nobody clocked in during business hours → the center manager is alerted (deduped).
    "attendance-coverage-sweep": {
        "task": "servicecenter.attendance.tasks.attendance_coverage_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 5 minutes: G-01 — complaint deadlines breached are flagged and reported to the manager once each;
    # resolutions the complainant left unanswered past the wait count as confirmed.
    "complaints-sweep": {
        "task": "servicecenter.complaints.tasks.complaint_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 15 minutes: 好差评 — rectifications of bad ratings past their deadline are flagged overdue, owner told once.
    "callbacks-rectification-sweep": {
        "task": "servicecenter.callbacks.tasks.rectification_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    # 01:10 every night: CB-12 — a monthly survey campaign gets its run for the month that has just ended (idempotent).
    "callbacks-campaign-monthly": {
        "task": "servicecenter.callbacks.tasks.campaign_monthly_task",
        "schedule": crontab(hour=1, minute=10),
    },
    # PTS-04: every 10 minutes today's events become draft point entries (idempotent keys); every 15 minutes the
    # shift-end alert for unverified drafts and, after points.daily_report_time, yesterday's summary (PTS-06).
    "points-collect": {"task": "servicecenter.points.tasks.collect_task", "schedule": crontab(minute="*/10")},
    "points-shift-end": {"task": "servicecenter.points.tasks.shift_end_alert_task", "schedule": crontab(minute="*/15")},
    "points-daily-summary": {
        "task": "servicecenter.points.tasks.daily_summary_task",
        "schedule": crontab(minute="*/15"),
    },
    # 00:40: the previous month settled once (fixed items, renewal points: PTS-10, PTS-18); 08:05: recheck reminders.
    "points-month-end": {"task": "servicecenter.points.tasks.month_end_task", "schedule": crontab(hour=0, minute=40)},
    "points-month-reminder": {
        "task": "servicecenter.points.tasks.month_reminder_task",
        "schedule": crontab(hour=8, minute=5),
    },
}
