"""Routes of the org API, mounted at /api/v1/org/ (namespace "org-api").

URL names (router basenames): org-api:organization-list / -detail, org-api:staff-list / -detail / -status,
org-api:role-list, org-api:role-assignment-list / -detail / -revoke.
"""

from rest_framework.routers import SimpleRouter

from . import views

app_name = "org-api"

# Path converters (<int:pk>, from the viewsets' lookup_value_converter) rather than regexes: ids are integers in
# the URL and in the OpenAPI schema.
router = SimpleRouter(use_regex_path=False)
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("roles", views.RoleViewSet, basename="role")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="role-assignment")

urlpatterns = router.urls
