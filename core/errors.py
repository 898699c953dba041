"""The errors services raise: a message a person can act on, and the field it concerns."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the business was broken by the request; nothing was written.

    The API answers 400 with ``{field: [message]}``; a browser form shows it beside the field.
    """

    http_status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}


class ConflictError(DomainError):
    """The object is not in a state that allows the action (e.g. already disbursed): HTTP 409."""

    http_status = 409
    default_code = "conflict"


class NotPermittedError(DomainError):
    """The user's role may not do this to this object: HTTP 403."""

    http_status = 403
    default_code = "permission_denied"


class DateOutOfRange(DomainError):
    """A date the input leads to falls outside the calendar (years 1 to 9999): HTTP 400."""

    default_code = "date_out_of_range"
