"""What a branch sees of the applications' files (the rules: ``core.branches``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from applications.models import AgendaItem, Applicant, Application, IdentityCorrection
from core.branches import scoped


def application_condition(branch, prefix: str = "") -> Q:
    """Registered at the branch, or with its loan booked there."""
    return Q(**{f"{prefix}branch": branch}) | Q(**{f"{prefix}loan__branch": branch})


def applicant_condition(branch, prefix: str = "") -> Q:
    """Registered at the branch, or with an application or a loan the branch sees."""
    applications = Application.objects.filter(application_condition(branch))
    # the borrowers of the branch's loans, through the loan's ``borrower`` (related name "loans")
    borrowers = Applicant.objects.filter(loans__branch=branch)
    return (
        Q(**{f"{prefix}branch": branch})
        | Q(**{f"{prefix}pk__in": applications.values("applicant_id")})
        | Q(**{f"{prefix}pk__in": borrowers.values("pk")})
    )


def visible_applications(user, applications: QuerySet | None = None) -> QuerySet:
    queryset = Application.objects.all() if applications is None else applications
    return scoped(user, queryset, application_condition)


def visible_applicants(user, applicants: QuerySet | None = None) -> QuerySet:
    queryset = Applicant.objects.all() if applicants is None else applicants
    return scoped(user, queryset, applicant_condition)


def visible_agenda_items(user, items: QuerySet | None = None) -> QuerySet:
    queryset = AgendaItem.objects.all() if items is None else items
    return scoped(user, queryset, application_condition, "application__")


def visible_identity_corrections(user, corrections: QuerySet | None = None) -> QuerySet:
    """A correction of an applicant's identity, through its applicant."""
    queryset = IdentityCorrection.objects.all() if corrections is None else corrections
    return scoped(user, queryset, applicant_condition, "applicant__")
