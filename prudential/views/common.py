"""What the risk manager's pages share: who may open them, the date and language in a URL,
the link to a run and a PDF shown in the browser."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.urls import reverse

from core.permissions import role_required
from core.roles import Role
from prudential import documents
from prudential.models import K1Run

RISK_ROLES = (Role.RISK_MANAGER, Role.ADMINISTRATOR)
risk_only = role_required(*RISK_ROLES)


def day_or_404(on: str) -> date:
    try:
        return date.fromisoformat(on)
    except ValueError as exc:
        raise Http404 from exc


def language_or_404(language: str) -> str:
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    return language


def run_url(run: K1Run) -> str:
    return reverse("risk:k1-run", args=[run.on.isoformat()])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
