"""Pages that build a PDF or a spreadsheet are rate-limited per user, like the API.

A 600-row schedule PDF or a year-ahead payoff statement keeps a worker busy for seconds; a user
(or a script holding a session) asking for them in a loop would starve everyone else. DRF's
throttle machinery counts the requests (the same cache as the API's limits, so every worker
sees one count); ``HEAVY_PAGE_RATE`` sets the rate, and over it the page answers 429 with
``Retry-After``. ``@heavy_page`` goes under ``@role_required``: a refused role is not counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import UserRateThrottle


class HeavyPageThrottle(UserRateThrottle):
    scope = "heavy_page"

    def get_rate(self) -> str | None:
        return settings.HEAVY_PAGE_RATE  # read per request: None turns the limit off


def heavy_page(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = HeavyPageThrottle()
        if not throttle.allow_request(request, None):
            return too_many_requests(request, throttle.wait())
        return view(request, *args, **kwargs)

    wrapper.heavy_page = True  # tests find every PDF and export view wrapped
    return wrapper


def too_many_requests(request, wait: float | None):
    seconds = max(1, math.ceil(wait or 1))
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
