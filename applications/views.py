"""Browser pages for applicants and applications (DOMAIN.md §2–§3): one service call per POST.

Every page showing a borrower's file opens it through a selector that writes the audit row
(DOMAIN.md §14); a refused action re-renders the page with the reasons beside its form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import services
from applications.errors import TransitionBlocked
from applications.forms import (
    AdvanceForm,
    AnswerForm,
    ApplicantForm,
    ApplicantSearchForm,
    ApplicationForm,
    ConclusionForm,
    DebtBurdenForm,
    DocumentForm,
    DocumentMissingForm,
    RefuseForm,
    RepresentativeForm,
    WithdrawForm,
)
from applications.identity_forms import mark_identity_fixed
from applications.identity_views import identity_section
from applications.models import (
    Applicant,
    Application,
    ApplicationDocument,
    Conclusion,
    Decision,
    DocumentType,
    RefusalGround,
    Stage,
    Vote,
)
from applications.selectors import (
    applicant_identity_fixed,
    applicant_list,
    applicant_open,
    application_list,
    credit_administrator_queue,
    credit_file_open,
    next_stages,
    stage_overdue,
)
from applications.transitions import ALLOWED, FINAL
from core.branches import user_branch, visible_applicants, visible_applications
from core.downloads import attachment
from core.errors import DomainError
from core.forms import add_domain_error
from core.navigation import QueueRow
from core.permissions import role_required
from core.privacy import POLICY, Category, can_see_personal_data, identifier_for, sees
from core.roles import Role, has_role
from core.selectors import audit_event_list

WRITE_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
READ_ROLES = (
    *WRITE_ROLES,
    Role.COMMITTEE_MEMBER,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
)
HOME_QUEUE_ROWS = 10
OPENED = "credit_file.opened"
# Stages whose package (documents, debt burden, conclusions) is closed; as in services._ensure_open
PACKAGE_CLOSED = FINAL | {Stage.COMMITTEE, Stage.APPROVED}

ACTION_LABELS = {
    "application.registered": gettext_lazy("Registered"),
    "application.stage_changed": gettext_lazy("Stage changed"),
    "application.document_received": gettext_lazy("Document received"),
    "application.document_missing": gettext_lazy("Document marked missing"),
    "application.debt_burden_assessed": gettext_lazy("Debt burden assessed"),
    "application.conclusion_recorded": gettext_lazy("Conclusion recorded"),
    "committee.agenda_added": gettext_lazy("Put on the committee's agenda"),
    "committee.conflict_declared": gettext_lazy("Conflict of interest declared"),
    "committee.vote_cast": gettext_lazy("Vote cast"),
    "committee.decided": gettext_lazy("Committee decided"),
    "collateral.item_registered": gettext_lazy("Collateral registered"),
    "collateral.title_document_added": gettext_lazy("Title document received"),
    "collateral.appraised": gettext_lazy("Collateral appraised"),
    "collateral.guarantee_added": gettext_lazy("Guarantee added"),
    "collateral.encumbrance": gettext_lazy("Encumbrance updated"),
    "collateral.insured": gettext_lazy("Collateral insured"),
    "collateral.inspected": gettext_lazy("Collateral inspected"),
    "collateral.inspection_photo_added": gettext_lazy("Inspection photo added"),
    "collateral.insurance_payout": gettext_lazy("Insurance payout recorded"),
    "collateral.released": gettext_lazy("Collateral released"),
    "collateral.document_printed": gettext_lazy("Collateral document printed"),
}


def _bad_request(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- applicants -----------------------------------------------------------------------------


def _open_applicant(request, pk: int) -> Applicant:
    try:
        return applicant_open(applicant_id=pk, user=request.user)
    except Applicant.DoesNotExist as exc:
        raise Http404 from exc


@role_required(*READ_ROLES)
def applicant_search(request):
    form = ApplicantSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    personal = can_see_personal_data(request.user)
    # who sees identifiers masked finds by the whole number only, not digit by digit
    applicants = visible_applicants(
        request.user,
        applicant_list(
            search=search,
            exact_identifiers=not personal,
            by_phone=sees(request.user, Category.CONTACTS),
        ),
    )
    page = Paginator(applicants, 50).get_page(request.GET.get("page"))
    rows = [
        {"applicant": applicant, "identifier": identifier_for(request.user, applicant.identifier)}
        for applicant in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/applicant_list.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "personal": personal,
            "can_write": has_role(request.user, WRITE_ROLES),
        },
    )


@role_required(*WRITE_ROLES)
def applicant_create(request):
    form = ApplicantForm(request.POST) if request.method == "POST" else ApplicantForm()
    if form.is_bound and form.is_valid():
        try:
            applicant = services.applicant_create(data=form.cleaned_data, by=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The applicant is registered."))
            return redirect("applications:applicant-detail", pk=applicant.pk)
    return render(
        request, "applications/applicant_form.html", {"form": form}, status=_bad_request(form)
    )


@role_required(*READ_ROLES)
def applicant_detail(request, pk: int):
    applicant = _open_applicant(request, pk)
    return _applicant_page(request, applicant, RepresentativeForm())


def _applicant_page(request, applicant, representative_form, status: int = 200):
    representatives = [
        (r, identifier_for(request.user, r.iin)) for r in applicant.representatives.all()
    ]
    return render(
        request,
        "applications/applicant_detail.html",
        {
            "applicant": applicant,
            "identifier": identifier_for(request.user, applicant.identifier),
            "personal": can_see_personal_data(request.user),
            "applications": visible_applications(
                request.user, application_list().filter(applicant=applicant)
            ).order_by("-created_at"),
            "can_write": has_role(request.user, WRITE_ROLES),
            "representatives": representatives,
            "representative_form": representative_form,
            **identity_section(request, applicant),
        },
        status=status,
    )


@role_required(*WRITE_ROLES)
@require_POST
def representative_add(request, pk: int):
    applicant = get_object_or_404(applicant_list(), pk=pk)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        try:
            services.representative_add(
                applicant_id=applicant.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("applications:applicant-detail", pk=applicant.pk)
    return _applicant_page(request, applicant, form, status=400)


@role_required(*WRITE_ROLES)
def applicant_edit(request, pk: int):
    if request.method == "POST":
        # the page shows back what was posted; the file itself is opened by the GET
        applicant = get_object_or_404(applicant_list(), pk=pk)
        form = ApplicantForm(request.POST)
        if form.is_valid():
            try:
                services.applicant_update(
                    applicant_id=applicant.pk, data=form.cleaned_data, by=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The applicant's data are saved."))
                return redirect("applications:applicant-detail", pk=applicant.pk)
    else:
        applicant = _open_applicant(request, pk)
        form = ApplicantForm(initial=ApplicantForm.initial_from(applicant))
    if applicant_identity_fixed(applicant):  # the service refuses a change; say so up front
        mark_identity_fixed(form)
    return render(
        request,
        "applications/applicant_form.html",
        {"form": form, "applicant": applicant},
        status=_bad_request(form),
    )


# --- applications ---------------------------------------------------------------------------


def _application_form(request, *args, **kwargs) -> ApplicationForm:
    form = ApplicationForm(*args, **kwargs)
    if user_branch(request.user) is not None:  # registered at the user's branch
        del form.fields["branch"]
    return form


@role_required(*WRITE_ROLES)
def application_create(request):
    applicant = None
    if request.method == "POST":
        form = _application_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.application_create(
                    applicant_id=data["applicant"].pk,
                    product_id=data["product"].pk,
                    purpose=data["purpose"],
                    amount=data["amount"],
                    term_months=data["term_months"],
                    rate=data["rate"],
                    method=data["method"],
                    repayment_sources=data["repayment_sources"],
                    collateral_offered=data["collateral_offered"],
                    branch_id=data["branch"].pk if data.get("branch") else None,
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Application %(number)s is registered.") % {"number": application.number},
                )
                return redirect("applications:application-detail", pk=application.pk)
    else:
        applicant_id = request.GET.get("applicant", "")
        if applicant_id.isdigit():
            applicant = visible_applicants(request.user).filter(pk=applicant_id).first()
        form = _application_form(
            request, initial={"applicant": applicant.identifier} if applicant else {}
        )
    return render(
        request,
        "applications/application_form.html",
        {"form": form, "applicant": applicant},
        status=_bad_request(form),
    )


def _history(application: Application) -> tuple[list[dict], int]:
    """The application's audit events, and how many times its file was opened."""
    events = audit_event_list().filter(
        target_type=ContentType.objects.get_for_model(Application),
        target_id=str(application.pk),
    )
    rows = [
        {
            "event": event,
            "label": ACTION_LABELS.get(event.action, event.action),
            "detail": _event_detail(event.action, event.data),
        }
        for event in events.exclude(action=OPENED)
    ]
    return rows, events.filter(action=OPENED).count()


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _number(value) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _event_detail(action: str, data: dict) -> str:
    """A line a person reads; the raw data stay in the audit trail."""
    if action == "application.stage_changed":
        detail = f"{_label(Stage, data.get('from'))} → {_label(Stage, data.get('to'))}"
        if data.get("ground"):
            detail += f" ({_label(RefusalGround, data['ground'])})"
        return detail
    if action in ("application.document_received", "application.document_missing"):
        return _label(DocumentType, data.get("document"))
    if action == "application.conclusion_recorded":
        return _label(Conclusion.Kind, data.get("kind"))
    if action == "application.debt_burden_assessed":
        return _("%(value)s, limit %(limit)s") % {
            "value": _number(data.get("coefficient")),
            "limit": _number(data.get("limit")),
        }
    if action == "committee.agenda_added":
        return _("meeting %(meeting)s: %(amount)s KZT for %(term)s months at %(rate)s %%") % {
            "meeting": data.get("meeting"),
            "amount": _number(data.get("amount")),
            "term": data.get("term_months"),
            "rate": _number(data.get("rate")),
        }
    if action == "committee.vote_cast":
        return _label(Vote.Choice, data.get("choice"))
    if action == "committee.decided":
        return _("%(outcome)s: for %(for)s, against %(against)s, abstained %(abstain)s") % {
            "outcome": _label(Decision.Outcome, data.get("outcome")),
            "for": data.get("votes_for"),
            "against": data.get("votes_against"),
            "abstain": data.get("votes_abstain"),
        }
    return ", ".join(f"{key}: {value}" for key, value in data.items())


def _offered_actions(application: Application, *, can_write: bool) -> set[str]:
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


def _detail_context(request, application: Application, failed: dict[str, forms.Form]) -> dict:
    user = request.user
    can_write = has_role(user, WRITE_ROLES)
    offered = _offered_actions(application, can_write=can_write)

    def form(key: str, make: Callable[[], forms.Form]) -> forms.Form | None:
        return (failed.get(key) or make()) if key.split(":")[0] in offered else None

    existing = {c.kind: c for c in application.conclusions.select_related("author")}
    order = DocumentType.values  # the checklist in the order the rules list the documents
    documents = sorted(application.documents.all(), key=lambda d: order.index(d.document_type))
    history, openings = _history(application)
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


def _detail_response(request, pk: int, *, failed: dict | None = None, status: int = 200):
    try:
        application = credit_file_open(application_id=pk, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "applications/application_detail.html",
        _detail_context(request, application, failed or {}),
        status=status,
    )


@role_required(*READ_ROLES)
def application_detail(request, pk: int):
    return _detail_response(request, pk)


def _perform(request, pk: int, key: str, form: forms.Form, action: Callable, done: str):
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
    return _detail_response(request, pk, failed={key: form}, status=400)


@role_required(*WRITE_ROLES)
@require_POST
def application_advance(request, pk: int):
    form = AdvanceForm(request.POST)
    return _perform(
        request,
        pk,
        "advance",
        form,
        lambda data: services.application_advance(
            application_id=pk, to=data["to"], by=request.user
        ),
        _("The application has moved to the next stage."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_refuse(request, pk: int):
    form = RefuseForm(request.POST, auto_id="id_refuse_%s")
    return _perform(
        request,
        pk,
        "refuse",
        form,
        lambda data: services.application_refuse(
            application_id=pk, ground=data["ground"], comment=data["comment"], by=request.user
        ),
        _("The application is refused; inform the applicant of the ground."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_withdraw(request, pk: int):
    form = WithdrawForm(request.POST, auto_id="id_withdraw_%s")
    return _perform(
        request,
        pk,
        "withdraw",
        form,
        lambda data: services.application_withdraw(
            application_id=pk, comment=data["comment"], by=request.user
        ),
        _("The application is withdrawn."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_answer(request, pk: int):
    form = AnswerForm(request.POST)
    return _perform(
        request,
        pk,
        "answer",
        form,
        lambda data: services.application_record_answer(
            application_id=pk, accepted=form.accepted, by=request.user
        ),
        _("The applicant's answer is recorded."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def document_receive(request, pk: int):
    form = DocumentForm(request.POST, request.FILES, auto_id=False)
    return _perform(
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
    return _perform(
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


@role_required(*WRITE_ROLES)
@require_POST
def debt_burden_assess(request, pk: int):
    return _perform(
        request,
        pk,
        "debt_burden",
        DebtBurdenForm(request.POST),
        lambda data: services.debt_burden_assess(application_id=pk, by=request.user),
        _("The debt burden is computed."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def conclusion_record(request, pk: int):
    kind = request.POST.get("kind", "")
    form = ConclusionForm(request.POST, auto_id=f"id_conclusion_{kind}_%s")
    return _perform(
        request,
        pk,
        f"conclusion:{kind}",
        form,
        lambda data: services.conclusion_record(
            application_id=pk,
            kind=data["kind"],
            recommendation=data["recommendation"],
            text=data["text"],
            by=request.user,
        ),
        _("The conclusion is recorded."),
    )


# --- the credit administrator's queue ------------------------------------------------------


def _queue(user) -> list[tuple[Application, bool]]:
    """Open applications of the user with their overdue flag: overdue stages first, then the
    longest waiting (the selector's order, kept by the stable sort)."""
    now = timezone.now()
    mine = visible_applications(user, credit_administrator_queue(user))
    marked = [(a, stage_overdue(a, now=now)) for a in mine]
    return sorted(marked, key=lambda pair: not pair[1])


@role_required(*WRITE_ROLES)
def queue(request):
    rows = _queue(request.user)
    counts = Counter(application.stage for application, _overdue in rows)
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    if stage:
        rows = [(a, overdue) for a, overdue in rows if a.stage == stage]
    return render(
        request,
        "applications/queue.html",
        {
            "rows": rows,
            "stages": [(s, counts[s.value]) for s in Stage if counts[s.value]],
            "selected_stage": stage,
            "overdue_count": sum(1 for _a, overdue in rows if overdue),
        },
    )


def home_queue_rows(user) -> list[QueueRow]:
    """The top of the queue for the home page (``core.navigation.WORK_QUEUES``)."""
    rows = _queue(user)
    shown = [
        QueueRow(
            label=application.number,
            url=reverse("applications:application-detail", args=[application.pk]),
            detail=_("%(applicant)s · %(stage)s since %(date)s")
            % {
                "applicant": application.applicant.name,
                "stage": application.get_stage_display(),
                "date": formats.date_format(
                    timezone.localtime(application.stage_changed_at), "d.m.Y"
                ),
            },
            overdue=overdue,
        )
        for application, overdue in rows[:HOME_QUEUE_ROWS]
    ]
    if len(rows) > HOME_QUEUE_ROWS:
        shown.append(
            QueueRow(
                label=_("All %(count)s applications") % {"count": len(rows)},
                url=reverse("applications:queue"),
            )
        )
    return shown
