from __future__ import annotations

from django.urls import path

from collateral.views import applications, inspections, items, monitoring

app_name = "collateral"

urlpatterns = [
    path("inspections/", inspections.inspection_queue_page, name="inspection-queue"),
    path(
        "applications/<int:application_id>/",
        applications.application_collateral,
        name="application",
    ),
    path(
        "applications/<int:application_id>/items/new/",
        applications.item_create,
        name="item-create",
    ),
    path(
        "applications/<int:application_id>/guarantees/",
        applications.guarantee_add,
        name="guarantee-add",
    ),
    path("items/<int:pk>/", items.item_detail, name="item"),
    path("items/<int:pk>/title-documents/", items.title_document_add, name="title-document-add"),
    path("items/<int:pk>/appraisals/", items.appraisal_record, name="appraisal-record"),
    path("items/<int:pk>/pledge/", items.pledge_register, name="pledge-register"),
    path("items/<int:pk>/insurance/", items.insurance_add, name="insurance-add"),
    path("items/<int:pk>/release/", items.item_release, name="item-release"),
    path("items/<int:pk>/inspections/new/", monitoring.inspection_create, name="inspection-create"),
    path("items/<int:pk>/payouts/new/", monitoring.payout_create, name="payout-create"),
]
