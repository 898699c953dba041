"""The risk manager's k1 pages under /risk/ (namespace "risk")."""

from __future__ import annotations

from django.urls import path

from prudential.views import k1, notices, plans, risk_settings

app_name = "risk"

urlpatterns = [
    path("", k1.dashboard, name="dashboard"),
    path("alerts/<int:pk>/acknowledge/", k1.alert_acknowledge, name="alert-acknowledge"),
    path("k1/run/", k1.k1_run_new, name="k1-run-new"),
    path("k1/runs.xlsx", k1.k1_runs_export, name="k1-runs-export"),
    path("k1/<str:on>/", k1.k1_run_detail, name="k1-run"),
    path("k1/<str:on>/loans.xlsx", k1.k1_loans_export, name="k1-loans-export"),
    path("k1/<str:on>/report/<str:language>.pdf", k1.k1_report_pdf, name="k1-report"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/<str:action>/", plans.plan_action, name="plan-action"),
    path("plans/<int:pk>/plan/<str:language>.pdf", plans.plan_pdf, name="plan-pdf"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice"),
    path("notices/<int:pk>/send/", notices.notice_send, name="notice-send"),
    path("notices/<int:pk>/notice/<str:language>.pdf", notices.notice_pdf, name="notice-pdf"),
    path("settings/", risk_settings.risk_settings_edit, name="settings"),
]
