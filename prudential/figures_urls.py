"""The portfolio risk figures, under /risk/figures/ (namespace "risk-figures")."""

from __future__ import annotations

from django.urls import path

from prudential.views import figures

app_name = "risk-figures"

urlpatterns = [
    path("", figures.figures_page, name="page"),
    path("export.xlsx", figures.figures_export, name="export"),
]
