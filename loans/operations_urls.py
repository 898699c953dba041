"""Contracts, disbursement, repayments at the desk and collection work, under /loans/."""

from __future__ import annotations

from django.urls import path

from loans import collection_views, operations_views, payout_views

app_name = "servicing"

urlpatterns = [
    path(
        "contracts/new/",
        operations_views.contracts_to_draw_page,
        name="contracts-to-draw",
    ),
    path(
        "contracts/new/<int:application_id>/",
        operations_views.contract_create,
        name="contract-create",
    ),
    path("<int:pk>/sign/", operations_views.contract_sign, name="contract-sign"),
    path(
        "disbursements/",
        operations_views.disbursement_queue_page,
        name="disbursement-queue",
    ),
    path("<int:pk>/disburse/", operations_views.disburse, name="disburse"),
    path(
        "<int:pk>/payout-account/new/",
        payout_views.payout_account_change_new,
        name="payout-account-change-new",
    ),
    path(
        "payout-accounts/",
        payout_views.payout_account_changes_page,
        name="payout-account-changes",
    ),
    path(
        "payout-accounts/<int:pk>/decide/",
        payout_views.payout_account_change_decide,
        name="payout-account-change-decide",
    ),
    path("<int:pk>/payments/new/", operations_views.payment_new, name="payment-new"),
    path("collection/", collection_views.collection_queue_page, name="collection-queue"),
    path("<int:pk>/contacts/new/", collection_views.contact_new, name="contact-new"),
]
