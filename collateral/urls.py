from __future__ import annotations

from django.urls import path

from collateral import views

app_name = "collateral"

urlpatterns = [
    path("inspections/", views.inspection_queue_page, name="inspection-queue"),
    path(
        "applications/<int:application_id>/",
        views.application_collateral,
        name="application",
    ),
    path(
        "applications/<int:application_id>/items/new/",
        views.item_create,
        name="item-create",
    ),
    path(
        "applications/<int:application_id>/guarantees/",
        views.guarantee_add,
        name="guarantee-add",
    ),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/title-documents/", views.title_document_add, name="title-document-add"),
    path("items/<int:pk>/appraisals/", views.appraisal_record, name="appraisal-record"),
    path("items/<int:pk>/pledge/", views.pledge_register, name="pledge-register"),
    path("items/<int:pk>/insurance/", views.insurance_add, name="insurance-add"),
    path("items/<int:pk>/release/", views.item_release, name="item-release"),
    path("items/<int:pk>/inspections/new/", views.inspection_create, name="inspection-create"),
    path("items/<int:pk>/payouts/new/", views.payout_create, name="payout-create"),
]
