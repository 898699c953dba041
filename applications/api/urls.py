from __future__ import annotations

from rest_framework.routers import SimpleRouter

from applications.api.views import ApplicantViewSet, ApplicationViewSet

router = SimpleRouter()
router.register("applicants", ApplicantViewSet, basename="api-applicant")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls
