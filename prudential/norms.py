"""The other MFO norms of res. 192 (DOMAIN.md §12): the monthly figures they read, the groups
of related borrowers, the norms run of a date, and a borrower's exposure after a new loan.

The run takes own capital, assets and liabilities from the latest monthly figures on or before
its date, and the exposures from the date's loan snapshots in one aggregate query that groups
related borrowers together and returns only the largest: set-based, whatever the portfolio.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, F, Max, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Applicant, Decision, Stage
from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import ZERO, parse_money
from core.regulation import regulatory_value
from core.uploads import check_text_upload
from loans.models import DayClose, Loan, LoanSnapshot
from prudential.domain.norms import (
    Figures,
    Limits,
    exposure_passes,
    k2_limit_amount,
    norms_verdict,
)
from prudential.formats import day_text, kzt_text, plain_number
from prudential.models import (
    Alert,
    BorrowerGroup,
    BorrowerGroupMember,
    MonthlyFinancials,
    NormsRun,
)
from prudential.services import _alert

NORMS_LOCK = 6_0_0_3  # one norms run at a time (PostgreSQL advisory lock key)
EXPOSURE = F("principal") + F("interest") + F("accrued_interest")
GROUP = "loan__borrower__borrower_group_membership__group"
FIGURES = ("own_capital", "assets", "liabilities")
CSV_COLUMNS = ("month", *FIGURES)
CSV_MAX_BYTES = 1024 * 1024
AMOUNT_LIMIT = Decimal(10) ** 16  # DecimalField(18, 2)
DISBURSED = (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED)


# --- monthly figures ---------------------------------------------------------------------------


def _checked_figures(
    *, month: date | None, own_capital, assets, liabilities
) -> tuple[date, dict[str, Decimal]]:
    """The month and the three amounts, or a DomainError naming the field that is wrong."""
    if not isinstance(month, date) or isinstance(month, datetime) or month.day != 1:
        raise DomainError(
            _("Give the month as its first day."), field="month", code="not_first_of_month"
        )
    values = {"own_capital": own_capital, "assets": assets, "liabilities": liabilities}
    for field, value in values.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise DomainError(_("Enter an amount in KZT."), field=field, code="required")
        if value != value.quantize(Decimal("0.01")) or abs(value) >= AMOUNT_LIMIT:
            raise DomainError(
                _("Enter an amount in KZT with at most two decimal places."),
                field=field,
                code="invalid",
            )
    if assets <= 0:
        raise DomainError(_("Assets must be more than zero."), field="assets", code="not_positive")
    if liabilities < 0:
        raise DomainError(
            _("Liabilities cannot be negative."), field="liabilities", code="negative"
        )
    # Own capital may be zero or negative: when losses exceed the capital, that is the figure
    # the MFO must report, and refusing it would hide a breach of every norm.
    return month, values


def _store(
    month: date, values: dict[str, Decimal], *, source: str, by
) -> tuple[MonthlyFinancials, bool]:
    before = MonthlyFinancials.objects.select_for_update().filter(month=month).first()
    row, created = MonthlyFinancials.objects.update_or_create(
        month=month, defaults={**values, "source": source, "entered_by": _person(by)}
    )
    audit(
        row,
        "prudential.financials_entered",
        by=by,
        data={
            "month": month.isoformat(),
            "source": source,
            **{field: str(value) for field, value in values.items()},
            "replaced": {field: str(getattr(before, field)) for field in FIGURES}
            if before
            else None,
        },
    )
    return row, created


@transaction.atomic
def financials_enter(
    *, month: date, own_capital: Decimal, assets: Decimal, liabilities: Decimal, by
) -> MonthlyFinancials:
    """Enter a month's own capital, assets and liabilities; they replace the month's figures."""
    month, values = _checked_figures(
        month=month, own_capital=own_capital, assets=assets, liabilities=liabilities
    )
    row, _created = _store(month, values, source=MonthlyFinancials.Source.MANUAL, by=by)
    return row


@transaction.atomic
def financials_import_csv(*, file, by) -> list[MonthlyFinancials]:
    """Months from a CSV file (month,own_capital,assets,liabilities); one bad row refuses the
    whole file, with its row number, and nothing is written."""
    rows = _read_csv(file)
    return [
        _store(month, values, source=MonthlyFinancials.Source.CSV, by=by)[0]
        for month, values in rows
    ]


def _read_csv(file) -> list[tuple[date, dict[str, Decimal]]]:
    check_text_upload(file, refusal=_("The file is not a text CSV file."), max_bytes=CSV_MAX_BYTES)
    text = _decode(file.read())
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(_("The file is empty."), field="file", code="empty")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise DomainError(
            _("Row 1: the file needs the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ",".join(CSV_COLUMNS), "missing": ", ".join(missing)},
            field="file",
            code="columns",
        )
    reader.fieldnames = header
    rows, first_seen = [], {}
    for record in reader:
        number = reader.line_num
        cells = {column: (record.get(column) or "").strip() for column in CSV_COLUMNS}
        if not any(cells.values()):
            continue
        try:
            month = _csv_month(cells["month"])
            amounts = {field: _csv_amount(field, cells[field]) for field in FIGURES}
            month, values = _checked_figures(month=month, **amounts)
        except DomainError as error:
            raise DomainError(
                _("Row %(row)s: %(column)s: %(message)s")
                % {"row": number, "column": error.field, "message": error.message},
                field="file",
                code=error.code,
            ) from error
        if month in first_seen:
            raise DomainError(
                _("Row %(row)s: the month %(month)s is already in row %(first)s.")
                % {"row": number, "month": f"{month:%m.%Y}", "first": first_seen[month]},
                field="file",
                code="duplicate_month",
            )
        first_seen[month] = number
        rows.append((month, values))
    if not rows:
        raise DomainError(_("The file has no months."), field="file", code="empty")
    return rows


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):  # spreadsheets in Kazakhstan save either
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is not a text CSV file."), field="file", code="encoding")


def _csv_month(value: str) -> date | None:
    for pattern in ("%Y-%m", "%Y-%m-%d", "%m.%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise DomainError(
        _("“%(value)s” is not a month; write it as 2026-03.") % {"value": value},
        field="month",
        code="invalid",
    )


def _csv_amount(field: str, value: str) -> Decimal:
    try:
        return parse_money(value)
    except ValueError:
        raise DomainError(
            _("“%(value)s” is not an amount.") % {"value": value}, field=field, code="invalid"
        ) from None


def financials_for(on: date) -> MonthlyFinancials | None:
    """The latest figures known at the end of ``on``: a month's figures are its closing
    balances, so they count from its last day on (never a month still running)."""
    month = on.replace(day=1)
    month_ended = (on + timedelta(days=1)).day == 1
    figures = MonthlyFinancials.objects.filter(
        month__lte=month if month_ended else month - timedelta(days=1)
    )
    return figures.order_by("-month").first()


def financials_list() -> QuerySet[MonthlyFinancials]:
    return MonthlyFinancials.objects.select_related("entered_by").order_by("-month")


# --- groups of related borrowers ---------------------------------------------------------------


@transaction.atomic
def borrower_group_set(
    *, group_id: int | None = None, name: str, member_ids: Iterable[int], by
) -> BorrowerGroup:
    """Create a group of related borrowers or change its name and members. A borrower belongs to
    one group at most: k2 would otherwise count the same debt twice."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the group."), field="name", code="required")
    ids = sorted(set(member_ids))
    if len(ids) < 2:
        raise DomainError(
            _("A group of related borrowers has at least two borrowers."),
            field="members",
            code="too_few",
        )
    members = list(Applicant.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(members) != len(ids):
        raise DomainError(_("Some borrowers were not found."), field="members", code="not_found")
    group = (
        BorrowerGroup.objects.select_for_update().get(pk=group_id)
        if group_id
        else BorrowerGroup(name=name)
    )
    taken = (
        BorrowerGroupMember.objects.filter(applicant_id__in=ids)
        .exclude(group_id=group.pk)
        .select_related("group", "applicant")
        .order_by("applicant__name")
        .first()
    )
    if taken is not None:
        raise ConflictError(
            _(
                "%(borrower)s is already in the group “%(group)s”; a borrower belongs to one "
                "group at most."
            )
            % {"borrower": taken.applicant.name, "group": taken.group.name},
            field="members",
            code="in_another_group",
        )
    group.name = name
    group.save()
    current = set(group.memberships.values_list("applicant_id", flat=True))
    removed, added = sorted(current - set(ids)), sorted(set(ids) - current)
    group.memberships.filter(applicant_id__in=removed).delete()
    try:
        with transaction.atomic():
            BorrowerGroupMember.objects.bulk_create(
                BorrowerGroupMember(group=group, applicant_id=pk) for pk in added
            )
    except IntegrityError:  # another group took the borrower meanwhile
        raise ConflictError(
            _("A borrower was put in another group meanwhile; reload and try again."),
            field="members",
            code="in_another_group",
        ) from None
    audit(
        group,
        "prudential.borrower_group_set",
        by=by,
        data={"name": name, "members": ids, "added": added, "removed": removed},
    )
    return group


@transaction.atomic
def borrower_group_delete(*, group_id: int, by) -> None:
    """Dissolve a group; past runs keep the name of the group they concerned."""
    group = BorrowerGroup.objects.select_for_update().get(pk=group_id)
    members = sorted(group.memberships.values_list("applicant_id", flat=True))
    audit(
        group,
        "prudential.borrower_group_deleted",
        by=by,
        data={"name": group.name, "members": members},
    )
    group.delete()


def borrower_group_list() -> QuerySet[BorrowerGroup]:
    return BorrowerGroup.objects.prefetch_related("members").order_by("name", "pk")


# --- the norms run -----------------------------------------------------------------------------


def limits_on(on: date) -> Limits:
    return Limits(
        min_capital=regulatory_value("min_capital", on=on),
        k1a_min=regulatory_value("k1_capital_adequacy_min", on=on),
        k2_max=regulatory_value("k2_single_borrower_max", on=on),
        k3_max=regulatory_value("k3_leverage_max", on=on),
    )


def exposures_on(on: date) -> QuerySet:
    """The date's exposures, one row per group of related borrowers or per borrower outside any
    group, largest first: ``{"group": id | None, "borrower": id | None, "exposure": Decimal}``."""
    return (
        LoanSnapshot.objects.filter(on=on)
        .annotate(
            group=F(GROUP),
            borrower=Case(
                When(**{f"{GROUP}__isnull": True}, then=F("loan__borrower_id")),
                default=Value(None),
                output_field=BigIntegerField(),
            ),
        )
        .values("group", "borrower")
        .annotate(exposure=Sum(EXPOSURE))
        .order_by("-exposure", "group", "borrower")
    )


@transaction.atomic
def norms_run(*, on: date, by=None) -> NormsRun:
    """Compute minimum capital, k1, k2 and k3 on ``on`` and replace the date's run; a breach
    warns the risk managers once a day."""
    _lock()
    if not DayClose.objects.filter(business_date=on).exists():
        raise DomainError(
            _("%(date)s is not closed yet; the norms read the daily close.")
            % {"date": day_text(on)},
            field="on",
            code="day_not_closed",
        )
    financials = financials_for(on)
    if financials is None:
        raise DomainError(
            _(
                "No monthly figures for %(month)s or any earlier month: enter own capital, assets "
                "and liabilities of %(month)s first."
            )
            % {"month": f"{on:%m.%Y}"},
            field="on",
            code="financials_missing",
        )
    limits = limits_on(on)
    largest = exposures_on(on).first() or {"group": None, "borrower": None, "exposure": ZERO}
    verdict = norms_verdict(
        Figures(
            own_capital=financials.own_capital,
            assets=financials.assets,
            liabilities=financials.liabilities,
            largest_exposure=largest["exposure"],
        ),
        limits,
    )
    group = BorrowerGroup.objects.filter(pk=largest["group"]).first() if largest["group"] else None
    borrower = (
        Applicant.objects.filter(pk=largest["borrower"]).first() if largest["borrower"] else None
    )
    run, _created = NormsRun.objects.update_or_create(
        on=on,
        defaults={
            "status": NormsRun.Status.DONE,
            "financials": financials,
            "own_capital": financials.own_capital,
            "assets": financials.assets,
            "liabilities": financials.liabilities,
            "min_capital": limits.min_capital,
            "min_capital_breached": verdict.min_capital_breached,
            "k1a": _stored(verdict.k1a),
            "k1a_min": limits.k1a_min,
            "k1a_breached": verdict.k1a_breached,
            "k2": _stored(verdict.k2),
            "k2_max": limits.k2_max,
            "k2_breached": verdict.k2_breached,
            "k2_group": group,
            "k2_borrower": borrower,
            "k2_subject": (group or borrower).name if (group or borrower) else "",
            "k2_exposure": largest["exposure"],
            "k2_limit_amount": k2_limit_amount(financials.own_capital, limits.k2_max),
            "k3": _stored(verdict.k3),
            "k3_max": limits.k3_max,
            "k3_breached": verdict.k3_breached,
            "breached": verdict.breached,
            "finished_at": timezone.now(),
            "run_by": _person(by),
        },
    )
    if run.breached:
        _alert(None, Alert.Kind.NORM_BREACH, _breach_message(run), on=on)
    audit(
        run,
        "prudential.norms_run",
        by=by,
        data={
            "on": on.isoformat(),
            "month": financials.month.isoformat(),
            "k1a": str(run.k1a),
            "k2": str(run.k2),
            "k3": str(run.k3),
            "breached": run.breached,
        },
    )
    return run


def _breach_message(run: NormsRun) -> str:
    found = []
    if run.min_capital_breached:
        found.append(
            _("own capital %(capital)s KZT is below the minimum of %(minimum)s KZT")
            % {"capital": kzt_text(run.own_capital), "minimum": kzt_text(run.min_capital)}
        )
    if run.k1a_breached:
        found.append(
            _("k1 capital adequacy %(value)s is below %(limit)s")
            % {"value": _ratio(run.k1a), "limit": plain_number(run.k1a_min)}
        )
    if run.k2_breached:
        found.append(
            _(
                "k2 single-borrower risk %(value)s (%(subject)s, %(exposure)s KZT) is above "
                "%(limit)s"
            )
            % {
                "value": _ratio(run.k2),
                "subject": run.k2_subject,
                "exposure": kzt_text(run.k2_exposure),
                "limit": plain_number(run.k2_max),
            }
        )
    if run.k3_breached:
        found.append(
            _("k3 leverage %(value)s is above %(limit)s")
            % {"value": _ratio(run.k3), "limit": plain_number(run.k3_max)}
        )
    return _("MFO norms on %(date)s, figures of %(month)s: %(breaches)s.") % {
        "date": day_text(run.on),
        "month": f"{run.financials.month:%m.%Y}",
        "breaches": "; ".join(found),
    }


def norms_run_list() -> QuerySet[NormsRun]:
    return NormsRun.objects.select_related("financials", "k2_group", "k2_borrower").order_by("-on")


# --- a new loan against k2 ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExposureAfter:
    """What a borrower (or their group) would owe after a new loan, against the k2 limit."""

    subject: str  # the borrower's name, or the group's
    group: BorrowerGroup | None
    booked: Decimal  # the last daily close's principal and interest
    pending: Decimal  # disbursed since that close, or approved and not yet disbursed
    amount: Decimal  # the new loan
    exposure: Decimal
    limit: Decimal  # KZT: k2_max of own capital
    k2_max: Decimal
    own_capital: Decimal
    month: date  # of the figures used
    passes: bool


def exposure_after(
    *, applicant: Applicant, amount: Decimal, on: date, lock: bool = False
) -> ExposureAfter | None:
    """The borrower's (or group's) exposure after a new loan of ``amount`` against the k2 limit
    in force on ``on``; None while no monthly figures are entered. ``lock`` holds the borrowers
    until commit, so two approvals for one group cannot both pass on the same headroom."""
    financials = financials_for(on)
    if financials is None:
        return None
    membership = (
        BorrowerGroupMember.objects.filter(applicant=applicant).select_related("group").first()
    )
    group = membership.group if membership else None
    member_ids = (
        list(group.memberships.values_list("applicant_id", flat=True)) if group else [applicant.pk]
    )
    if lock:
        list(Applicant.objects.select_for_update().filter(pk__in=member_ids).order_by("pk"))
    booked, pending = _current_exposure(member_ids, on)
    k2_max = regulatory_value("k2_single_borrower_max", on=on)
    exposure = booked + pending + amount
    return ExposureAfter(
        subject=group.name if group else applicant.name,
        group=group,
        booked=booked,
        pending=pending,
        amount=amount,
        exposure=exposure,
        limit=k2_limit_amount(financials.own_capital, k2_max),
        k2_max=k2_max,
        own_capital=financials.own_capital,
        month=financials.month,
        passes=exposure_passes(exposure, financials.own_capital, k2_max),
    )


def _current_exposure(member_ids: list[int], on: date) -> tuple[Decimal, Decimal]:
    """(booked at the last close on or before ``on``, pending since): the loans the close has
    not seen yet and the approvals not yet disbursed count at their amounts."""
    closed_on = DayClose.objects.filter(business_date__lte=on).aggregate(day=Max("business_date"))[
        "day"
    ]
    booked = ZERO
    recent = Loan.objects.filter(borrower_id__in=member_ids, status=Loan.Status.ACTIVE)
    if closed_on is not None:
        booked = (
            LoanSnapshot.objects.filter(on=closed_on, loan__borrower_id__in=member_ids).aggregate(
                total=Sum(EXPOSURE)
            )["total"]
            or ZERO
        )
        recent = recent.filter(disbursed_on__gt=closed_on)
    disbursed = recent.aggregate(total=Sum("amount"))["total"] or ZERO
    approved = (
        Decision.objects.filter(
            outcome=Decision.Outcome.APPROVED,
            application__applicant_id__in=member_ids,
            application__stage__in=[Stage.APPROVED, Stage.ACCEPTED],
        )
        .exclude(application__loan__status__in=DISBURSED)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return booked, disbursed + approved


# --- helpers -----------------------------------------------------------------------------------


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NORMS_LOCK])


def _stored(value: Decimal | None) -> Decimal | None:
    return round(value, 8) if value is not None else None


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _ratio(value: Decimal | None) -> str:
    return f"{value:.4f}" if value is not None else "—"
