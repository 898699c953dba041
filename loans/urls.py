from __future__ import annotations

from django.urls import path

from loans import views

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path(
        "calculator/<str:method>/<str:language>.pdf",
        views.calculator_pdf,
        name="calculator-pdf",
    ),
]
