"""The portfolio list, its exports and a loan's page, under /loans/ (namespace "portfolio")."""

from __future__ import annotations

from django.urls import path

from loans import portfolio_export, portfolio_views

app_name = "portfolio"

urlpatterns = [
    path("portfolio/", portfolio_views.portfolio_list, name="list"),
    path("portfolio/export.<str:fmt>", portfolio_export.portfolio_export, name="export"),
    path("<int:pk>/", portfolio_views.loan_detail, name="loan"),
]
