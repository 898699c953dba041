"""The portfolio risk figures of a closed business date (issue 8, items 4 and 5).

Every figure is read from the daily close's snapshots (or the loans, write-offs, payments and
debt-burden assessments) in one or a few aggregate queries: the number of queries does not grow
with the portfolio. Readings chosen here:

- outstanding = principal + interest due + interest accrued not yet due, as on the snapshot;
- a loan is written off on D when its ``written_off_on`` is on or before D; PAR, buckets,
  provisions, concentration and the series count the loans on the balance sheet only;
- PAR N counts loans *more than* N days past due (PAR 1 from the 2nd day, PAR 30 from the 31st);
- a vintage's share is the outstanding principal of its loans now past due more than 30 / 90
  days, divided by the amount disbursed in the month;
- recoveries are payments (not reversed) dated from the write-off up to D.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from applications.models import Applicant, DebtBurdenAssessment, RefusalGround, Stage
from core.models import Branch
from core.money import ZERO
from lending.models import Product
from loans.domain.servicing import Bucket
from loans.forms_portfolio import bucket_range
from loans.models import DayClose, Loan, LoanSnapshot, Payment, WriteOff
from prudential.domain.provisions import Stage as ProvisionStage
from prudential.domain.provisions import provision, share_percent, stage_range
from prudential.services import risk_settings

PAR_DAYS = (1, 30, 60, 90)
VINTAGE_DAYS = (30, 90)
SERIES_DAYS = 90  # closed dates in the series by default
TOP_BORROWERS = 10
# Debt-burden bands: up to 0.3, over 0.3 to 0.4, over 0.4 to 0.5, over 0.5.
DEBT_BURDEN_BOUNDS = (Decimal("0.3"), Decimal("0.4"), Decimal("0.5"))
# Stages where the application's assessment is the one the decision was taken on.
DECIDED = (Stage.APPROVED, Stage.REFUSED, Stage.ACCEPTED, Stage.DECLINED)

EXPOSURE = F("principal") + F("interest") + F("accrued_interest")
WRITTEN_OFF = Q(loan__written_off_on__lte=F("on"))
ON_BALANCE = Q(loan__written_off_on__isnull=True) | Q(loan__written_off_on__gt=F("on"))


def _snapshots(on: date):
    return LoanSnapshot.objects.filter(on=on).order_by()


def _days(first: int, last: int | None, field: str = "days_past_due") -> Q:
    condition = Q(**{f"{field}__gte": first})
    return condition & Q(**{f"{field}__lte": last}) if last is not None else condition


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def figures_date(requested: date | None = None) -> date | None:
    """``requested`` if the daily close has run for it; without one, the last closed date."""
    if requested is None:
        return (
            DayClose.objects.order_by("-business_date")
            .values_list("business_date", flat=True)
            .first()
        )
    return requested if DayClose.objects.filter(business_date=requested).exists() else None


# --- 1. outstanding by product, branch, officer ---------------------------------------------


@dataclass(frozen=True)
class GroupOutstanding:
    key: int
    label: str
    count: int
    amount: Decimal
    written_off_count: int
    written_off_amount: Decimal


@dataclass(frozen=True)
class Outstanding:
    by_product: list[GroupOutstanding]
    by_branch: list[GroupOutstanding]
    by_officer: list[GroupOutstanding]
    count: int
    amount: Decimal
    written_off_count: int
    written_off_amount: Decimal


def _officer_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _outstanding_by(on: date, field: str, labels) -> list[GroupOutstanding]:
    rows = list(
        _snapshots(on)
        .values(key=F(field))
        .annotate(
            count=Count("pk", filter=ON_BALANCE),
            amount=Sum(EXPOSURE, filter=ON_BALANCE),
            written_off_count=Count("pk", filter=WRITTEN_OFF),
            written_off_amount=Sum(EXPOSURE, filter=WRITTEN_OFF),
        )
        .order_by("key")
    )
    named = labels([row["key"] for row in rows])
    groups = [
        GroupOutstanding(
            key=row["key"],
            label=named.get(row["key"], str(row["key"])),
            count=row["count"],
            amount=_money(row["amount"]),
            written_off_count=row["written_off_count"],
            written_off_amount=_money(row["written_off_amount"]),
        )
        for row in rows
    ]
    return sorted(groups, key=lambda group: (-group.amount, -group.written_off_amount, group.key))


def _product_labels(ids) -> dict[int, str]:
    return {pk: str(product) for pk, product in Product.objects.in_bulk(ids).items()}


def _branch_labels(ids) -> dict[int, str]:
    return {pk: str(branch) for pk, branch in Branch.objects.in_bulk(ids).items()}


def _officer_labels(ids) -> dict[int, str]:
    return {pk: _officer_name(user) for pk, user in get_user_model().objects.in_bulk(ids).items()}


def outstanding(*, on: date) -> Outstanding:
    """Outstanding on ``on`` by product, branch and officer; written-off loans beside."""
    by_product = _outstanding_by(on, "loan__product_id", _product_labels)
    return Outstanding(
        by_product=by_product,
        by_branch=_outstanding_by(on, "loan__branch_id", _branch_labels),
        by_officer=_outstanding_by(on, "loan__officer_id", _officer_labels),
        count=sum(group.count for group in by_product),
        amount=sum((group.amount for group in by_product), ZERO),
        written_off_count=sum(group.written_off_count for group in by_product),
        written_off_amount=sum((group.written_off_amount for group in by_product), ZERO),
    )


# --- 2. portfolio at risk ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParFigure:
    days: int
    count: int
    principal: Decimal  # outstanding principal of the loans more than ``days`` past due
    percent: Decimal  # of the whole outstanding principal, to the hundredth


@dataclass(frozen=True)
class Par:
    count: int
    principal: Decimal
    figures: list[ParFigure]


def par(*, on: date) -> Par:
    """PAR 1/30/60/90 on ``on``: one aggregate query."""
    late = {days: ON_BALANCE & Q(days_past_due__gt=days) for days in PAR_DAYS}
    totals = _snapshots(on).aggregate(
        loans=Count("pk", filter=ON_BALANCE),
        whole=Sum("principal", filter=ON_BALANCE),
        **{f"count_{days}": Count("pk", filter=condition) for days, condition in late.items()},
        **{f"par_{days}": Sum("principal", filter=condition) for days, condition in late.items()},
    )
    principal = _money(totals["whole"])
    return Par(
        count=totals["loans"],
        principal=principal,
        figures=[
            ParFigure(
                days=days,
                count=totals[f"count_{days}"],
                principal=_money(totals[f"par_{days}"]),
                percent=share_percent(_money(totals[f"par_{days}"]), principal),
            )
            for days in PAR_DAYS
        ],
    )


# --- 3. overdue buckets -----------------------------------------------------------------------


@dataclass(frozen=True)
class BucketFigure:
    bucket: Bucket
    first_day: int
    last_day: int | None
    count: int
    principal: Decimal
    percent: Decimal  # of the outstanding principal


def buckets(*, on: date) -> list[BucketFigure]:
    """Count and principal per overdue bucket (current, 1–30, 31–60, 61–90, 90+): one query."""
    ranges = {bucket: bucket_range(bucket) for bucket in Bucket}
    conditions = {bucket: ON_BALANCE & _days(*ranges[bucket]) for bucket in Bucket}
    totals = _snapshots(on).aggregate(
        whole=Sum("principal", filter=ON_BALANCE),
        **{f"count_{b.name}": Count("pk", filter=c) for b, c in conditions.items()},
        **{f"principal_{b.name}": Sum("principal", filter=c) for b, c in conditions.items()},
    )
    whole = _money(totals["whole"])
    return [
        BucketFigure(
            bucket=bucket,
            first_day=ranges[bucket][0],
            last_day=ranges[bucket][1],
            count=totals[f"count_{bucket.name}"],
            principal=_money(totals[f"principal_{bucket.name}"]),
            percent=share_percent(_money(totals[f"principal_{bucket.name}"]), whole),
        )
        for bucket in Bucket
    ]


# --- 4. provisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageProvision:
    stage: ProvisionStage
    first_day: int
    last_day: int | None
    count: int
    exposure: Decimal
    rate: Decimal  # percent, the risk manager's
    provision: Decimal


@dataclass(frozen=True)
class Provisions:
    stages: list[StageProvision]
    exposure: Decimal
    provision: Decimal


def provisions(*, on: date) -> Provisions:
    """Exposure (outstanding) per IFRS 9 stage × the rate in the risk settings; the total."""
    settings = risk_settings()
    rates = {
        ProvisionStage.ONE: settings.provision_stage1,
        ProvisionStage.TWO: settings.provision_stage2,
        ProvisionStage.THREE: settings.provision_stage3,
    }
    ranges = {stage: stage_range(stage) for stage in ProvisionStage}
    conditions = {stage: ON_BALANCE & _days(*ranges[stage]) for stage in ProvisionStage}
    totals = _snapshots(on).aggregate(
        **{f"count_{s.value}": Count("pk", filter=c) for s, c in conditions.items()},
        **{f"exposure_{s.value}": Sum(EXPOSURE, filter=c) for s, c in conditions.items()},
    )
    stages = []
    for stage in ProvisionStage:
        exposure = _money(totals[f"exposure_{stage.value}"])
        stages.append(
            StageProvision(
                stage=stage,
                first_day=ranges[stage][0],
                last_day=ranges[stage][1],
                count=totals[f"count_{stage.value}"],
                exposure=exposure,
                rate=rates[stage],
                provision=provision(exposure, rates[stage]),
            )
        )
    return Provisions(
        stages=stages,
        exposure=sum((stage.exposure for stage in stages), ZERO),
        provision=sum((stage.provision for stage in stages), ZERO),
    )


# --- 5. vintages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vintage:
    month: date
    count: int
    disbursed: Decimal
    late: dict[int, Decimal]  # days -> outstanding principal of loans past due more than that
    late_percent: dict[int, Decimal]  # days -> of the amount disbursed


def vintages(*, on: date) -> list[Vintage]:
    """Per month of disbursement up to ``on``: amount lent and the share now late: one query."""
    rows = (
        Loan.objects.filter(
            disbursed_on__lte=on,
            status__in=[Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED],
        )
        .annotate(snap=FilteredRelation("snapshots", condition=Q(snapshots__on=on)))
        .values(month=TruncMonth("disbursed_on"))
        .annotate(
            count=Count("pk"),
            disbursed=Sum("amount"),
            **{
                f"late_{days}": Sum("snap__principal", filter=Q(snap__days_past_due__gt=days))
                for days in VINTAGE_DAYS
            },
        )
        .order_by("month")
    )
    vintage_list = []
    for row in rows:
        late = {days: _money(row[f"late_{days}"]) for days in VINTAGE_DAYS}
        vintage_list.append(
            Vintage(
                month=_as_date(row["month"]),
                count=row["count"],
                disbursed=row["disbursed"],
                late=late,
                late_percent={d: share_percent(a, row["disbursed"]) for d, a in late.items()},
            )
        )
    return vintage_list


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# --- 6. write-offs and recoveries -------------------------------------------------------------


@dataclass(frozen=True)
class WriteOffMonth:
    month: date
    count: int
    principal: Decimal
    amount: Decimal  # principal, interest and penalty written off
    recovered: Decimal  # paid on those loans since their write-off, up to the date

    @property
    def recovered_percent(self) -> Decimal:
        return share_percent(self.recovered, self.amount)


def write_off_months(*, on: date) -> list[WriteOffMonth]:
    """Per month of write-off up to ``on``: what was written off and recovered since: 2 queries.

    Recoveries as ``loans.selectors.write_offs`` counts them (payments not reversed, dated on
    or after the write-off), bounded by ``on`` so that a past date shows its own figures.
    """
    written = (
        WriteOff.objects.filter(on__lte=on)
        .values(month=TruncMonth("on"))
        .annotate(
            loans=Count("pk"),
            written_principal=Sum("principal"),
            written=Sum(F("principal") + F("interest") + F("penalty")),
        )
        .order_by("month")
    )
    recovered = dict(
        Payment.objects.filter(
            loan__write_off__on__lte=on,
            value_date__gte=F("loan__write_off__on"),
            value_date__lte=on,
            reversed_at__isnull=True,
        )
        .values(month=TruncMonth("loan__write_off__on"))
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("month", "total")
    )
    return [
        WriteOffMonth(
            month=_as_date(row["month"]),
            count=row["loans"],
            principal=row["written_principal"],
            amount=row["written"],
            recovered=_money(recovered.get(row["month"])),
        )
        for row in written
    ]


# --- 7. concentration -------------------------------------------------------------------------


@dataclass(frozen=True)
class BorrowerExposure:
    borrower_id: int
    name: str
    identifier: str
    loans: list[tuple[int, str]]  # (loan id, contract number)
    amount: Decimal
    percent: Decimal


@dataclass(frozen=True)
class ProductShare:
    product_id: int
    label: str
    count: int
    amount: Decimal
    percent: Decimal


@dataclass(frozen=True)
class Concentration:
    portfolio: Decimal
    top: list[BorrowerExposure]
    top_amount: Decimal
    top_percent: Decimal
    by_product: list[ProductShare]


def concentration(*, on: date, by_product: list[GroupOutstanding] | None = None) -> Concentration:
    """The largest borrowers by outstanding and their share; each product's share."""
    by_product = by_product if by_product is not None else outstanding(on=on).by_product
    portfolio = sum((group.amount for group in by_product), ZERO)
    top_rows = list(
        _snapshots(on)
        .filter(ON_BALANCE)
        .values(borrower=F("loan__borrower_id"))
        .annotate(amount=Sum(EXPOSURE))
        .order_by("-amount", "borrower")[:TOP_BORROWERS]
    )
    ids = [row["borrower"] for row in top_rows]
    applicants = Applicant.objects.in_bulk(ids)
    loans: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for borrower, loan_id, number in (
        _snapshots(on)
        .filter(ON_BALANCE, loan__borrower_id__in=ids)
        .values_list("loan__borrower_id", "loan_id", "loan__number")
        .order_by("loan__number")
    ):
        loans[borrower].append((loan_id, number))
    top = [
        BorrowerExposure(
            borrower_id=row["borrower"],
            name=applicants[row["borrower"]].name,
            identifier=applicants[row["borrower"]].iin or applicants[row["borrower"]].bin,
            loans=loans[row["borrower"]],
            amount=row["amount"],
            percent=share_percent(row["amount"], portfolio),
        )
        for row in top_rows
    ]
    top_amount = sum((borrower.amount for borrower in top), ZERO)
    return Concentration(
        portfolio=portfolio,
        top=top,
        top_amount=top_amount,
        top_percent=share_percent(top_amount, portfolio),
        by_product=[
            ProductShare(
                product_id=group.key,
                label=group.label,
                count=group.count,
                amount=group.amount,
                percent=share_percent(group.amount, portfolio),
            )
            for group in by_product
            if group.count
        ],
    )


# --- 8. PAR and buckets over time -------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    on: date
    count: int
    principal: Decimal
    par: dict[int, Decimal]  # days -> percent
    buckets: dict[Bucket, Decimal]  # bucket -> percent of the principal


def series(*, on: date, days: int = SERIES_DAYS) -> list[SeriesPoint]:
    """PAR and bucket shares for the last ``days`` closed dates up to ``on``, oldest first:
    the dates in one query, the figures of all of them in one grouped query."""
    dates = list(
        DayClose.objects.filter(business_date__lte=on)
        .order_by("-business_date")
        .values_list("business_date", flat=True)[:days]
    )
    if not dates:
        return []
    ranges = {bucket: bucket_range(bucket) for bucket in Bucket}
    rows = (
        LoanSnapshot.objects.filter(on__gte=dates[-1], on__lte=on)
        .filter(ON_BALANCE)
        .values("on")
        .annotate(
            loans=Count("pk"),
            whole=Sum("principal"),
            **{f"par_{d}": Sum("principal", filter=Q(days_past_due__gt=d)) for d in PAR_DAYS},
            **{f"bucket_{b.name}": Sum("principal", filter=_days(*ranges[b])) for b in Bucket},
        )
        .order_by("on")
    )
    points = []
    for row in rows:
        whole = _money(row["whole"])
        points.append(
            SeriesPoint(
                on=row["on"],
                count=row["loans"],
                principal=whole,
                par={d: share_percent(_money(row[f"par_{d}"]), whole) for d in PAR_DAYS},
                buckets={b: share_percent(_money(row[f"bucket_{b.name}"]), whole) for b in Bucket},
            )
        )
    return points


# --- 9. debt burden ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DebtBurdenRow:
    product_id: int | None  # None in the total row
    label: str
    month: date | None  # None in the total row
    count: int
    above_limit: int
    exempt: int  # assessed where the limit does not apply (``applies`` false)
    bands: tuple[int, int, int, int]  # ≤0.3, 0.3–0.4, 0.4–0.5, >0.5
    refused_for_limit: int

    @property
    def above_limit_percent(self) -> Decimal:
        return share_percent(Decimal(self.above_limit), Decimal(self.count))


def _band_conditions() -> list[Q]:
    low, middle, high = DEBT_BURDEN_BOUNDS
    return [
        Q(coefficient__lte=low),
        Q(coefficient__gt=low, coefficient__lte=middle),
        Q(coefficient__gt=middle, coefficient__lte=high),
        Q(coefficient__gt=high),
    ]


def debt_burden_summary(*, on: date) -> list[DebtBurdenRow]:
    """Coefficients at decision (applications approved, refused, accepted or declined, assessed
    up to ``on``) by product and month of assessment, newest first, then the total: one query.

    A refusal the limit caused: refused on the ground of insufficient solvency while the limit
    applied and the coefficient was above it.
    """
    above = Q(coefficient__gt=F("limit"))
    caused = (
        Q(
            application__stage=Stage.REFUSED,
            application__refusal_ground=RefusalGround.INSUFFICIENT_SOLVENCY,
            applies=True,
        )
        & above
    )
    bands = _band_conditions()
    rows = list(
        DebtBurdenAssessment.objects.filter(
            application__stage__in=DECIDED, computed_at__date__lte=on
        )
        .values(product=F("application__product_id"), month=TruncMonth("computed_at"))
        .annotate(
            count=Count("pk"),
            above_limit=Count("pk", filter=above),
            exempt=Count("pk", filter=Q(applies=False)),
            refused_for_limit=Count("pk", filter=caused),
            **{f"band_{n}": Count("pk", filter=band) for n, band in enumerate(bands)},
        )
        .order_by("-month", "product")
    )
    labels = _product_labels({row["product"] for row in rows})
    summary = [
        DebtBurdenRow(
            product_id=row["product"],
            label=labels.get(row["product"], ""),
            month=_as_date(row["month"]),
            count=row["count"],
            above_limit=row["above_limit"],
            exempt=row["exempt"],
            bands=tuple(row[f"band_{n}"] for n in range(len(bands))),
            refused_for_limit=row["refused_for_limit"],
        )
        for row in rows
    ]
    if summary:
        summary.append(
            DebtBurdenRow(
                product_id=None,
                label="",
                month=None,
                count=sum(row.count for row in summary),
                above_limit=sum(row.above_limit for row in summary),
                exempt=sum(row.exempt for row in summary),
                bands=tuple(sum(row.bands[n] for row in summary) for n in range(len(bands))),
                refused_for_limit=sum(row.refused_for_limit for row in summary),
            )
        )
    return summary


# --- all of them ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioFigures:
    on: date
    outstanding: Outstanding
    par: Par
    buckets: list[BucketFigure]
    provisions: Provisions
    vintages: list[Vintage]
    write_offs: list[WriteOffMonth]
    concentration: Concentration
    series: list[SeriesPoint]
    debt_burden: list[DebtBurdenRow]


def portfolio_figures(*, on: date, days: int = SERIES_DAYS) -> PortfolioFigures:
    """Every figure of the page and the export for the closed date ``on``."""
    totals = outstanding(on=on)
    return PortfolioFigures(
        on=on,
        outstanding=totals,
        par=par(on=on),
        buckets=buckets(on=on),
        provisions=provisions(on=on),
        vintages=vintages(on=on),
        write_offs=write_off_months(on=on),
        concentration=concentration(on=on, by_product=totals.by_product),
        series=series(on=on, days=days),
        debt_burden=debt_burden_summary(on=on),
    )
