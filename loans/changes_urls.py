"""Changes to a disbursed loan and its end, under /loans/ (namespace "loan-changes")."""

from __future__ import annotations

from django.urls import path

from loans import changes_views, ending_views

app_name = "loan-changes"

urlpatterns = [
    path("<int:pk>/prepayment/", changes_views.prepayment_new, name="prepayment"),
    path(
        "<int:pk>/restructurings/new/",
        changes_views.restructuring_new,
        name="restructuring-new",
    ),
    path(
        "restructurings/<int:pk>/agenda/",
        changes_views.restructuring_agenda,
        name="restructuring-agenda",
    ),
    path(
        "restructurings/<int:pk>/agreement/",
        changes_views.restructuring_apply,
        name="restructuring-apply",
    ),
    path("<int:pk>/versions/<int:version>/", changes_views.version_detail, name="version"),
    path(
        "<int:pk>/demands/acceleration/",
        ending_views.demand_acceleration,
        name="demand-acceleration",
    ),
    path("<int:pk>/demands/misuse/", ending_views.demand_misuse, name="demand-misuse"),
    path("<int:pk>/write-off/", ending_views.write_off_new, name="write-off"),
    path("<int:pk>/close/", ending_views.loan_close, name="close"),
    path("<int:pk>/refunds/new/", ending_views.refund_new, name="refund"),
    path("write-offs/", ending_views.write_off_report, name="write-offs"),
]
