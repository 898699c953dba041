"""Every change to an applicant or an application: one function each, atomic, locked, audited."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from applications import hooks
from applications.domain.requirements import BorrowerProfile, LendingRules, borrower_refusals
from applications.errors import TransitionBlocked, TransitionNotAllowed
from applications.messages import refusal_message
from applications.models import (
    IDENTITY_FIELDS,
    AgendaItem,
    Applicant,
    ApplicantKind,
    Application,
    ApplicationDocument,
    Conclusion,
    DebtBurdenAssessment,
    LendingPolicy,
    Meeting,
    RefusalGround,
    Representative,
    RequiredDocument,
    Stage,
)
from applications.selectors import applicant_identity_fixed
from applications.transitions import DECIDED_BY_COMMITTEE, FINAL, can_follow
from core.audit import audit
from core.branches import default_branch, user_branch
from core.errors import ConflictError, DomainError
from core.identifiers import IdentifierError, parse_iin
from core.models import Branch
from core.regulation import Key, LoanClass, regulatory_value
from core.uploads import DOCUMENT_TYPES, FileType, check_upload
from lending.calculator import calculate
from lending.domain.debt_burden import average_monthly_payment, debt_burden
from lending.domain.limits import check_limits
from lending.domain.schedule import LoanTerms
from lending.messages import limit_message
from lending.models import Product
from lending.selectors import product_limits


def lending_policy() -> LendingPolicy:
    policy, _created = LendingPolicy.objects.get_or_create(pk=1)
    return policy


# --- applicants -----------------------------------------------------------------------------

APPLICANT_FIELDS = {
    "kind", "iin", "bin", "name", "birth_date", "phone", "email", "legal_address",
    "actual_address", "region", "tax_registration_date", "activity", "activity_code",
    "monthly_income", "existing_monthly_payments", "overdue_90_last_12_months",
    "in_liquidation", "offshore",
}  # fmt: skip


def _derive_from_identifier(applicant: Applicant) -> None:
    """A person's date of birth is in the IIN: derive it, or refuse a date that disagrees."""
    if applicant.kind == ApplicantKind.LEGAL_ENTITY or not applicant.iin:
        return
    try:
        born = parse_iin(applicant.iin).birth_date
    except IdentifierError as exc:
        raise DomainError(str(exc.args[0]), field="iin") from exc
    if applicant.birth_date and applicant.birth_date != born:
        raise DomainError(
            _("The date of birth does not match the IIN (%(date)s).") % {"date": born},
            field="birth_date",
        )
    applicant.birth_date = born


def _ensure_unique_identifier(applicant: Applicant) -> None:
    others = Applicant.objects.exclude(pk=applicant.pk)
    for field in ("iin", "bin"):
        value = getattr(applicant, field)
        if value and others.filter(**{field: value}).exists():
            raise DomainError(
                _("An applicant with this %(id)s is already registered.") % {"id": field.upper()},
                field=field,
            )


def _ensure_identifier_of_kind(applicant: Applicant) -> None:
    if applicant.kind == ApplicantKind.LEGAL_ENTITY and not applicant.bin:
        raise DomainError(_("A legal entity needs its BIN."), field="bin")
    if applicant.kind != ApplicantKind.LEGAL_ENTITY and not applicant.iin:
        raise DomainError(_("A person needs their IIN."), field="iin")


def normalize_phone(phone: str) -> str:
    """One format, +7 and ten digits for Kazakhstan, so that a search by digits finds it."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11 and digits.startswith("8"):  # the domestic 8 701 ... form
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    return f"+{digits}" if digits else ""


def check_applicant(applicant: Applicant) -> None:
    """Normalise and check an applicant before it is saved; a refusal names the field."""
    applicant.phone = normalize_phone(applicant.phone)
    _ensure_identifier_of_kind(applicant)
    _derive_from_identifier(applicant)
    _ensure_unique_identifier(applicant)
    try:
        applicant.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def store_applicant(applicant: Applicant) -> None:
    """Save a checked applicant; a concurrent registration of the same IIN loses cleanly."""
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError as exc:
        field = "bin" if applicant.kind == ApplicantKind.LEGAL_ENTITY else "iin"
        raise DomainError(_("This applicant is already registered."), field=field) from exc


def _save_applicant(applicant: Applicant) -> None:
    check_applicant(applicant)
    store_applicant(applicant)


def _ensure_identity_may_change(fixed: bool, fields: list[str]) -> None:
    """Refuse a change of the identity of a party to a signed contract, naming the field."""
    if fixed and fields:
        label = capfirst(Applicant._meta.get_field(fields[0]).verbose_name)
        raise ConflictError(
            _(
                "%(field)s cannot be changed: the applicant is a party to a signed contract. "
                "Request a correction of the identity; a second person approves it."
            )
            % {"field": label},
            field=fields[0],
            code="identity_fixed",
        )


def personal_data_changes(before: dict[str, Any], applicant: Applicant) -> dict[str, Any]:
    """What the audit keeps of a change of personal data: the fields, old and new values."""
    fields = sorted(field for field, value in before.items() if getattr(applicant, field) != value)
    return {
        "fields": fields,
        "old": {field: before[field] for field in fields},
        "new": {field: getattr(applicant, field) for field in fields},
    }


@transaction.atomic
def applicant_create(*, data: dict[str, Any], by) -> Applicant:
    applicant = Applicant(
        created_by=by,
        branch=default_branch(by),  # where it was registered: who sees it (core.branches)
        **{k: v for k, v in data.items() if k in APPLICANT_FIELDS},
    )
    _save_applicant(applicant)
    audit(applicant, "applicant.created", by=by, data={"kind": applicant.kind})
    return applicant


@transaction.atomic
def applicant_update(*, applicant_id: int, data: dict[str, Any], by) -> Applicant:
    """Change an applicant's data. The IIN/BIN, name and date of birth of a party to a signed
    contract are fixed: ``applications.identity`` corrects them with a second person's approval.
    The audit keeps the old and the new values."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant_id)
    fixed = applicant_identity_fixed(applicant)
    before = {field: getattr(applicant, field) for field in APPLICANT_FIELDS}
    changed = sorted(k for k, v in data.items() if k in APPLICANT_FIELDS and before[k] != v)
    # an empty date of birth means "from the IIN": no change while the IIN stays
    requested = [f for f in IDENTITY_FIELDS if f in changed and data[f] is not None]
    _ensure_identity_may_change(fixed, requested)
    for field in changed:
        setattr(applicant, field, data[field])
    if "iin" in changed and "birth_date" not in data:
        applicant.birth_date = None  # derived again from the new IIN
    check_applicant(applicant)
    _ensure_identity_may_change(
        fixed, [f for f in IDENTITY_FIELDS if getattr(applicant, f) != before[f]]
    )
    store_applicant(applicant)
    audit(applicant, "applicant.updated", by=by, data=personal_data_changes(before, applicant))
    return applicant


@transaction.atomic
def representative_add(
    *,
    applicant_id: int,
    full_name: str,
    iin: str,
    authority: str,
    valid_until: date | None = None,
    by,
) -> Representative:
    """A person acting for the applicant, with the document that gives the authority."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant_id)
    representative = Representative(
        applicant=applicant,
        full_name=full_name.strip(),
        iin=iin,
        authority=authority.strip(),
        valid_until=valid_until,
    )
    try:
        representative.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc
    representative.save()
    audit(
        applicant,
        "applicant.representative_added",
        by=by,
        data={"representative": representative.pk},
    )
    return representative


@transaction.atomic
def representative_remove(*, representative_id: int, by) -> None:
    representative = Representative.objects.select_for_update().get(pk=representative_id)
    audit(
        representative.applicant,
        "applicant.representative_removed",
        by=by,
        data={"representative": representative.pk, "full_name": representative.full_name},
    )
    representative.delete()


# --- applications ---------------------------------------------------------------------------


def product_limit_violations(
    product: Product, *, amount, term_months, rate, method, purpose, on: date
) -> list:
    return check_limits(
        product_limits(product, on=on, purpose=purpose),
        amount=amount,
        term_months=term_months,
        annual_rate=rate,
        method=method,
        day_count=product.day_count,
    )


@transaction.atomic
def application_create(
    *,
    applicant_id: int,
    product_id: int,
    purpose: str,
    amount: Decimal,
    term_months: int,
    rate: Decimal,
    method: str,
    repayment_sources: str = "",
    collateral_offered: str = "",
    branch_id: int | None = None,
    by,
) -> Application:
    """Register an application at the user's branch; head office may name another branch."""
    own = user_branch(by)
    if branch_id is not None and own is not None and branch_id != own.pk:
        raise DomainError(
            _("Applications are registered at your branch only."),
            field="branch",
            code="other_branch",
        )
    branch = Branch.objects.get(pk=branch_id) if branch_id is not None else own
    applicant = Applicant.objects.get(pk=applicant_id)
    product = Product.objects.get(pk=product_id, is_active=True)
    if not product.purposes.filter(purpose=purpose).exists():
        raise DomainError(_("The product does not finance this purpose."), field="purpose")
    now = timezone.now()
    application = Application.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:20]}",
        applicant=applicant,
        product=product,
        purpose=purpose,
        requested_amount=amount,
        requested_term_months=term_months,
        requested_rate=rate,
        method=method,
        repayment_sources=repayment_sources,
        collateral_offered=collateral_offered,
        stage=Stage.CONSULTATION,
        stage_changed_at=now,
        prepared_by=by,
        branch=branch,
    )
    application.number = f"{timezone.localdate(now):%Y}-{application.pk:06d}"
    application.save(update_fields=["number"])
    audit(
        application,
        "application.registered",
        by=by,
        data={"amount": amount, "product": product.code},
    )
    return application


def lock_application(application_id: int) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("applicant", "product")
        .get(pk=application_id)
    )


def move_stage(application: Application, target: Stage, *, by, data: dict | None = None) -> None:
    _ensure_can_move(application, target)  # every move, whoever makes it, follows the table
    previous = application.stage
    application.stage = target
    application.stage_changed_at = timezone.now()
    application.save()
    audit(
        application,
        "application.stage_changed",
        by=by,
        data={"from": previous, "to": target, **(data or {})},
    )


def _ensure_can_move(application: Application, target: Stage) -> None:
    if not can_follow(application.stage, target):
        raise TransitionNotAllowed(
            _("An application at stage “%(stage)s” cannot move to “%(target)s”.")
            % {"stage": application.get_stage_display(), "target": Stage(target).label},
            field="stage",
        )


def _blocked(reasons: list[str]) -> TransitionBlocked:
    error = TransitionBlocked(" ".join(reasons), field="stage")
    error.reasons = reasons
    return error


def requirement_reasons(application: Application, *, on: date) -> list[str]:
    """Why the applicant does not meet the borrower requirements and product limits, if at all."""
    applicant, product, policy = application.applicant, application.product, lending_policy()
    profile = BorrowerProfile(
        kind=applicant.kind,
        birth_date=applicant.birth_date,
        region=applicant.region,
        activity_code=applicant.activity_code,
        purpose=application.purpose,
        in_liquidation=applicant.in_liquidation,
        offshore=applicant.offshore,
    )
    rules = LendingRules(
        min_age=policy.min_age,
        max_age=policy.max_age,
        served_regions=frozenset(policy.served_regions),
        excluded_activities=frozenset(policy.excluded_activities),
        product_purposes=frozenset(product.purposes.values_list("purpose", flat=True)),
    )
    reasons = [refusal_message(r) for r in borrower_refusals(profile, rules, on=on)]
    violations = product_limit_violations(
        product,
        amount=application.requested_amount,
        term_months=application.requested_term_months,
        rate=application.requested_rate,
        method=application.method,
        purpose=application.purpose,
        on=on,
    )
    return reasons + [limit_message(v) for v in violations if v.field != "day_count"]


def _missing_documents(application: Application) -> list[str]:
    missing = application.documents.exclude(status=ApplicationDocument.Status.RECEIVED)
    return [doc.get_document_type_display() for doc in missing.order_by("document_type")]


def _ensure_route_of_product(application: Application, target: Stage) -> None:
    """A secured loan always passes the appraisal; an unsecured one never does."""
    secured = application.product.secured
    if target == Stage.COLLATERAL_APPRAISAL and not secured:
        raise TransitionNotAllowed(
            _("An unsecured loan has no collateral to appraise."), field="stage"
        )
    if target == Stage.ASSESSMENT and application.stage == Stage.DOCUMENTS and secured:
        raise TransitionNotAllowed(
            _("A secured loan goes through collateral appraisal first."), field="stage"
        )


def _guard(application: Application, target: Stage) -> list[str]:
    """The reasons the application is not ready for ``target``; empty when it is."""
    if target == Stage.APPLICATION:
        return requirement_reasons(application, on=timezone.localdate())
    if (
        target in (Stage.COLLATERAL_APPRAISAL, Stage.ASSESSMENT)
        and application.stage == Stage.DOCUMENTS
    ):
        missing = _missing_documents(application)
        reasons = (
            [_("Documents missing: %(list)s.") % {"list": ", ".join(missing)}] if missing else []
        )
        if target == Stage.ASSESSMENT and application.product.secured:
            reasons.append(_("A secured loan goes through collateral appraisal first."))
        if target == Stage.COLLATERAL_APPRAISAL and not application.product.secured:
            reasons.append(_("An unsecured loan has no collateral to appraise."))
        return reasons
    if target == Stage.ASSESSMENT and application.stage == Stage.COLLATERAL_APPRAISAL:
        # every item eligible and appraised (collateral.agenda_checks, DOMAIN.md §15)
        return hooks.stage_gaps(application, target)
    if target == Stage.COMMITTEE:
        return _package_gaps(application)
    return []


def _package_gaps(application: Application) -> list[str]:
    reasons = []
    assessment = DebtBurdenAssessment.objects.filter(application=application).first()
    if assessment is None:
        reasons.append(_("The debt burden has not been assessed."))
    elif assessment.applies and not assessment.passes:
        reasons.append(
            _("The debt burden %(value)s is above the limit %(limit)s.")
            % {"value": assessment.coefficient, "limit": assessment.limit}
        )
    if not application.conclusions.filter(kind=Conclusion.Kind.CREDIT).exists():
        reasons.append(_("The credit analyst's conclusion is missing."))
    return reasons


def _prequalify(application: Application) -> None:
    """Provisional amount, term and monthly payment from the calculator (not a promise)."""
    calculation = calculate(
        terms=LoanTerms(
            amount=application.requested_amount,
            annual_rate=application.requested_rate,
            term_months=application.requested_term_months,
            method=application.method,
            day_count=application.product.day_count,
            disbursement_date=timezone.localdate(),
            payment_multiple=application.product.payment_multiple,
        ),
        product=application.product,
    )
    application.provisional_amount = application.requested_amount
    application.provisional_term_months = application.requested_term_months
    application.provisional_payment = average_monthly_payment(calculation.schedule)


def _open_checklist(application: Application) -> None:
    required = RequiredDocument.objects.filter(
        product=application.product, applicant_kind=application.applicant.kind
    ).values_list("document_type", flat=True)
    for document_type in required:
        ApplicationDocument.objects.get_or_create(
            application=application, document_type=document_type
        )


@transaction.atomic
def application_advance(*, application_id: int, to: str, by) -> Application:
    """Move an application forward to ``to``; refusals say why (409 not allowed, 400 not ready)."""
    application = lock_application(application_id)
    target = Stage(to)
    if (
        target in (Stage.REFUSED, Stage.WITHDRAWN)
        or (application.stage, target) in DECIDED_BY_COMMITTEE
    ):
        raise TransitionNotAllowed(
            _("Use the refusal, withdrawal or committee decision for this move."), field="stage"
        )
    if target in (Stage.ACCEPTED, Stage.DECLINED):
        raise TransitionNotAllowed(_("Record the applicant's answer instead."), field="stage")
    _ensure_can_move(application, target)
    _ensure_route_of_product(application, target)
    if reasons := _guard(application, target):
        raise _blocked(reasons)
    if target == Stage.PREQUALIFICATION:
        _prequalify(application)
    move_stage(application, target, by=by)
    if target == Stage.DOCUMENTS:
        _open_checklist(application)
    return application


@transaction.atomic
def application_refuse(*, application_id: int, ground: str, comment: str, by) -> Application:
    """Refusal before the committee, with a ground from the rules, explained to the applicant."""
    application = lock_application(application_id)
    if application.stage == Stage.COMMITTEE:
        raise TransitionNotAllowed(
            _("On the committee stage only the committee refuses."), field="stage"
        )
    _ensure_can_move(application, Stage.REFUSED)
    if ground not in RefusalGround.values:
        raise DomainError(_("Choose a ground for the refusal."), field="ground")
    if not comment.strip():
        raise DomainError(_("Explain the refusal to the applicant."), field="comment")
    application.refusal_ground, application.refusal_comment = ground, comment.strip()
    move_stage(application, Stage.REFUSED, by=by, data={"ground": ground})
    return application


@transaction.atomic
def application_withdraw(*, application_id: int, comment: str, by) -> Application:
    application = lock_application(application_id)
    _ensure_can_move(application, Stage.WITHDRAWN)
    # an undecided item leaves the open agenda with its votes, so the meeting can still close
    AgendaItem.objects.filter(
        application=application, decision__isnull=True, meeting__status=Meeting.Status.SCHEDULED
    ).delete()
    move_stage(application, Stage.WITHDRAWN, by=by, data={"comment": comment})
    return application


@transaction.atomic
def application_record_answer(*, application_id: int, accepted: bool, by) -> Application:
    """The applicant accepts or declines the approved terms (003 2.5)."""
    application = lock_application(application_id)
    target = Stage.ACCEPTED if accepted else Stage.DECLINED
    _ensure_can_move(application, target)
    move_stage(application, target, by=by)
    return application


def _ensure_open(application: Application) -> None:
    if application.stage in FINAL or application.stage in (Stage.APPROVED, Stage.COMMITTEE):
        raise TransitionNotAllowed(
            _("The application is at stage “%(stage)s”; its package is closed.")
            % {"stage": application.get_stage_display()},
            field="stage",
        )


# --- documents ------------------------------------------------------------------------------


def _check_upload(upload: UploadedFile) -> FileType:
    """The lending policy may set a lower limit than the product's ``MAX_UPLOAD_SIZE``."""
    return check_upload(
        upload,
        allowed=DOCUMENT_TYPES,
        refusal=_("Only PDF, JPEG and PNG files are accepted."),
        max_bytes=lending_policy().max_upload_mb * 1024 * 1024,
    )


@transaction.atomic
def document_receive(
    *, application_id: int, document_type: str, upload: UploadedFile | None, by
) -> ApplicationDocument:
    application = lock_application(application_id)
    _ensure_open(application)
    try:
        document = application.documents.select_for_update().get(document_type=document_type)
    except ApplicationDocument.DoesNotExist as exc:
        raise DomainError(
            _("This document is not on the application's checklist."), field="document_type"
        ) from exc
    if upload is not None:
        file_type = _check_upload(upload)
        document.content_type = file_type.content_type
        document.file.save(f"{uuid.uuid4().hex}{file_type.extension}", upload, save=False)
        document.original_name, document.size = upload.name[:255], upload.size
    document.status = ApplicationDocument.Status.RECEIVED
    document.received_by, document.received_at = by, timezone.now()
    document.save()
    audit(application, "application.document_received", by=by, data={"document": document_type})
    return document


@transaction.atomic
def document_mark_missing(*, application_id: int, document_type: str, by) -> ApplicationDocument:
    application = lock_application(application_id)
    _ensure_open(application)
    document = application.documents.select_for_update().get(document_type=document_type)
    document.status = ApplicationDocument.Status.MISSING
    document.save(update_fields=["status"])
    audit(application, "application.document_missing", by=by, data={"document": document_type})
    return document


# --- assessment -----------------------------------------------------------------------------


def debt_burden_applies(application: Application) -> bool:
    """The limit binds loans to individuals; business loans where the product says so (§12)."""
    return (
        application.applicant.kind == ApplicantKind.INDIVIDUAL
        or application.product.debt_burden_applies
    )


@transaction.atomic
def debt_burden_assess(*, application_id: int, by, on: date | None = None) -> DebtBurdenAssessment:
    """The coefficient with its inputs, against the limit in force for this borrower."""
    application = lock_application(application_id)
    _ensure_open(application)
    on = on or timezone.localdate()
    applicant = application.applicant
    calculation = calculate(
        terms=LoanTerms(
            amount=application.requested_amount,
            annual_rate=application.requested_rate,
            term_months=application.requested_term_months,
            method=application.method,
            day_count=application.product.day_count,
            disbursement_date=on,
            payment_multiple=application.product.payment_multiple,
        ),
    )
    loan_class = LoanClass.OVERDUE_HISTORY if applicant.overdue_90_last_12_months else ""
    limit = regulatory_value(Key.DEBT_BURDEN_LIMIT, on=on, loan_class=loan_class)
    result = debt_burden(
        monthly_income=applicant.monthly_income,
        existing_monthly_payments=[applicant.existing_monthly_payments],
        requested_monthly_payment=average_monthly_payment(calculation.schedule),
        limit=limit,
    )
    assessment, _created = DebtBurdenAssessment.objects.update_or_create(
        application=application,
        defaults={
            "monthly_income": result.monthly_income,
            "existing_payments": result.existing_monthly_payments,
            "new_loan_payment": result.requested_monthly_payment,
            "coefficient": result.coefficient,
            "limit": result.limit,
            "passes": result.passes,
            "applies": debt_burden_applies(application),
            "computed_by": by,
        },
    )
    audit(
        application,
        "application.debt_burden_assessed",
        by=by,
        data={"coefficient": result.coefficient, "limit": result.limit, "passes": result.passes},
    )
    return assessment


@transaction.atomic
def conclusion_record(
    *, application_id: int, kind: str, recommendation: str, text: str, by
) -> Conclusion:
    application = lock_application(application_id)
    _ensure_open(application)
    if not text.strip():
        raise DomainError(_("Write the conclusion."), field="text")
    conclusion, _created = Conclusion.objects.update_or_create(
        application=application,
        kind=kind,
        defaults={"recommendation": recommendation, "text": text.strip(), "author": by},
    )
    audit(application, "application.conclusion_recorded", by=by, data={"kind": kind})
    return conclusion
