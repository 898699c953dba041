from __future__ import annotations

from django.db.models import Q, QuerySet

from applications import agenda, hooks
from applications.branches import visible_agenda_items, visible_applicants, visible_applications
from applications.models import (
    AgendaItem,
    Applicant,
    Application,
    IdentityCorrection,
    Meeting,
    Stage,
)
from applications.transitions import ALLOWED, DECIDED_BY_COMMITTEE, FINAL
from core.audit import audit

# How long a stage may take before the credit administrator's queue shows it as overdue.
STAGE_DAYS = {
    Stage.CONSULTATION: 3,
    Stage.PREQUALIFICATION: 3,
    Stage.APPLICATION: 5,
    Stage.DOCUMENTS: 10,
    Stage.COLLATERAL_APPRAISAL: 10,
    Stage.ASSESSMENT: 5,
    Stage.COMMITTEE: 7,
    Stage.APPROVED: 10,
}


def applicant_list(
    *, search: str = "", exact_identifiers: bool = False, by_phone: bool = True
) -> QuerySet[Applicant]:
    """Search by IIN/BIN, name (contains) or phone (digits contained).

    ``exact_identifiers`` is for roles that see identifiers masked: a prefix search would let
    them rebuild an IIN digit by digit, so only the whole number matches. ``by_phone`` off for
    roles that do not see phones: a search would tell them whose number it is.
    """
    applicants = Applicant.objects.all()
    search = search.strip()
    if search:
        digits = "".join(ch for ch in search if ch.isdigit())
        condition = Q(name__icontains=search)
        if digits:
            lookup = "exact" if exact_identifiers else "startswith"
            condition |= Q(**{f"iin__{lookup}": digits}) | Q(**{f"bin__{lookup}": digits})
            if by_phone:
                condition |= Q(phone__contains=digits[-10:])
        applicants = applicants.filter(condition)
    return applicants.order_by("name")


def application_list(*, stage: str | None = None) -> QuerySet[Application]:
    applications = Application.objects.select_related("applicant", "product", "prepared_by")
    if stage:
        applications = applications.filter(stage=stage)
    return applications


def credit_administrator_queue(user) -> QuerySet[Application]:
    """My open applications, the longest-waiting stages first."""
    return (
        application_list()
        .filter(prepared_by=user)
        .exclude(stage__in=FINAL)
        .order_by("stage_changed_at")
    )


def stage_overdue(application: Application, *, now) -> bool:
    days = STAGE_DAYS.get(Stage(application.stage))
    return days is not None and (now - application.stage_changed_at).days > days


def next_stages(application: Application) -> list[Stage]:
    """The stages a plain move may lead to (refusal, withdrawal and decisions are separate)."""
    current = Stage(application.stage)
    return [
        stage
        for stage in Stage  # in lifecycle order
        if stage in ALLOWED[current]
        and stage not in (Stage.REFUSED, Stage.WITHDRAWN, Stage.ACCEPTED, Stage.DECLINED)
        and (current, stage) not in DECIDED_BY_COMMITTEE
        and not (stage == Stage.COLLATERAL_APPRAISAL and not application.product.secured)
        and not (
            stage == Stage.ASSESSMENT and current == Stage.DOCUMENTS and application.product.secured
        )
    ]


def credit_file_open(*, application_id: int, user) -> Application:
    """Open an application's credit file; every opening is logged (DOMAIN.md §14)."""
    application = visible_applications(user, application_list()).get(pk=application_id)
    audit(application, "credit_file.opened", by=user)
    return application


def applicant_open(*, applicant_id: int, user) -> Applicant:
    applicant = visible_applicants(user).get(pk=applicant_id)
    audit(applicant, "credit_file.opened", by=user)
    return applicant


def applicant_identity_fixed(applicant: Applicant) -> bool:
    """Whether the applicant is a party to a signed contract: the borrower, a guarantor or a
    pledgor of a loan signed, active, written off or closed. Their IIN/BIN, name and date of
    birth are then changed only by an approved correction (``applications.identity``).

    The contracts are the loans': loans answers (``loans.contract_parties``, registered in
    ``applications.hooks``)."""
    return hooks.identity_fixed(applicant)


def identity_correction_list(*, status: str | None = None) -> QuerySet[IdentityCorrection]:
    corrections = IdentityCorrection.objects.select_related(
        "applicant", "requested_by", "decided_by"
    )
    if status:
        corrections = corrections.filter(status=status)
    return corrections


def committee_agenda(user) -> QuerySet[AgendaItem]:
    """Items on open meetings the user sits on, not yet decided."""
    return (
        visible_agenda_items(user)
        .filter(
            meeting__status=Meeting.Status.SCHEDULED, meeting__members=user, decision__isnull=True
        )
        # another subject (a change of terms) is decided on its own record, never by a Decision
        .filter(~agenda.subject_items() | agenda.pending_subject_items())
        .select_related("meeting", "application__applicant", "application__product")
        .order_by("meeting__held_on", "position")
    )
