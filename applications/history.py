"""An application's history in words: the name and a readable line of each audit event, the
collateral's events included (they are recorded on the application). The application's page
and the committee's credit package show it the same way (``core.history``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import (
    Application,
    Conclusion,
    Decision,
    DocumentType,
    RefusalGround,
    Stage,
    Vote,
)
from core.history import audit_history

ACTION_LABELS = {
    "application.registered": gettext_lazy("Registered"),
    "application.stage_changed": gettext_lazy("Stage changed"),
    "application.document_received": gettext_lazy("Document received"),
    "application.document_missing": gettext_lazy("Document marked missing"),
    "application.debt_burden_assessed": gettext_lazy("Debt burden assessed"),
    "application.conclusion_recorded": gettext_lazy("Conclusion recorded"),
    "committee.agenda_added": gettext_lazy("Put on the committee's agenda"),
    "committee.conflict_declared": gettext_lazy("Conflict of interest declared"),
    "committee.vote_cast": gettext_lazy("Vote cast"),
    "committee.decided": gettext_lazy("Committee decided"),
    "collateral.item_registered": gettext_lazy("Collateral registered"),
    "collateral.title_document_added": gettext_lazy("Title document received"),
    "collateral.appraised": gettext_lazy("Collateral appraised"),
    "collateral.guarantee_added": gettext_lazy("Guarantee added"),
    "collateral.encumbrance": gettext_lazy("Encumbrance updated"),
    "collateral.insured": gettext_lazy("Collateral insured"),
    "collateral.inspected": gettext_lazy("Collateral inspected"),
    "collateral.inspection_photo_added": gettext_lazy("Inspection photo added"),
    "collateral.insurance_payout": gettext_lazy("Insurance payout recorded"),
    "collateral.released": gettext_lazy("Collateral released"),
    "collateral.document_printed": gettext_lazy("Collateral document printed"),
}


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _number(value) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def event_detail(action: str, data: dict) -> str:
    """A line a person reads; the raw data stay in the audit trail."""
    if action == "application.stage_changed":
        detail = f"{_label(Stage, data.get('from'))} → {_label(Stage, data.get('to'))}"
        if data.get("ground"):
            detail += f" ({_label(RefusalGround, data['ground'])})"
        return detail
    if action in ("application.document_received", "application.document_missing"):
        return _label(DocumentType, data.get("document"))
    if action == "application.conclusion_recorded":
        return _label(Conclusion.Kind, data.get("kind"))
    if action == "application.debt_burden_assessed":
        return _("%(value)s, limit %(limit)s") % {
            "value": _number(data.get("coefficient")),
            "limit": _number(data.get("limit")),
        }
    if action == "committee.agenda_added":
        return _("meeting %(meeting)s: %(amount)s KZT for %(term)s months at %(rate)s %%") % {
            "meeting": data.get("meeting"),
            "amount": _number(data.get("amount")),
            "term": data.get("term_months"),
            "rate": _number(data.get("rate")),
        }
    if action == "committee.vote_cast":
        return _label(Vote.Choice, data.get("choice"))
    if action == "committee.decided":
        return _("%(outcome)s: for %(for)s, against %(against)s, abstained %(abstain)s") % {
            "outcome": _label(Decision.Outcome, data.get("outcome")),
            "for": data.get("votes_for"),
            "against": data.get("votes_against"),
            "abstain": data.get("votes_abstain"),
        }
    return ", ".join(f"{key}: {value}" for key, value in data.items())


def application_history(
    application: Application, *, oldest_first: bool = False
) -> tuple[list[dict], int]:
    """The application's audit events, and how many times its file was opened."""
    return audit_history(
        application, labels=ACTION_LABELS, detail=event_detail, oldest_first=oldest_first
    )
