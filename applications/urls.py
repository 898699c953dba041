from __future__ import annotations

from django.urls import path

from applications import identity_views, views

app_name = "applications"

urlpatterns = [
    path("applicants/", views.applicant_search, name="applicant-list"),
    path("applicants/new/", views.applicant_create, name="applicant-create"),
    path("applicants/<int:pk>/", views.applicant_detail, name="applicant-detail"),
    path("applicants/<int:pk>/edit/", views.applicant_edit, name="applicant-edit"),
    path(
        "applicants/<int:pk>/representatives/",
        views.representative_add,
        name="representative-add",
    ),
    path(
        "applicants/<int:pk>/identity-correction/",
        identity_views.identity_correction_request,
        name="identity-correction-request",
    ),
    path(
        "identity-corrections/",
        identity_views.identity_correction_queue,
        name="identity-correction-queue",
    ),
    path(
        "identity-corrections/<int:pk>/approve/",
        identity_views.identity_correction_approve,
        name="identity-correction-approve",
    ),
    path(
        "identity-corrections/<int:pk>/reject/",
        identity_views.identity_correction_reject,
        name="identity-correction-reject",
    ),
    path("queue/", views.queue, name="queue"),
    path("new/", views.application_create, name="application-create"),
    path("<int:pk>/", views.application_detail, name="application-detail"),
    path("<int:pk>/advance/", views.application_advance, name="application-advance"),
    path("<int:pk>/refuse/", views.application_refuse, name="application-refuse"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("<int:pk>/answer/", views.application_answer, name="application-answer"),
    path("<int:pk>/documents/", views.document_receive, name="document-receive"),
    path("<int:pk>/documents/missing/", views.document_missing, name="document-missing"),
    path(
        "<int:pk>/documents/<slug:document_type>/file/",
        views.document_file,
        name="document-file",
    ),
    path("<int:pk>/debt-burden/", views.debt_burden_assess, name="debt-burden-assess"),
    path("<int:pk>/conclusions/", views.conclusion_record, name="conclusion-record"),
]
