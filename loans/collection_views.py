"""The collector's pages: late loans by bucket, and recording each contact (DOMAIN.md §8).

The figures are those of the last daily close (the snapshots); a promise whose date has passed
on a loan still late is a broken promise and is flagged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.forms import add_domain_error
from core.money import ZERO
from core.permissions import role_required
from core.roles import Role
from loans import services
from loans.branches import visible_loans
from loans.domain.servicing import BUCKET_BOUNDS, Bucket, bucket_of
from loans.forms_operations import ContactForm
from loans.models import ContactRecord, Loan
from loans.operations_views import loan_page_url
from loans.selectors import collection_queue, last_closed_date, latest_snapshot, loan_list

COLLECTION_ROLES = (Role.COLLECTOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR)
PAGE_SIZE = 50
RECENT_CONTACTS = 10
LATE_BUCKETS = tuple(bucket for bucket in Bucket if bucket is not Bucket.CURRENT)


def bucket_range(bucket: Bucket) -> tuple[int, int | None]:
    """Days past due from and to (``None``: no upper bound), from the bounds written as data."""
    lower = 0
    for bound, named in BUCKET_BOUNDS:
        if named is bucket:
            return lower, bound
        lower = bound + 1
    return lower, None


def in_bucket(queryset, bucket: Bucket):
    lower, upper = bucket_range(bucket)
    queryset = queryset.filter(snap_days_past_due__gte=lower)
    return queryset if upper is None else queryset.filter(snap_days_past_due__lte=upper)


@dataclass(frozen=True)
class LateLoan:
    loan: Loan
    days_past_due: int
    bucket: Bucket
    overdue: Decimal  # principal and interest late and unpaid
    penalty: Decimal
    last_contact_at: datetime | None
    last_outcome: str  # its label
    promised_on: date | None
    promise_broken: bool


def late_loan(loan: Loan, *, today: date) -> LateLoan:
    """A row of ``collection_queue`` with what the pages show of it."""
    promised_on = loan.promised_on
    return LateLoan(
        loan=loan,
        days_past_due=loan.snap_days_past_due,
        bucket=bucket_of(loan.snap_days_past_due),
        overdue=(loan.snap_overdue_principal or ZERO) + (loan.snap_overdue_interest or ZERO),
        penalty=loan.snap_penalty or ZERO,
        last_contact_at=loan.last_contact_at,
        last_outcome=ContactRecord.Outcome(loan.last_outcome).label if loan.last_outcome else "",
        promised_on=promised_on,
        # the queue holds loans late on the last close: a passed promise date was not kept
        promise_broken=promised_on is not None and promised_on < today,
    )


def _selected_bucket(value: str | None) -> Bucket | None:
    return next((bucket for bucket in LATE_BUCKETS if bucket.value == value), None)


@role_required(*COLLECTION_ROLES)
def collection_queue_page(request):
    today = timezone.localdate()
    queue = visible_loans(request.user, collection_queue())
    counts = Counter(bucket_of(days) for days in queue.values_list("snap_days_past_due", flat=True))
    selected = _selected_bucket(request.GET.get("bucket"))
    if selected is not None:
        queue = in_bucket(queue, selected)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/operations/collection_queue.html",
        {
            "rows": [late_loan(loan, today=today) for loan in page],
            "page": page,
            "buckets": [(bucket, counts.get(bucket, 0)) for bucket in LATE_BUCKETS],
            "selected": selected,
            "total": sum(counts.values()),
            "closed_on": last_closed_date(),
            "today": today,
        },
    )


@role_required(*COLLECTION_ROLES)
def contact_new(request, pk: int):
    loan = get_object_or_404(loan_list(), pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(loan_id=loan.pk, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The contact is recorded on contract %(number)s.") % {"number": loan.number},
            )
            return redirect("servicing:collection-queue")
    snapshot = latest_snapshot(loan)
    return render(
        request,
        "loans/operations/contact_form.html",
        {
            "form": form,
            "loan": loan,
            "snapshot": snapshot,
            "bucket": bucket_of(snapshot.days_past_due) if snapshot else None,
            "contacts": loan.contacts.select_related("recorded_by")[:RECENT_CONTACTS],
            "loan_url": loan_page_url(loan.pk, fallback=""),
            "queue_url": reverse("servicing:collection-queue"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
