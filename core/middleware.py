"""The database gone for a moment (restarted, failed over): a clean 503, then back by itself.

A request that meets a lost or refused database connection gets ``503 Service Unavailable``
with ``Retry-After`` instead of a 500 with a traceback: the API its usual error body
``{detail, code, errors}``, the browser a short page that needs neither the database nor a
template. Django drops the broken connection at the end of the request and
``CONN_HEALTH_CHECKS`` checks a kept one before reuse, so the first request after the
database is back connects again.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
CODE = "database_unavailable"


DATABASE_ERRORS = (OperationalError, InterfaceError)
FLAG = "_database_unavailable"


class DatabaseUnavailableMiddleware:
    """Outside the session and authentication middleware, so it also sees their failures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, FLAG, False):
            # raised outside the view (a middleware's process_view, saving the session):
            # Django already turned it into a 500, which this replaces
            return unavailable(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # the kind of error only: its text may quote the statement and its values
        logger.warning(
            "database unavailable: %s on %s %s",
            type(exception).__name__,
            request.method,
            request.path,
        )
        return unavailable(request)


def _flag_database_errors(sender, request=None, **kwargs) -> None:
    """Django signals an exception it turns into a 500 from inside its ``except`` block."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, FLAG, True)


got_request_exception.connect(_flag_database_errors, dispatch_uid="core.middleware.database")


def unavailable(request) -> HttpResponse:
    detail = _("The service is temporarily unavailable. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "code": CODE, "errors": {}}, status=503)
    else:
        title = _("Temporarily unavailable")
        page = (
            f'<!DOCTYPE html><html lang="{escape(get_language() or "ru")}"><head>'
            f'<meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><h1>{escape(title)}</h1><p>{escape(detail)}</p></body></html>"
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
