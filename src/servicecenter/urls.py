from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from servicecenter import views as project_views
from servicecenter.core import views as core_views

api_v1 = [
    path("org/", include("servicecenter.org.api.urls")),
    path("policy/", include("servicecenter.policy.api.urls")),
    path("approvals/", include("servicecenter.approvals.api.urls")),
    path("notifications/", include("servicecenter.notifications.api.urls")),
    path("calendar/", include("servicecenter.workcalendar.api.urls")),
    path("customers/", include("servicecenter.customers.api.urls")),
    path("workorders/", include("servicecenter.workorders.api.urls")),
    path("leave/", include("servicecenter.leave.api.urls")),
    path("rosters/", include("servicecenter.rosters.api.urls")),
    path("attendance/", include("servicecenter.attendance.api.urls")),
    path("callbacks/", include("servicecenter.callbacks.api.urls")),
    path("complaints/", include("servicecenter.complaints.api.urls")),
    path("pay/", include("servicecenter.pay.api.urls")),
    path("renewals/", include("servicecenter.renewals.api.urls")),
    path("points/", include("servicecenter.points.api.urls")),
]

urlpatterns = [
    path("", project_views.home_view, name="home"),
    path("healthz", core_views.healthz_view, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("servicecenter.org.urls")),
    path("policy/", include("servicecenter.policy.urls")),
    path("approvals/", include("servicecenter.approvals.urls")),
    path("notifications/", include("servicecenter.notifications.urls")),
    path("calendar/", include("servicecenter.workcalendar.urls")),
    path("customers/", include("servicecenter.customers.urls")),
    path("workorders/", include("servicecenter.workorders.urls")),
    path("leave/", include("servicecenter.leave.urls")),
    path("rosters/", include("servicecenter.rosters.urls")),
    path("attendance/", include("servicecenter.attendance.urls")),
    path("callbacks/", include("servicecenter.callbacks.urls")),
    path("complaints/", include("servicecenter.complaints.urls")),
    path("pay/", include("servicecenter.pay.urls")),
    path("points/board/", include("servicecenter.points.urls_board")),
    path("points/", include("servicecenter.points.urls")),
    path("renewals/", include("servicecenter.renewals.urls")),
    path("appraisal/", include("servicecenter.appraisal.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Server-rendered from the schema: Swagger UI / ReDoc would load their JavaScript from a CDN.
    path("api/docs/", project_views.api_docs_view, name="api-docs"),
    path("admin/", admin.site.urls),
]

# A URL under /api/ that matches no route answers in the API error format (core.api.page_not_found).
handler404 = "servicecenter.core.api.page_not_found"
# A page's BadRequest("…") (a malformed ?month=…) answers 400 with its message (core.api.bad_request).
handler400 = "servicecenter.core.api.bad_request"
