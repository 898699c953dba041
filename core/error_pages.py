"""A business rule broken on a page is a 400 page naming the rule, never the 500 page.

Page views catch the ``DomainError`` of the service they call and show it beside its field;
one that still reaches the edge (a date an input pushes out of the calendar, deep in a
calculation) is answered here with its message and its status (400, 403 or 409), as the
API's exception handler answers it with ``{detail, code, errors}``.
"""

from __future__ import annotations

from django.shortcuts import render

from core.errors import DomainError


class DomainErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "400.html",
            {
                "message": exception.message,
                "field": exception.field,
                "status": exception.http_status,
            },
            status=exception.http_status,
        )
