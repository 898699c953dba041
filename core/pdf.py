"""Documents as PDF: a Django template rendered in the document's language, then WeasyPrint.

Fonts come from the system (DejaVu Sans, which has every Kazakh letter); nothing is fetched
from the network while rendering. The pieces every app's documents share live here too: a
party to a document (``Party``, the MFO's own as ``mfo_party()``), the name a person is printed
under (``person_label``) and a rendered document (``Printed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Party:
    name: str
    identifier: str
    is_legal_entity: bool
    body_decision: str = ""


@dataclass(frozen=True)
class Printed:
    """A rendered document and what the audit and the file name need to know of it."""

    pdf: bytes
    number: str
    filename: str


def mfo_party() -> Party:
    """The MFO's requisites, where the deployment sets them; the template prints a blank else."""
    return Party(
        name=getattr(settings, "MFO_NAME", ""),
        identifier=getattr(settings, "MFO_BIN", ""),
        is_legal_entity=True,
    )


def person_label(user) -> str:
    """A user as a document names them: the full name, else the login; "" for nobody."""
    return (user.get_full_name() or user.get_username()) if user else ""


def render_pdf(template_name: str, context: dict, *, language: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which pages never need

    with translation.override(language):
        html = render_to_string(template_name, {**context, "document_language": language})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"documents may not fetch {url}")
