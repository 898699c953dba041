"""The portfolio risk figures, under /risk/figures/ (namespace "risk-figures")."""

from __future__ import annotations

from django.urls import path

from prudential import figures_views

app_name = "risk-figures"

urlpatterns = [
    path("", figures_views.figures_page, name="page"),
    path("export.xlsx", figures_views.figures_export, name="export"),
]
