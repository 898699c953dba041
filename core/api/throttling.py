"""The API's rate limits count anonymous callers too.

DRF checks throttles last (``APIView.initial``: authentication, permissions, then throttles), so
a request without valid credentials is refused with 401 before any throttle sees it: the
anonymous rate never fired, and a caller could send bad tokens as fast as it liked. The
exception handler hands such a refusal here: the view's throttles count it (per client
address, read through the trusted proxies as ``NUM_PROXIES`` says) and, over the rate, the
answer is 429 with ``Retry-After`` instead.
"""

from __future__ import annotations

from rest_framework import exceptions

UNAUTHENTICATED = (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)


def throttle_unauthenticated(exc: Exception, context: dict) -> Exception:
    """``exc`` itself, or ``Throttled`` when it refuses an anonymous caller over the rate."""
    view, request = context.get("view"), context.get("request")
    if not isinstance(exc, UNAUTHENTICATED) or view is None or request is None:
        return exc
    try:
        # the user is anonymous by now: DRF set it so when authentication failed
        view.check_throttles(request)
    except exceptions.Throttled as throttled:
        return throttled
    return exc
