"""Every change to collateral and guarantees: one function each, atomic, locked, audited."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Stage
from collateral.domain.insurance import excess_payment_due, insurance_excess
from collateral.domain.valuation import appraisal_valid, pledge_value
from collateral.models import (
    Appraisal,
    CollateralItem,
    CollateralType,
    Guarantee,
    Inspection,
    InspectionPhoto,
    Insurance,
    InsurancePayout,
    PledgeAgreement,
    Pledgor,
    TitleDocument,
)
from collateral.selectors import application_coverage, required_coverage
from core.audit import audit
from core.errors import ConflictError, DomainError
from core.identifiers import IdentifierError, parse_bin, parse_iin
from core.selectors import business_calendar
from core.uploads import PHOTO_TYPES, check_upload

E = PledgeAgreement.Encumbrance
ENCUMBRANCE_NEXT = {
    E.NOT_REGISTERED: frozenset({E.SUBMITTED, E.REGISTERED}),
    E.SUBMITTED: frozenset({E.REGISTERED, E.NOT_REGISTERED}),
    E.REGISTERED: frozenset({E.LIFTED}),
    E.LIFTED: frozenset(),
}
ITEM_FIELDS = {
    "description", "cadastral_number", "address", "region", "in_regional_centre",
    "state_registered", "vin", "make", "make_country", "year_of_manufacture", "serial_numbers",
    "not_pledgeable", "free_of_third_party_rights", "free_of_budget_arrears",
}  # fmt: skip
# Without a loan behind it (refused, withdrawn, declined) the pledge ends; a running loan's
# collateral is released at its closure, which the servicing app adds here.
RELEASABLE_STAGES = frozenset({Stage.REFUSED, Stage.WITHDRAWN, Stage.DECLINED})
# Collateral is offered and appraised while the package is still being put together.
OPEN_STAGES = frozenset(
    {Stage.APPLICATION, Stage.DOCUMENTS, Stage.COLLATERAL_APPRAISAL, Stage.ASSESSMENT}
)


def _full_clean(instance, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _check_identifier(identifier: str, *, legal_entity: bool, field: str) -> None:
    try:
        parse_bin(identifier) if legal_entity else parse_iin(identifier)
    except IdentifierError as exc:
        raise DomainError(str(exc.args[0]), field=field) from exc


def _open_application(application_id: int) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("product", "applicant")
        .get(pk=application_id)
    )
    if application.stage not in OPEN_STAGES:
        raise ConflictError(
            _("Collateral is taken while the package is open, not at stage “%(stage)s”.")
            % {"stage": application.get_stage_display()},
            field="application",
        )
    return application


def _pledgor(application: Application, data: dict[str, Any]) -> Pledgor:
    """The borrower pledges their own property unless a third party is named."""
    if not data or data.get("is_borrower", True):
        applicant = application.applicant
        return Pledgor.objects.create(
            applicant=applicant,
            is_legal_entity=applicant.kind == "legal_entity",
            name=applicant.name,
            identifier=applicant.identifier,
            body_decision=data.get("body_decision", "") if data else "",
        )
    legal_entity = bool(data.get("is_legal_entity"))
    _check_identifier(
        data.get("identifier", ""), legal_entity=legal_entity, field="pledgor.identifier"
    )
    if not data.get("name", "").strip():
        raise DomainError(_("Name the pledgor."), field="pledgor.name")
    return Pledgor.objects.create(
        is_legal_entity=legal_entity,
        name=data["name"].strip(),
        identifier=data["identifier"],
        body_decision=data.get("body_decision", "").strip(),
    )


@transaction.atomic
def collateral_item_register(
    *, application_id: int, kind: str, data: dict[str, Any], pledgor: dict | None = None, by
) -> CollateralItem:
    application = _open_application(application_id)
    if not application.product.secured:
        raise ConflictError(_("An unsecured loan takes no collateral."), field="application")
    item = CollateralItem(
        application=application,
        kind=kind,
        pledgor=_pledgor(application, pledgor or {}),
        registered_by=by,
        **{k: v for k, v in data.items() if k in ITEM_FIELDS},
    )
    _full_clean(item)
    _ensure_not_pledged_twice(item)
    item.save()
    audit(application, "collateral.item_registered", by=by, data={"item": item.pk, "kind": kind})
    return item


def _ensure_not_pledged_twice(item: CollateralItem) -> None:
    pledged = CollateralItem.objects.filter(released_at__isnull=True).exclude(pk=item.pk)
    for field in ("vin", "cadastral_number"):
        value = getattr(item, field)
        if value and pledged.filter(**{field: value}).exists():
            raise DomainError(_("This item is already pledged."), field=field)


def _lock_item(item_id: int) -> CollateralItem:
    item = (
        CollateralItem.objects.select_for_update()
        .select_related("application__product")
        .get(pk=item_id)
    )
    if item.released_at:
        raise ConflictError(_("The item has been released."), field="item")
    return item


@transaction.atomic
def title_document_add(
    *, item_id: int, name: str, number: str = "", original_received: bool = True, by
) -> TitleDocument:
    item = _lock_item(item_id)
    if not name.strip():
        raise DomainError(_("Name the document."), field="name")
    document = TitleDocument(
        item=item,
        name=name.strip(),
        number=number.strip(),
        original_received_at=timezone.now() if original_received else None,
    )
    _full_clean(document, exclude=["item"])
    document.save()
    audit(item.application, "collateral.title_document_added", by=by, data={"item": item.pk})
    return document


@transaction.atomic
def appraisal_record(
    *,
    item_id: int,
    appraiser: str,
    licence: str,
    appraised_on: date,
    market_value: Decimal,
    by,
) -> Appraisal:
    """The pledge value is the market value × the type's liquidity coefficient (DOMAIN.md §15)."""
    item = _lock_item(item_id)
    application_date = timezone.localdate(item.application.created_at)
    if appraised_on > timezone.localdate():
        raise DomainError(_("An appraisal cannot be dated in the future."), field="appraised_on")
    if not appraisal_valid(appraised_on, application_date):
        raise DomainError(
            _("The appraisal is more than 6 months older than the application (%(date)s).")
            % {"date": application_date.strftime("%d.%m.%Y")},
            field="appraised_on",
        )
    if market_value <= 0:
        raise DomainError(_("The market value must be positive."), field="market_value")
    if not appraiser.strip() or not licence.strip():
        raise DomainError(_("Name the appraiser and their licence."), field="licence")
    coefficient = CollateralType.objects.get(kind=item.kind).liquidity_coefficient
    appraisal = Appraisal(
        item=item,
        appraiser=appraiser.strip(),
        licence=licence.strip(),
        appraised_on=appraised_on,
        market_value=market_value,
        liquidity_coefficient=coefficient,
        pledge_value=pledge_value(market_value, coefficient),
        recorded_by=by,
    )
    _full_clean(appraisal, exclude=["item", "recorded_by"])
    appraisal.save()
    audit(
        item.application,
        "collateral.appraised",
        by=by,
        data={
            "item": item.pk,
            "market_value": market_value,
            "pledge_value": appraisal.pledge_value,
        },
    )
    return appraisal


@transaction.atomic
def guarantee_add(
    *,
    application_id: int,
    guarantor_name: str,
    identifier: str,
    amount: Decimal,
    is_legal_entity: bool = False,
    body_decision: str = "",
    by,
) -> Guarantee:
    application = _open_application(application_id)
    _check_identifier(identifier, legal_entity=is_legal_entity, field="identifier")
    if is_legal_entity and not body_decision.strip():
        raise DomainError(
            _("A legal entity guarantees by a decision of its body."), field="body_decision"
        )
    if amount <= 0:
        raise DomainError(_("The amount must be positive."), field="amount")
    guarantee = Guarantee(
        application=application,
        guarantor_name=guarantor_name.strip(),
        identifier=identifier,
        amount=amount,
        is_legal_entity=is_legal_entity,
        body_decision=body_decision.strip(),
        registered_by=by,
    )
    _full_clean(guarantee, exclude=["registered_by"])
    guarantee.save()
    audit(application, "collateral.guarantee_added", by=by, data={"amount": amount})
    return guarantee


@transaction.atomic
def pledge_agreement_register(
    *,
    item_id: int,
    encumbrance: str,
    authority: str = "",
    registered_on: date | None = None,
    registration_number: str = "",
    signed_on: date | None = None,
    by,
) -> PledgeAgreement:
    """The pledge agreement of an item and the state of its encumbrance's registration."""
    item = _lock_item(item_id)
    if encumbrance not in PledgeAgreement.Encumbrance.values:
        raise DomainError(_("Unknown state of the encumbrance."), field="encumbrance")
    agreement, _created = PledgeAgreement.objects.select_for_update().get_or_create(
        item=item, defaults={"number": f"P-{item.application.number}-{item.pk}"}
    )
    if (
        encumbrance != agreement.encumbrance
        and encumbrance not in ENCUMBRANCE_NEXT[agreement.encumbrance]
    ):
        raise ConflictError(
            _("The encumbrance cannot go from “%(current)s” to “%(target)s”.")
            % {
                "current": agreement.get_encumbrance_display(),
                "target": PledgeAgreement.Encumbrance(encumbrance).label,
            },
            field="encumbrance",
        )
    if encumbrance == PledgeAgreement.Encumbrance.REGISTERED:
        for field, value in (
            ("authority", authority.strip()),
            ("registered_on", registered_on),
            ("registration_number", registration_number.strip()),
        ):
            if not value:
                raise DomainError(
                    _("A registered encumbrance needs the authority, the date and the number."),
                    field=field,
                )
    agreement.encumbrance = encumbrance
    agreement.authority = authority.strip()
    agreement.registered_on = registered_on
    agreement.registration_number = registration_number.strip()
    agreement.signed_on = signed_on or agreement.signed_on
    _full_clean(agreement, exclude=["item"])
    agreement.save()
    audit(
        item.application,
        "collateral.encumbrance",
        by=by,
        data={"item": item.pk, "state": encumbrance},
    )
    return agreement


@transaction.atomic
def insurance_add(
    *,
    item_id: int,
    insurer: str,
    policy_number: str,
    starts_on: date,
    ends_on: date,
    sum_insured: Decimal,
    mfo_is_beneficiary: bool,
    by,
) -> Insurance:
    item = _lock_item(item_id)
    if not mfo_is_beneficiary:
        raise DomainError(
            _("The MFO must be the beneficiary of the policy."), field="mfo_is_beneficiary"
        )
    if ends_on <= starts_on:
        raise DomainError(_("The policy must end after it starts."), field="ends_on")
    if sum_insured <= 0:
        raise DomainError(_("The sum insured must be positive."), field="sum_insured")
    insurance = Insurance(
        item=item,
        insurer=insurer.strip(),
        policy_number=policy_number.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        sum_insured=sum_insured,
        mfo_is_beneficiary=True,
    )
    _full_clean(insurance, exclude=["item"])
    insurance.save()
    audit(item.application, "collateral.insured", by=by, data={"item": item.pk, "until": ends_on})
    return insurance


@transaction.atomic
def inspection_record(
    *,
    item_id: int,
    inspected_on: date,
    present: bool,
    condition: str,
    notes: str = "",
    new_market_value: Decimal | None = None,
    photos: tuple[UploadedFile, ...] = (),
    by,
) -> Inspection:
    """A monitoring visit; a new value below the required coverage is flagged (DOMAIN.md §15)."""
    item = _lock_item(item_id)
    if new_market_value is not None and new_market_value <= 0:
        raise DomainError(_("The market value must be positive."), field="new_market_value")
    if inspected_on > timezone.localdate():
        raise DomainError(_("An inspection cannot be dated in the future."), field="inspected_on")
    if condition not in Inspection.Condition.values:
        raise DomainError(_("Choose the condition."), field="condition")
    inspection = Inspection.objects.create(
        item=item,
        inspected_on=inspected_on,
        inspector=by,
        present=present,
        condition=condition,
        notes=notes.strip(),
        new_market_value=new_market_value,
    )
    if new_market_value is not None:
        coefficient = CollateralType.objects.get(kind=item.kind).liquidity_coefficient
        Appraisal.objects.create(
            item=item,
            from_inspection=True,  # a revaluation, not a licensed appraisal
            appraiser=by.get_full_name() or by.get_username(),
            licence="",
            appraised_on=inspected_on,
            market_value=new_market_value,
            liquidity_coefficient=coefficient,
            pledge_value=pledge_value(new_market_value, coefficient),
            recorded_by=by,
        )
    application = item.application
    required = required_coverage(application)
    covered = application_coverage(application)
    inspection.coverage_after = covered
    inspection.below_required_coverage = covered is not None and covered < required
    inspection.save(update_fields=["coverage_after", "below_required_coverage"])
    for photo in photos:  # a refused photo refuses the whole visit: nothing half-recorded
        inspection_photo_add(inspection_id=inspection.pk, upload=photo, by=by)
    audit(
        application,
        "collateral.inspected",
        by=by,
        data={
            "item": item.pk,
            "present": present,
            "coverage": covered,
            "flag": inspection.below_required_coverage,
        },
    )
    return inspection


@transaction.atomic
def inspection_photo_add(*, inspection_id: int, upload: UploadedFile, by) -> InspectionPhoto:
    """A photo taken at an inspection: JPEG or PNG, checked by content, up to MAX_UPLOAD_SIZE."""
    inspection = (
        Inspection.objects.select_for_update()
        .select_related("item__application")
        .get(pk=inspection_id)
    )
    file_type = check_upload(
        upload,
        allowed=PHOTO_TYPES,
        refusal=_("Only JPEG and PNG photos are accepted."),
        field="photo",
    )
    photo = InspectionPhoto(inspection=inspection)
    photo.file.save(f"{uuid.uuid4().hex}{file_type.extension}", upload, save=False)
    photo.save()
    audit(
        inspection.item.application,
        "collateral.inspection_photo_added",
        by=by,
        data={"inspection": inspection.pk},
    )
    return photo


@transaction.atomic
def insurance_payout_record(
    *, item_id: int, received_on: date, amount: Decimal, secured_debt: Decimal, by
) -> InsurancePayout:
    """The part of a payout above the secured debt is owed to the pledgor within 3 business days."""
    item = _lock_item(item_id)
    if amount <= 0:
        raise DomainError(_("The payout must be positive."), field="amount")
    if secured_debt < 0:
        raise DomainError(_("The secured debt cannot be negative."), field="secured_debt")
    if received_on > timezone.localdate():
        raise DomainError(_("A payout cannot be dated in the future."), field="received_on")
    excess = insurance_excess(amount, secured_debt)
    calendar = business_calendar(years=range(received_on.year, received_on.year + 2))
    payout = InsurancePayout.objects.create(
        item=item,
        received_on=received_on,
        amount=amount,
        secured_debt=secured_debt,
        excess=excess,
        pay_excess_by=excess_payment_due(received_on, calendar.add_business_days)
        if excess
        else None,
    )
    audit(
        item.application,
        "collateral.insurance_payout",
        by=by,
        data={"amount": amount, "excess": excess},
    )
    return payout


@transaction.atomic
def collateral_release(*, item_id: int, by) -> CollateralItem:
    """Give the originals back and ask the authority to lift the encumbrance (DOMAIN.md §9).

    Called at the loan's closure; the receipt and the letter are rendered from what it records.
    """
    item = _lock_item(item_id)
    loan = getattr(item.application, "loan", None)
    ended = item.application.stage in RELEASABLE_STAGES and loan is None
    if not (ended or (loan is not None and loan.status == loan.Status.CLOSED)):
        raise ConflictError(_("Collateral is released only when the loan is closed."), field="item")
    now = timezone.now()
    item.title_documents.filter(
        original_received_at__isnull=False, original_returned_at__isnull=True
    ).update(original_returned_at=now)
    item.released_at = now
    item.save(update_fields=["released_at"])
    audit(item.application, "collateral.released", by=by, data={"item": item.pk})
    return item
