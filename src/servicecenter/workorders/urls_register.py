"""The service register (SVC-03) with its export, daily reconciliation (SVC-11) and the service voucher
(SVC-04…SVC-10)."""

from __future__ import annotations

from django.urls import path

from .views import register

urlpatterns = [
    path("register/", register.register_view, name="register"),
    path("register/export/", register.register_export_view, name="register_export"),
    path("register/reconcile/", register.reconcile_view, name="reconcile"),
    path("<int:pk>/voucher/", register.voucher_view, name="voucher"),
    path("<int:pk>/voucher/countersign/", register.voucher_countersign_view, name="voucher_countersign"),
    path("<int:pk>/voucher/archive/", register.voucher_archive_view, name="voucher_archive"),
]
