"""The documents of the collateral, in Kazakh and Russian (DOMAIN.md §9, §14, §15).

The pledge agreement of an item, the guarantee agreement, and at the release the receipt for
the original title documents returned and the letter asking the registering authority to lift
the encumbrance (seed 004 ch. 5 §5 p.1–2). Each context is plain values read once; labels stay
lazy and products stay objects, so that the template renders them in the document's language,
not the reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from applications.models import Application, Decision, Region
from collateral.models import (
    Appraisal,
    CollateralItem,
    CollateralType,
    Guarantee,
    Kind,
    PledgeAgreement,
)
from core.errors import ConflictError
from core.pdf import Party, Printed, mfo_party, render_pdf
from core.privacy import mask_identifier
from lending.models import Product, Purpose

DOCUMENT_LANGUAGES = ("kk", "ru")
TEMPLATES = "collateral/documents/"
REAL_ESTATE = frozenset({Kind.LAND, Kind.HOUSING, Kind.NON_RESIDENTIAL})


class DocumentNotAvailable(ConflictError):
    """The item is not in the state the document needs (e.g. a receipt before the release)."""


@dataclass(frozen=True)
class SecuredLoan:
    """The application whose loan is secured, on the approved terms once the committee decided."""

    application_number: str
    product: Product
    purpose: Promise
    borrower: Party
    amount: Decimal
    term_months: int
    rate: Decimal
    approved: bool


@dataclass(frozen=True)
class ItemData:
    kind: str
    kind_label: Promise
    description: str
    is_real_estate: bool
    cadastral_number: str
    address: str
    region: Promise | str
    state_registered: bool
    vin: str
    make: str
    make_country: str
    year_of_manufacture: int | None
    serial_numbers: str


@dataclass(frozen=True)
class TitleDocumentLine:
    name: str
    number: str
    received_on: date | None
    returned_on: date | None


@dataclass(frozen=True)
class AppraisalData:
    appraiser: str
    licence: str
    appraised_on: date
    market_value: Decimal
    liquidity_coefficient: Decimal
    pledge_value: Decimal


@dataclass(frozen=True)
class EncumbranceData:
    state: str
    state_label: Promise
    authority: str
    registration_number: str
    registered_on: date | None


@dataclass(frozen=True)
class InsuranceLine:
    insurer: str
    policy_number: str
    starts_on: date
    ends_on: date
    sum_insured: Decimal


@dataclass(frozen=True)
class PledgeAgreementDocument:
    number: str
    signed_on: date | None
    mfo: Party
    pledgor: Party
    pledgor_is_borrower: bool
    loan: SecuredLoan
    item: ItemData
    appraisal: AppraisalData
    title_documents: tuple[TitleDocumentLine, ...]
    encumbrance: EncumbranceData
    insurances: tuple[InsuranceLine, ...]
    inspection_months: int | None


@dataclass(frozen=True)
class GuaranteeAgreementDocument:
    number: str
    mfo: Party
    guarantor: Party
    amount: Decimal
    joint_and_several: bool
    loan: SecuredLoan


@dataclass(frozen=True)
class ReleaseReceipt:
    pledge_number: str
    returned_on: date
    mfo: Party
    pledgor: Party
    loan: SecuredLoan
    item: ItemData
    documents: tuple[TitleDocumentLine, ...]


@dataclass(frozen=True)
class EncumbranceLiftLetter:
    written_on: date
    mfo: Party
    pledgor: Party
    loan: SecuredLoan
    item: ItemData
    pledge_number: str
    pledge_signed_on: date | None
    authority: str
    registration_number: str
    registered_on: date | None


# --- reading ------------------------------------------------------------------------------


def _shown(identifier: str, show_identifiers: bool) -> str:
    return identifier if show_identifiers else mask_identifier(identifier)


def _secured_loan(application: Application, *, show_identifiers: bool) -> SecuredLoan:
    decision = getattr(application, "decision", None)
    approved = decision is not None and decision.outcome == Decision.Outcome.APPROVED
    applicant = application.applicant
    return SecuredLoan(
        application_number=application.number,
        product=application.product,
        purpose=Purpose(application.purpose).label,
        borrower=Party(
            name=applicant.name,
            identifier=_shown(applicant.identifier, show_identifiers),
            is_legal_entity=applicant.kind == "legal_entity",
        ),
        amount=decision.amount if approved else application.requested_amount,
        term_months=decision.term_months if approved else application.requested_term_months,
        rate=decision.rate if approved else application.requested_rate,
        approved=approved,
    )


def _pledgor(item: CollateralItem, *, show_identifiers: bool) -> Party:
    pledgor = item.pledgor
    return Party(
        name=pledgor.name,
        identifier=_shown(pledgor.identifier, show_identifiers),
        is_legal_entity=pledgor.is_legal_entity,
        body_decision=pledgor.body_decision,
    )


def _item(item: CollateralItem, *, show_property: bool = True) -> ItemData:
    """``show_property`` off: the address, cadastral number and VIN left out (core.privacy)."""
    return ItemData(
        kind=item.kind,
        kind_label=Kind(item.kind).label,
        description=item.description,
        is_real_estate=item.kind in REAL_ESTATE,
        cadastral_number=item.cadastral_number if show_property else "",
        address=item.address if show_property else "",
        region=Region(item.region).label if item.region else "",
        state_registered=item.state_registered,
        vin=item.vin if show_property else "",
        make=item.make,
        make_country=item.make_country,
        year_of_manufacture=item.year_of_manufacture,
        serial_numbers=item.serial_numbers,
    )


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def _title_documents(item: CollateralItem, **held) -> tuple[TitleDocumentLine, ...]:
    return tuple(
        TitleDocumentLine(
            name=document.name,
            number=document.number,
            received_on=_local_date(document.original_received_at),
            returned_on=_local_date(document.original_returned_at),
        )
        for document in item.title_documents.filter(**held).order_by("id")
    )


def _agreement(item: CollateralItem) -> PledgeAgreement:
    agreement = PledgeAgreement.objects.filter(item=item).first()
    if agreement is None:
        raise DocumentNotAvailable(
            _("Register the item's pledge agreement first: that gives it its number."),
            field="item",
        )
    return agreement


def _appraisal(item: CollateralItem, agreement: PledgeAgreement) -> Appraisal:
    """The appraisal the agreement rests on: the latest one up to its signing.

    Revaluations recorded by later monitoring inspections do not rewrite a signed agreement.
    """
    appraisals = item.appraisals.order_by("-appraised_on", "-id")
    appraisal = None
    if agreement.signed_on:
        appraisal = appraisals.filter(appraised_on__lte=agreement.signed_on).first()
    appraisal = appraisal or appraisals.first()
    if appraisal is None:
        raise DocumentNotAvailable(
            _("The item has no appraisal to state its market and pledge value."), field="item"
        )
    return appraisal


def _ensure_released(item: CollateralItem) -> None:
    if item.released_at is None:
        raise DocumentNotAvailable(
            _("The item has not been released: the document is drawn up at the release."),
            field="item",
        )


def pledge_agreement_context(
    item: CollateralItem, *, show_identifiers: bool = True, show_property: bool = True
) -> PledgeAgreementDocument:
    agreement = _agreement(item)
    appraisal = _appraisal(item, agreement)
    collateral_type = CollateralType.objects.filter(kind=item.kind).first()
    return PledgeAgreementDocument(
        number=agreement.number,
        signed_on=agreement.signed_on,
        mfo=mfo_party(),
        pledgor=_pledgor(item, show_identifiers=show_identifiers),
        pledgor_is_borrower=item.pledgor.applicant_id == item.application.applicant_id,
        loan=_secured_loan(item.application, show_identifiers=show_identifiers),
        item=_item(item, show_property=show_property),
        appraisal=AppraisalData(
            appraiser=appraisal.appraiser,
            licence=appraisal.licence,
            appraised_on=appraisal.appraised_on,
            market_value=appraisal.market_value,
            liquidity_coefficient=appraisal.liquidity_coefficient,
            pledge_value=appraisal.pledge_value,
        ),
        title_documents=_title_documents(item, original_received_at__isnull=False),
        encumbrance=EncumbranceData(
            state=agreement.encumbrance,
            state_label=PledgeAgreement.Encumbrance(agreement.encumbrance).label,
            authority=agreement.authority,
            registration_number=agreement.registration_number,
            registered_on=agreement.registered_on,
        ),
        insurances=tuple(
            InsuranceLine(
                insurer=policy.insurer,
                policy_number=policy.policy_number,
                starts_on=policy.starts_on,
                ends_on=policy.ends_on,
                sum_insured=policy.sum_insured,
            )
            for policy in item.insurances.order_by("starts_on", "id")
        ),
        inspection_months=collateral_type.inspection_months if collateral_type else None,
    )


def guarantee_number(guarantee: Guarantee) -> str:
    """Guarantees carry no number of their own: one built like the pledge agreement's."""
    return f"G-{guarantee.application.number}-{guarantee.pk}"


def guarantee_agreement_context(
    guarantee: Guarantee, *, show_identifiers: bool = True
) -> GuaranteeAgreementDocument:
    return GuaranteeAgreementDocument(
        number=guarantee_number(guarantee),
        mfo=mfo_party(),
        guarantor=Party(
            name=guarantee.guarantor_name,
            identifier=_shown(guarantee.identifier, show_identifiers),
            is_legal_entity=guarantee.is_legal_entity,
            body_decision=guarantee.body_decision,
        ),
        amount=guarantee.amount,
        joint_and_several=guarantee.joint_and_several,
        loan=_secured_loan(guarantee.application, show_identifiers=show_identifiers),
    )


def release_receipt_context(item: CollateralItem) -> ReleaseReceipt:
    _ensure_released(item)
    returned = _title_documents(item, original_returned_at__isnull=False)
    if not returned:
        raise DocumentNotAvailable(
            _("The MFO held no original title documents of this item: there is nothing to return."),
            field="item",
        )
    agreement = PledgeAgreement.objects.filter(item=item).first()
    return ReleaseReceipt(
        pledge_number=agreement.number if agreement else "",
        returned_on=timezone.localdate(item.released_at),
        mfo=mfo_party(),
        pledgor=_pledgor(item, show_identifiers=True),
        loan=_secured_loan(item.application, show_identifiers=True),
        item=_item(item),
        documents=returned,
    )


def encumbrance_letter_context(item: CollateralItem) -> EncumbranceLiftLetter:
    _ensure_released(item)
    agreement = PledgeAgreement.objects.filter(item=item).first()
    if agreement is None or not (agreement.registration_number and agreement.authority):
        raise DocumentNotAvailable(
            _("No encumbrance of this item was registered: there is nothing to lift."),
            field="item",
        )
    return EncumbranceLiftLetter(
        written_on=timezone.localdate(item.released_at),
        mfo=mfo_party(),
        pledgor=_pledgor(item, show_identifiers=True),
        loan=_secured_loan(item.application, show_identifiers=True),
        item=_item(item),
        pledge_number=agreement.number,
        pledge_signed_on=agreement.signed_on,
        authority=agreement.authority,
        registration_number=agreement.registration_number,
        registered_on=agreement.registered_on,
    )


# --- rendering ----------------------------------------------------------------------------


def _render(template: str, name: str, document, *, language: str) -> bytes:
    if language not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are written in {DOCUMENT_LANGUAGES}, not {language!r}")
    return render_pdf(
        TEMPLATES + template,
        {name: document, "printed_at": timezone.localtime()},
        language=language,
    )


def pledge_agreement_pdf(
    item: CollateralItem,
    *,
    language: str,
    show_identifiers: bool = True,
    show_property: bool = True,
) -> Printed:
    document = pledge_agreement_context(
        item, show_identifiers=show_identifiers, show_property=show_property
    )
    return Printed(
        pdf=_render("pledge_agreement.html", "agreement", document, language=language),
        number=document.number,
        filename=f"pledge-agreement-{document.number}-{language}.pdf",
    )


def guarantee_agreement_pdf(
    guarantee: Guarantee, *, language: str, show_identifiers: bool = True
) -> Printed:
    document = guarantee_agreement_context(guarantee, show_identifiers=show_identifiers)
    return Printed(
        pdf=_render("guarantee_agreement.html", "agreement", document, language=language),
        number=document.number,
        filename=f"guarantee-agreement-{document.number}-{language}.pdf",
    )


def release_receipt_pdf(item: CollateralItem, *, language: str) -> Printed:
    document = release_receipt_context(item)
    return Printed(
        pdf=_render("release_receipt.html", "receipt", document, language=language),
        number=document.pledge_number,
        filename=f"release-receipt-{item.pk}-{language}.pdf",
    )


def encumbrance_letter_pdf(item: CollateralItem, *, language: str) -> Printed:
    document = encumbrance_letter_context(item)
    return Printed(
        pdf=_render("encumbrance_letter.html", "letter", document, language=language),
        number=document.registration_number,
        filename=f"encumbrance-letter-{item.pk}-{language}.pdf",
    )
