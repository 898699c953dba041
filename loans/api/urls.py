from __future__ import annotations

from django.urls import path

from loans.api.views import GesvCalculatorView, ScheduleCalculatorView

urlpatterns = [
    path("calculator/schedule/", ScheduleCalculatorView.as_view(), name="api-calculator-schedule"),
    path("calculator/gesv/", GesvCalculatorView.as_view(), name="api-calculator-gesv"),
]
