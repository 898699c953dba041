"""What the committee's pages share."""

from __future__ import annotations

from applications import committee
from applications.models import AgendaItem, Decision

TEMPLATES = "applications/committee/"


def counts_of(item: AgendaItem, decision: Decision | None) -> dict[str, int]:
    """The tally frozen in the decision, or the votes so far."""
    if decision is None:
        return committee.tally(item)
    return {
        "votes_for": decision.votes_for,
        "votes_against": decision.votes_against,
        "votes_abstain": decision.votes_abstain,
    }
