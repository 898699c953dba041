from __future__ import annotations

from django.urls import include, path

from loans import views

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path(
        "calculator/<str:method>/<str:language>.pdf",
        views.calculator_pdf,
        name="calculator-pdf",
    ),
    path("", include("loans.portfolio_urls")),  # loan page, portfolio list, exports
    path("", include("loans.operations_urls")),  # contracts, disbursement, payments, collection
    path("documents/", include("loans.document_urls")),  # contract, receipt PDFs
]
