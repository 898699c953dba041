"""Documents as PDF: a Django template rendered in the document's language, then WeasyPrint.

Fonts come from the system (DejaVu Sans, which has every Kazakh letter); nothing is fetched
from the network while rendering.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict, *, language: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which pages never need

    with translation.override(language):
        html = render_to_string(template_name, {**context, "document_language": language})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"documents may not fetch {url}")
