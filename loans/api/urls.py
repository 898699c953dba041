from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from loans.api.changes.loan import LoanChangesViewSet
from loans.api.changes.restructurings import RestructuringViewSet
from loans.api.changes.write_offs import WriteOffViewSet
from loans.api.payout_views import LoanPayoutAccountViewSet, PayoutAccountChangeViewSet
from loans.api.servicing.day_closes import DayCloseViewSet
from loans.api.servicing.loan import LoanViewSet
from loans.api.views import GesvCalculatorView, ScheduleCalculatorView

router = SimpleRouter()
router.register("loans", LoanViewSet, basename="api-loan")
router.register("day-closes", DayCloseViewSet, basename="api-day-close")
# the same prefix: a disbursed loan's quotes and changes, only actions under loans/{id}/
router.register("loans", LoanChangesViewSet, basename="api-loan-changes")
router.register("restructurings", RestructuringViewSet, basename="api-restructuring")
router.register("write-offs", WriteOffViewSet, basename="api-write-off")
router.register("loans", LoanPayoutAccountViewSet, basename="api-loan-payout")
router.register(
    "payout-account-changes", PayoutAccountChangeViewSet, basename="api-payout-account-change"
)

urlpatterns = [
    path("calculator/schedule/", ScheduleCalculatorView.as_view(), name="api-calculator-schedule"),
    path("calculator/gesv/", GesvCalculatorView.as_view(), name="api-calculator-gesv"),
    *router.urls,
]
