"""Whether an applicant is a party to a signed contract, registered for applications
(``applications.hooks``) in ``LoansConfig.ready()``: the IIN/BIN, name and date of birth of such
a party are changed only by an approved correction (``applications.identity``)."""

from __future__ import annotations

from django.db.models import Q

from applications.models import Applicant, Application
from loans.models import Loan


def party_to_signed_contract(applicant: Applicant) -> bool:
    """The borrower, a guarantor or a pledgor of a loan signed, active, written off or closed.

    A guarantor or a third-party pledgor is found by the applicant's IIN/BIN too: their rows
    keep the name and number as the contract states them, not a link to the applicant.
    """
    party = (
        Q(applicant=applicant)
        | Q(loan__borrower=applicant)
        | Q(collateral__pledgor__applicant=applicant)
    )
    identifiers = [value for value in (applicant.iin, applicant.bin) if value]
    if identifiers:
        party |= Q(guarantees__identifier__in=identifiers)
        party |= Q(collateral__pledgor__identifier__in=identifiers)
    signed = Application.objects.filter(loan__isnull=False).exclude(loan__status=Loan.Status.DRAFT)
    return signed.filter(party).exists()
