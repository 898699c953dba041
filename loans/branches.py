"""What a branch sees of the loans' files: the loans booked there, and what hangs on them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.branches import scoped
from loans.models import Loan


def loan_condition(branch, prefix: str = "") -> Q:
    return Q(**{f"{prefix}branch": branch})


def visible_loans(user, loans: QuerySet | None = None) -> QuerySet:
    return scoped(user, Loan.objects.all() if loans is None else loans, loan_condition)


def visible_by_loan(user, queryset: QuerySet) -> QuerySet:
    """Rows of a model with a ``loan`` (payments, demands, changes of terms, write-offs...)."""
    return scoped(user, queryset, loan_condition, "loan__")
