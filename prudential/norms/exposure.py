"""Exposures by group of related borrowers (res. 192): the largest of a date, for k2 in the
norms run, and a borrower's (or their group's) after a new loan, for the committee's approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, Max, QuerySet, Sum, Value, When

from applications.models import Applicant, Decision, Stage
from core.money import ZERO
from core.regulation import regulatory_value
from loans.models import DayClose, Loan, LoanSnapshot
from prudential.domain.norms import exposure_passes, k2_limit_amount
from prudential.models import BorrowerGroup, BorrowerGroupMember
from prudential.norms.financials import financials_for

EXPOSURE = F("principal") + F("interest") + F("accrued_interest")
GROUP = "loan__borrower__borrower_group_membership__group"
DISBURSED = (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED)


def exposures_on(on: date) -> QuerySet:
    """The date's exposures, one row per group of related borrowers or per borrower outside any
    group, largest first: ``{"group": id | None, "borrower": id | None, "exposure": Decimal}``."""
    return (
        LoanSnapshot.objects.filter(on=on)
        .annotate(
            group=F(GROUP),
            borrower=Case(
                When(**{f"{GROUP}__isnull": True}, then=F("loan__borrower_id")),
                default=Value(None),
                output_field=BigIntegerField(),
            ),
        )
        .values("group", "borrower")
        .annotate(exposure=Sum(EXPOSURE))
        .order_by("-exposure", "group", "borrower")
    )


@dataclass(frozen=True)
class ExposureAfter:
    """What a borrower (or their group) would owe after a new loan, against the k2 limit."""

    subject: str  # the borrower's name, or the group's
    group: BorrowerGroup | None
    booked: Decimal  # the last daily close's principal and interest
    pending: Decimal  # disbursed since that close, or approved and not yet disbursed
    amount: Decimal  # the new loan
    exposure: Decimal
    limit: Decimal  # KZT: k2_max of own capital
    k2_max: Decimal
    own_capital: Decimal
    month: date  # of the figures used
    passes: bool


def exposure_after(
    *, applicant: Applicant, amount: Decimal, on: date, lock: bool = False
) -> ExposureAfter | None:
    """The borrower's (or group's) exposure after a new loan of ``amount`` against the k2 limit
    in force on ``on``; None while no monthly figures are entered. ``lock`` holds the borrowers
    until commit, so two approvals for one group cannot both pass on the same headroom."""
    financials = financials_for(on)
    if financials is None:
        return None
    membership = (
        BorrowerGroupMember.objects.filter(applicant=applicant).select_related("group").first()
    )
    group = membership.group if membership else None
    member_ids = (
        list(group.memberships.values_list("applicant_id", flat=True)) if group else [applicant.pk]
    )
    if lock:
        list(Applicant.objects.select_for_update().filter(pk__in=member_ids).order_by("pk"))
    booked, pending = _current_exposure(member_ids, on)
    k2_max = regulatory_value("k2_single_borrower_max", on=on)
    exposure = booked + pending + amount
    return ExposureAfter(
        subject=group.name if group else applicant.name,
        group=group,
        booked=booked,
        pending=pending,
        amount=amount,
        exposure=exposure,
        limit=k2_limit_amount(financials.own_capital, k2_max),
        k2_max=k2_max,
        own_capital=financials.own_capital,
        month=financials.month,
        passes=exposure_passes(exposure, financials.own_capital, k2_max),
    )


def _current_exposure(member_ids: list[int], on: date) -> tuple[Decimal, Decimal]:
    """(booked at the last close on or before ``on``, pending since): the loans the close has
    not seen yet and the approvals not yet disbursed count at their amounts."""
    closed_on = DayClose.objects.filter(business_date__lte=on).aggregate(day=Max("business_date"))[
        "day"
    ]
    booked = ZERO
    recent = Loan.objects.filter(borrower_id__in=member_ids, status=Loan.Status.ACTIVE)
    if closed_on is not None:
        booked = (
            LoanSnapshot.objects.filter(on=closed_on, loan__borrower_id__in=member_ids).aggregate(
                total=Sum(EXPOSURE)
            )["total"]
            or ZERO
        )
        recent = recent.filter(disbursed_on__gt=closed_on)
    disbursed = recent.aggregate(total=Sum("amount"))["total"] or ZERO
    approved = (
        Decision.objects.filter(
            outcome=Decision.Outcome.APPROVED,
            application__applicant_id__in=member_ids,
            application__stage__in=[Stage.APPROVED, Stage.ACCEPTED],
        )
        .exclude(application__loan__status__in=DISBURSED)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return booked, disbursed + approved
