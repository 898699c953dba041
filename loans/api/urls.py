from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from loans.api.servicing_views import DayCloseViewSet, LoanViewSet
from loans.api.views import GesvCalculatorView, ScheduleCalculatorView

router = SimpleRouter()
router.register("loans", LoanViewSet, basename="api-loan")
router.register("day-closes", DayCloseViewSet, basename="api-day-close")

urlpatterns = [
    path("calculator/schedule/", ScheduleCalculatorView.as_view(), name="api-calculator-schedule"),
    path("calculator/gesv/", GesvCalculatorView.as_view(), name="api-calculator-gesv"),
    *router.urls,
]
