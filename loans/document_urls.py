from __future__ import annotations

from django.urls import path

from loans import document_views as views

app_name = "loan-documents"

urlpatterns = [
    path("<int:loan_id>/contract/<str:language>.pdf", views.contract_pdf, name="contract"),
    path(
        "payments/<int:payment_id>/receipt/<str:language>.pdf",
        views.receipt_pdf,
        name="receipt",
    ),
    path(
        "<int:loan_id>/agreements/<int:version>/<str:language>.pdf",
        views.agreement_pdf,
        name="agreement",
    ),
    path("demands/<int:demand_id>/<str:language>.pdf", views.demand_pdf, name="demand"),
    path("<int:loan_id>/payoff/<str:language>.pdf", views.payoff_pdf, name="payoff"),
]
