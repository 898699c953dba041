"""The application's checklist of documents: received, missing, and a received file's download."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import services
from applications.forms import DocumentForm, DocumentMissingForm
from applications.models import Application, ApplicationDocument
from applications.roles import WRITE_ROLES
from applications.selectors import credit_file_open
from applications.views.page import perform
from core.downloads import attachment
from core.permissions import role_required
from core.privacy import POLICY, Category


@role_required(*WRITE_ROLES)
@require_POST
def document_receive(request, pk: int):
    form = DocumentForm(request.POST, request.FILES, auto_id=False)
    return perform(
        request,
        pk,
        f"document:{request.POST.get('document_type', '')}",
        form,
        lambda data: services.document_receive(
            application_id=pk,
            document_type=data["document_type"],
            upload=data.get("file"),
            by=request.user,
        ),
        _("The document is received."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def document_missing(request, pk: int):
    form = DocumentMissingForm(request.POST, auto_id=False)
    return perform(
        request,
        pk,
        f"document:{request.POST.get('document_type', '')}",
        form,
        lambda data: services.document_mark_missing(
            application_id=pk, document_type=data["document_type"], by=request.user
        ),
        _("The document is marked missing."),
    )


@role_required(*POLICY[Category.DOCUMENTS].clear)
def document_file(request, pk: int, document_type: str):
    """A received document's file (personal data: need to know); downloading it is an opening
    of the credit file."""
    try:
        application = credit_file_open(application_id=pk, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    document = get_object_or_404(
        ApplicationDocument, application=application, document_type=document_type
    )
    if not document.file:
        raise Http404
    return attachment(
        document.file.open("rb"),
        filename=document.original_name,
        content_type=document.content_type,
        default=document_type,
    )
