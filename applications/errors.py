from __future__ import annotations

from core.errors import ConflictError, DomainError, NotPermittedError


class TransitionNotAllowed(ConflictError):
    default_code = "transition_not_allowed"


class TransitionBlocked(DomainError):
    """The move is allowed in principle but the application is not ready for it (with why)."""

    default_code = "transition_blocked"


class NotAllowedToVote(NotPermittedError):
    default_code = "not_allowed_to_vote"
