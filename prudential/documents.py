"""The k1 documents for the regulator, in Kazakh and Russian (DOMAIN.md §11; seed 001).

The report of a run date (the k1 computation with its counting rule), the action plan (its
measures, their deadlines and responsible managers, and the figures of the reporting date),
and the notice of return within the limit. Each context is plain values read once; the text
lives in the templates, one block per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from core.pdf import Party, mfo_party, person_label, render_pdf
from prudential.models import ActionPlan, K1Run, ReturnNotice
from prudential.services import READING

DOCUMENT_LANGUAGES = ("kk", "ru")
TEMPLATES = "prudential/documents/"


@dataclass(frozen=True)
class K1Figures:
    on: date
    official: bool
    mm90: Decimal
    portfolio: Decimal
    share: Decimal
    limit: Decimal
    breached: bool
    loans: int
    loans_over_90: int
    exposure_61_90: Decimal
    share_if_61_90_cross: Decimal
    reading: str


@dataclass(frozen=True)
class K1Report:
    mfo: Party
    figures: K1Figures
    computed_at: datetime | None


@dataclass(frozen=True)
class MeasureLine:
    number: int
    what: str
    how: str
    deadline: date
    responsible: str
    done_on: date | None


@dataclass(frozen=True)
class NoteLine:
    kind: str
    on: date
    text: str


@dataclass(frozen=True)
class PlanDocument:
    mfo: Party
    figures: K1Figures
    status: str
    submit_by: date
    approve_by: date
    period_from: date
    period_to: date
    submitted_on: date | None
    reply_by: date | None
    approved_on: date | None
    measures: tuple[MeasureLine, ...]
    notes: tuple[NoteLine, ...]


@dataclass(frozen=True)
class NoticeDocument:
    mfo: Party
    figures: K1Figures
    due_by: date
    sent_on: date | None
    text: str


def k1_figures(run: K1Run) -> K1Figures:
    return K1Figures(
        on=run.on,
        official=run.official,
        mm90=run.mm90,
        portfolio=run.portfolio,
        share=run.share,
        limit=run.limit,
        breached=run.breached,
        loans=run.loans,
        loans_over_90=run.loans_over_90,
        exposure_61_90=run.exposure_61_90,
        share_if_61_90_cross=run.share_if_61_90_cross,
        reading=run.reading,
    )


def k1_report_context(run: K1Run) -> K1Report:
    return K1Report(mfo=mfo_party(), figures=k1_figures(run), computed_at=run.finished_at)


def plan_context(plan: ActionPlan) -> PlanDocument:
    measures = plan.measures.select_related("responsible").order_by("deadline", "id")
    return PlanDocument(
        mfo=mfo_party(),
        figures=k1_figures(plan.run),
        status=plan.status,
        submit_by=plan.submit_by,
        approve_by=plan.approve_by,
        period_from=plan.period_from,
        period_to=plan.period_to,
        submitted_on=plan.submitted_on,
        reply_by=plan.reply_by,
        approved_on=plan.approved_on,
        measures=tuple(
            MeasureLine(
                number=number,
                what=measure.what,
                how=measure.how,
                deadline=measure.deadline,
                responsible=person_label(measure.responsible),
                done_on=measure.done_on,
            )
            for number, measure in enumerate(measures, start=1)
        ),
        notes=tuple(NoteLine(note.kind, note.on, note.text) for note in plan.notes.all()),
    )


def notice_context(notice: ReturnNotice) -> NoticeDocument:
    return NoticeDocument(
        mfo=mfo_party(),
        figures=k1_figures(notice.run),
        due_by=notice.due_by,
        sent_on=notice.sent_on,
        text=notice.text,
    )


def _render(template: str, document, *, language: str) -> bytes:
    if language not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are written in {DOCUMENT_LANGUAGES}, not {language!r}")
    context = {
        "doc": document,
        "kk": language == "kk",
        "printed_at": timezone.localtime(),
        # the rule in the document's language when it is the project's own reading
        "standard_reading": document.figures.reading == READING,
    }
    return render_pdf(TEMPLATES + template, context, language=language)


def k1_report_pdf(run: K1Run, *, language: str) -> bytes:
    return _render("k1_report.html", k1_report_context(run), language=language)


def plan_pdf(plan: ActionPlan, *, language: str) -> bytes:
    return _render("action_plan.html", plan_context(plan), language=language)


def notice_pdf(notice: ReturnNotice, *, language: str) -> bytes:
    return _render("return_notice.html", notice_context(notice), language=language)
