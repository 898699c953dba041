from __future__ import annotations

from django.urls import path

from collateral.views import documents as views

app_name = "collateral-documents"

urlpatterns = [
    path(
        "pledge-agreement/<int:pk>/<str:language>.pdf",
        views.pledge_agreement_pdf,
        name="pledge-agreement",
    ),
    path(
        "guarantee-agreement/<int:pk>/<str:language>.pdf",
        views.guarantee_agreement_pdf,
        name="guarantee-agreement",
    ),
    path(
        "release-receipt/<int:pk>/<str:language>.pdf",
        views.release_receipt_pdf,
        name="release-receipt",
    ),
    path(
        "encumbrance-letter/<int:pk>/<str:language>.pdf",
        views.encumbrance_letter_pdf,
        name="encumbrance-letter",
    ),
]
