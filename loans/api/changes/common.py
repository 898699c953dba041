"""What the loan's changes share: the date asked about, a schedule's lines, the closed loan."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from loans.api.changes.serializers import OnQuerySerializer

CLOSED = "the loan is closed (`loan_closed`) or written off (`loan_written_off`)"


def lines_as_dicts(schedule) -> list[dict]:
    return [
        {
            "number": line.number,
            "due_date": line.due_date,
            "principal": line.principal,
            "interest": line.interest,
            "total": line.total,
            "balance": line.balance,
        }
        for line in schedule.installments
    ]


def query_date(request) -> date:
    query = OnQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("on") or timezone.localdate()
