"""The risk manager's k1 pages under /risk/ (namespace "risk")."""

from __future__ import annotations

from django.urls import path

from prudential import views

app_name = "risk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("k1/run/", views.k1_run_new, name="k1-run-new"),
    path("k1/runs.xlsx", views.k1_runs_export, name="k1-runs-export"),
    path("k1/<str:on>/", views.k1_run_detail, name="k1-run"),
    path("k1/<str:on>/loans.xlsx", views.k1_loans_export, name="k1-loans-export"),
    path("k1/<str:on>/report/<str:language>.pdf", views.k1_report_pdf, name="k1-report"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan-action"),
    path("plans/<int:pk>/plan/<str:language>.pdf", views.plan_pdf, name="plan-pdf"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/send/", views.notice_send, name="notice-send"),
    path("notices/<int:pk>/notice/<str:language>.pdf", views.notice_pdf, name="notice-pdf"),
    path("settings/", views.risk_settings_edit, name="settings"),
]
