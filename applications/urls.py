from __future__ import annotations

from django.urls import path

from applications import identity_views
from applications.views import (
    applicants,
    assessment,
    documents,
    queue,
)
from applications.views import applications as application_views

app_name = "applications"

urlpatterns = [
    path("applicants/", applicants.applicant_search, name="applicant-list"),
    path("applicants/new/", applicants.applicant_create, name="applicant-create"),
    path("applicants/<int:pk>/", applicants.applicant_detail, name="applicant-detail"),
    path("applicants/<int:pk>/edit/", applicants.applicant_edit, name="applicant-edit"),
    path(
        "applicants/<int:pk>/representatives/",
        applicants.representative_add,
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
    path("queue/", queue.queue, name="queue"),
    path("new/", application_views.application_create, name="application-create"),
    path("<int:pk>/", application_views.application_detail, name="application-detail"),
    path("<int:pk>/advance/", application_views.application_advance, name="application-advance"),
    path("<int:pk>/refuse/", application_views.application_refuse, name="application-refuse"),
    path("<int:pk>/withdraw/", application_views.application_withdraw, name="application-withdraw"),
    path("<int:pk>/answer/", application_views.application_answer, name="application-answer"),
    path("<int:pk>/documents/", documents.document_receive, name="document-receive"),
    path("<int:pk>/documents/missing/", documents.document_missing, name="document-missing"),
    path(
        "<int:pk>/documents/<slug:document_type>/file/",
        documents.document_file,
        name="document-file",
    ),
    path("<int:pk>/debt-burden/", assessment.debt_burden_assess, name="debt-burden-assess"),
    path("<int:pk>/conclusions/", assessment.conclusion_record, name="conclusion-record"),
]
