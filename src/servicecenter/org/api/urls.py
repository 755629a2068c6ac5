"""Routes of the org API, mounted at /api/v1/org/ (namespace "org-api").

URL names (router basenames): org-api:organization-list / -detail, org-api:staff-list / -detail / -status,
org-api:role-list, org-api:role-assignment-list / -detail / -revoke.
"""

from rest_framework.routers import SimpleRouter

from . import views

app_name = "org-api"

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("roles", views.RoleViewSet, basename="role")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="role-assignment")

urlpatterns = router.urls
