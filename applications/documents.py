"""Minutes of a credit committee meeting: plain values read once, then a PDF in kk or ru.

Labels stay lazy (``TextChoices.label``) and products stay objects, so that the template
renders them in the document's language, not the reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise

from applications.agenda import related_paths, subject_of
from applications.committee import tally
from applications.models import (
    ConflictDeclaration,
    Decision,
    Meeting,
    RefusalGround,
    Vote,
)
from core.pdf import render_pdf
from lending.models import Product, Purpose, RepaymentMethod

MINUTES_LANGUAGES = ("kk", "ru")


def person(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class Terms:
    amount: Decimal
    term_months: int
    rate: Decimal
    method: Promise
    grace_months: int


@dataclass(frozen=True)
class VoteLine:
    member: str
    choice: str
    choice_label: Promise
    comment: str


@dataclass(frozen=True)
class ConflictLine:
    member: str
    reason: str


@dataclass(frozen=True)
class DecisionLine:
    outcome: str
    outcome_label: Promise
    terms: Terms | None  # the approved terms
    refusal_ground: Promise | None
    comment: str
    recorded_by: str


@dataclass(frozen=True)
class MinutesItem:
    position: int
    application_number: str
    applicant_name: str
    product: Product
    purpose: Promise
    prepared_by: str
    proposed: Terms
    votes: tuple[VoteLine, ...]
    votes_for: int
    votes_against: int
    votes_abstain: int
    conflicts: tuple[ConflictLine, ...]
    decision: DecisionLine | None
    change_of_terms: str = ""  # another subject's number, e.g. a loan's change of terms

    @property
    def tally(self) -> str:
        """For / against / abstain, written the same way in every language."""
        return f"{self.votes_for} / {self.votes_against} / {self.votes_abstain}"


@dataclass(frozen=True)
class Minutes:
    number: str
    held_on: date
    closed: bool
    closed_at: datetime | None
    members: tuple[str, ...]
    items: tuple[MinutesItem, ...]


def terms_of(source) -> Terms:
    return Terms(
        amount=source.amount,
        term_months=source.term_months,
        rate=source.rate,
        method=RepaymentMethod(source.method).label,
        grace_months=source.grace_months,
    )


def _decision(decision: Decision | None) -> DecisionLine | None:
    if decision is None:
        return None
    approved = decision.outcome == Decision.Outcome.APPROVED
    return DecisionLine(
        outcome=decision.outcome,
        outcome_label=Decision.Outcome(decision.outcome).label,
        terms=terms_of(decision) if approved else None,
        refusal_ground=None if approved else RefusalGround(decision.refusal_ground).label,
        comment=decision.comment,
        recorded_by=person(decision.recorded_by),
    )


def minutes_context(meeting: Meeting) -> Minutes:
    items = []
    agenda = meeting.items.select_related(
        "application__applicant",
        "application__product",
        "application__prepared_by",
        "decision__recorded_by",
        *related_paths(),
    ).order_by("position")
    for item in agenda:
        application = item.application
        decision = getattr(item, "decision", None)
        counts = (
            {
                "votes_for": decision.votes_for,
                "votes_against": decision.votes_against,
                "votes_abstain": decision.votes_abstain,
            }
            if decision
            else tally(item)
        )
        subject = subject_of(item)  # another subject is decided on its own record
        decided = subject.minutes_decision(item) if subject else _decision(decision)
        votes = item.votes.select_related("member").order_by("cast_at", "pk")
        conflicts = ConflictDeclaration.objects.filter(application=application).select_related(
            "member"
        )
        items.append(
            MinutesItem(
                position=item.position,
                application_number=application.number,
                applicant_name=application.applicant.name,
                product=application.product,
                purpose=Purpose(application.purpose).label,
                prepared_by=person(application.prepared_by),
                proposed=terms_of(item),
                votes=tuple(
                    VoteLine(
                        member=person(vote.member),
                        choice=vote.choice,
                        choice_label=Vote.Choice(vote.choice).label,
                        comment=vote.comment,
                    )
                    for vote in votes
                ),
                conflicts=tuple(
                    ConflictLine(member=person(c.member), reason=c.reason)
                    for c in conflicts.order_by("declared_at", "pk")
                ),
                decision=decided,
                change_of_terms=subject.label(item) if subject else "",
                **counts,
            )
        )
    return Minutes(
        number=meeting.number,
        held_on=meeting.held_on,
        closed=meeting.status == Meeting.Status.CLOSED,
        closed_at=meeting.closed_at,
        members=tuple(
            person(member) for member in meeting.members.order_by("last_name", "first_name", "pk")
        ),
        items=tuple(items),
    )


def minutes_pdf(meeting: Meeting, *, language: str) -> bytes:
    if language not in MINUTES_LANGUAGES:
        raise ValueError(f"minutes are written in {MINUTES_LANGUAGES}, not {language!r}")
    return render_pdf(
        "applications/committee/minutes_pdf.html",
        {"minutes": minutes_context(meeting), "printed_at": timezone.localtime()},
        language=language,
    )
