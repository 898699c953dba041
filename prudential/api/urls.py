from __future__ import annotations

from rest_framework.routers import SimpleRouter

from prudential.api.views import (
    ActionPlanViewSet,
    AlertViewSet,
    K1RunViewSet,
    ReturnNoticeViewSet,
)

router = SimpleRouter()
router.register("prudential/k1-runs", K1RunViewSet, basename="api-k1-run")
router.register("prudential/alerts", AlertViewSet, basename="api-prudential-alert")
router.register("prudential/action-plans", ActionPlanViewSet, basename="api-action-plan")
router.register("prudential/return-notices", ReturnNoticeViewSet, basename="api-return-notice")

urlpatterns = router.urls
