from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from collateral.api.coverage import CoverageView
from collateral.api.guarantees import GuaranteeViewSet
from collateral.api.inspections import InspectionQueueView
from collateral.api.items import CollateralItemViewSet

router = SimpleRouter()
router.register("collateral/items", CollateralItemViewSet, basename="api-collateral-item")
router.register("collateral/guarantees", GuaranteeViewSet, basename="api-guarantee")

urlpatterns = [
    path("collateral/coverage/", CoverageView.as_view(), name="api-collateral-coverage"),
    path("collateral/inspections/due/", InspectionQueueView.as_view(), name="api-inspections-due"),
    *router.urls,
]
