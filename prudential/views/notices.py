"""The notice to the regulator that k1 is back within the limit (DOMAIN.md §11): its page,
its sending, and the notice as a PDF."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.throttling import heavy_page
from prudential import documents, services
from prudential.forms import NoticeSendForm, show_error
from prudential.models import ReturnNotice
from prudential.views.common import language_or_404, pdf_response, risk_only


def _render_notice(request, notice: ReturnNotice, form=None, status: int = 200):
    return render(
        request,
        "prudential/notice.html",
        {
            "notice": notice,
            "run": notice.run,
            "today": timezone.localdate(),
            "form": form or (NoticeSendForm() if notice.sent_on is None else None),
            "languages": documents.DOCUMENT_LANGUAGES,
        },
        status=status,
    )


def _open_notice(pk: int) -> ReturnNotice:
    return get_object_or_404(ReturnNotice.objects.select_related("run", "sent_by"), pk=pk)


@risk_only
def notice_detail(request, pk: int):
    return _render_notice(request, _open_notice(pk))


@risk_only
@require_POST
def notice_send(request, pk: int):
    notice = _open_notice(pk)
    form = NoticeSendForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["on"] < notice.reporting_date:
                raise DomainError(_("The notice is sent after its reporting date."), field="on")
            services.return_notice_send(
                notice_id=notice.pk, on=form.cleaned_data["on"], by=request.user
            )
        except DomainError as error:
            show_error(form, error)
            form.error_field = error.field
        else:
            messages.success(request, _("The notice is recorded as sent."))
            return redirect("risk:notice", pk=notice.pk)
    notice.refresh_from_db()
    return _render_notice(request, notice, form, status=400)


@risk_only
@heavy_page
def notice_pdf(request, pk: int, language: str):
    notice = _open_notice(pk)
    content = documents.notice_pdf(notice, language=language_or_404(language))
    return pdf_response(content, f"k1-notice-{notice.reporting_date.isoformat()}-{language}.pdf")
