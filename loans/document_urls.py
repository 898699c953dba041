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
]
