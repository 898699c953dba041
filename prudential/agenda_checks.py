"""What the prudential norms add to the credit committee (``applications.hooks``), registered
in ``PrudentialConfig.ready()``: the single-borrower limit k2 (res. 192) at the approval, and
its figures on the credit package while the vote is open."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.agenda import subject_of
from applications.models import AgendaItem, Application
from core.errors import DomainError
from prudential.norms.exposure import exposure_after


def check_single_borrower_risk(application: Application, *, amount: Decimal, on: date) -> None:
    """k2 (res. 192): what the borrower or their group would owe stays within the limit.
    Before any monthly figures are entered there is no own capital to measure against."""
    after = exposure_after(applicant=application.applicant, amount=amount, on=on, lock=True)
    if after is None or after.passes:
        return
    raise DomainError(
        _(
            "With this loan %(subject)s would owe %(exposure)s KZT, above the k2 limit of "
            "%(limit)s KZT (%(share)s of own capital of %(month)s)."
        )
        % {
            "subject": after.subject,
            "exposure": f"{after.exposure:,.2f}".replace(",", " "),
            "limit": f"{after.limit:,.2f}".replace(",", " "),
            "share": f"{after.k2_max.normalize():f}",
            "month": f"{after.month:%m.%Y}",
        },
        field="amount",
        code="k2_exceeded",
    )


def k2_section(item: AgendaItem, application: Application, decision) -> dict:
    """The borrower's (or group's) exposure after this loan against k2, while undecided."""
    if subject_of(item) is not None or decision is not None:
        return {"k2_exposure": None, "k2_error": ""}
    try:
        exposure = exposure_after(
            applicant=application.applicant, amount=item.amount, on=item.meeting.held_on
        )
    except DomainError as error:  # e.g. no k2 value in force on the date
        return {"k2_exposure": None, "k2_error": error.message}
    return {"k2_exposure": exposure, "k2_error": ""}
