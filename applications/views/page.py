"""The application's page (DOMAIN.md §2–§3): the credit file with the forms the rules offer now,
and the answer to each of its actions: one service call per POST; a refused action re-renders the
page with the reasons beside its form.

The page opens the file through a selector that writes the audit row (DOMAIN.md §14).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from applications.errors import TransitionBlocked
from applications.forms import (
    AdvanceForm,
    AnswerForm,
    ConclusionForm,
    DebtBurdenForm,
    DocumentForm,
    DocumentMissingForm,
    RefuseForm,
    WithdrawForm,
)
from applications.history import application_history
from applications.models import Application, ApplicationDocument, Conclusion, DocumentType, Stage
from applications.roles import WRITE_ROLES
from applications.selectors import credit_file_open, next_stages, stage_overdue
from applications.transitions import ALLOWED, FINAL
from core.errors import DomainError
from core.forms import add_domain_error
from core.privacy import can_see_personal_data, identifier_for
from core.roles import has_role

# Stages whose package (documents, debt burden, conclusions) is closed; as in services._ensure_open
PACKAGE_CLOSED = FINAL | {Stage.COMMITTEE, Stage.APPROVED}


def offered_actions(application: Application, *, can_write: bool) -> set[str]:
    """The forms the page offers: only what the rules allow now (the services check again)."""
    if not can_write:
        return set()
    stage = Stage(application.stage)
    offered = {"advance"}
    if Stage.REFUSED in ALLOWED[stage] and stage != Stage.COMMITTEE:  # there the committee refuses
        offered.add("refuse")
    if Stage.WITHDRAWN in ALLOWED[stage]:
        offered.add("withdraw")
    if Stage.ACCEPTED in ALLOWED[stage]:
        offered.add("answer")
    if stage not in PACKAGE_CLOSED:
        offered |= {"debt_burden", "document", "conclusion"}
    return offered


def detail_context(request, application: Application, failed: dict[str, forms.Form]) -> dict:
    user = request.user
    can_write = has_role(user, WRITE_ROLES)
    offered = offered_actions(application, can_write=can_write)

    def form(key: str, make: Callable[[], forms.Form]) -> forms.Form | None:
        return (failed.get(key) or make()) if key.split(":")[0] in offered else None

    existing = {c.kind: c for c in application.conclusions.select_related("author")}
    order = DocumentType.values  # the checklist in the order the rules list the documents
    documents = sorted(application.documents.all(), key=lambda d: order.index(d.document_type))
    history, openings = application_history(application)
    shown = {"advance", "refuse", "withdraw", "answer", "debt_burden"} & offered
    if "document" in offered:
        shown |= {f"document:{d.document_type}" for d in documents}
    if "conclusion" in offered:
        shown |= {f"conclusion:{kind}" for kind in Conclusion.Kind.values}
    return {
        "application": application,
        "applicant_identifier": identifier_for(user, application.applicant.identifier),
        "personal": can_see_personal_data(user),
        "overdue": stage_overdue(application, now=timezone.now()),
        "can_write": can_write,
        "package_open": "document" in offered,
        "next_stages": next_stages(application) if can_write else [],
        "advance_form": form("advance", AdvanceForm),
        "refuse_form": form("refuse", lambda: RefuseForm(auto_id="id_refuse_%s")),
        "withdraw_form": form("withdraw", lambda: WithdrawForm(auto_id="id_withdraw_%s")),
        "answer_form": form("answer", AnswerForm),
        # a refused action whose form is no longer offered (e.g. a page left open too long)
        "stray_form": next((f for key, f in failed.items() if key not in shown), None),
        "documents": [
            {
                "document": document,
                "form": form(
                    f"document:{document.document_type}",
                    lambda document=document: DocumentForm(
                        initial={"document_type": document.document_type}, auto_id=False
                    ),
                ),
                "missing_form": DocumentMissingForm(
                    initial={"document_type": document.document_type}, auto_id=False
                ),
            }
            for document in documents
        ],
        "documents_received": sum(
            1 for d in documents if d.status == ApplicationDocument.Status.RECEIVED
        ),
        "debt_burden": getattr(application, "debt_burden", None),
        "debt_burden_form": form("debt_burden", DebtBurdenForm),
        "conclusions": [
            {
                "kind": kind,
                "conclusion": existing.get(kind),
                "form": form(
                    f"conclusion:{kind}",
                    lambda kind=kind: ConclusionForm(
                        initial={
                            "kind": kind,
                            "recommendation": getattr(existing.get(kind), "recommendation", None),
                            "text": getattr(existing.get(kind), "text", ""),
                        },
                        auto_id=f"id_conclusion_{kind}_%s",
                    ),
                ),
            }
            for kind in Conclusion.Kind
        ],
        "decision": getattr(application, "decision", None),
        "history": history,
        "openings": openings,
    }


def detail_response(request, pk: int, *, failed: dict | None = None, status: int = 200):
    try:
        application = credit_file_open(application_id=pk, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "applications/application_detail.html",
        detail_context(request, application, failed or {}),
        status=status,
    )


def perform(request, pk: int, key: str, form: forms.Form, action: Callable, done: str):
    """One service call; a refusal goes back to the page beside its form, nothing written."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except TransitionBlocked as exc:
            for reason in getattr(exc, "reasons", None) or [exc.message]:
                form.add_error(None, reason)
        except DomainError as exc:
            add_domain_error(form, exc)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        else:
            messages.success(request, done)
            return redirect("applications:application-detail", pk=pk)
    return detail_response(request, pk, failed={key: form}, status=400)
