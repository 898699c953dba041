from __future__ import annotations

from rest_framework.routers import SimpleRouter

from applications.api.corrections import IdentityCorrectionViewSet
from applications.api.views import ApplicantViewSet, ApplicationViewSet

router = SimpleRouter()
router.register("applicants", ApplicantViewSet, basename="api-applicant")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register(
    "identity-corrections", IdentityCorrectionViewSet, basename="api-identity-correction"
)

urlpatterns = router.urls
