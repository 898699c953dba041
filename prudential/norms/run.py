"""The norms run of a date (res. 192, DOMAIN.md §12): minimum capital, k1, k2 and k3.

The run takes own capital, assets and liabilities from the latest monthly figures on or before
its date, and the exposures from the date's loan snapshots in one aggregate query that groups
related borrowers together and returns only the largest: set-based, whatever the portfolio.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Applicant
from core.audit import acting_user, audit
from core.errors import DomainError
from core.locking import LockKey, advisory_xact_lock
from core.money import ZERO
from core.regulation import regulatory_value
from loans.models import DayClose
from prudential.alerts import alert_once
from prudential.domain.norms import Figures, Limits, k2_limit_amount, norms_verdict
from prudential.formats import day_text, kzt_text, plain_number
from prudential.models import Alert, BorrowerGroup, NormsRun
from prudential.norms.exposure import exposures_on
from prudential.norms.financials import financials_for


def limits_on(on: date) -> Limits:
    return Limits(
        min_capital=regulatory_value("min_capital", on=on),
        k1a_min=regulatory_value("k1_capital_adequacy_min", on=on),
        k2_max=regulatory_value("k2_single_borrower_max", on=on),
        k3_max=regulatory_value("k3_leverage_max", on=on),
    )


@transaction.atomic
def norms_run(*, on: date, by=None) -> NormsRun:
    """Compute minimum capital, k1, k2 and k3 on ``on`` and replace the date's run; a breach
    warns the risk managers once a day."""
    advisory_xact_lock(LockKey.NORMS_RUN)
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
            "run_by": acting_user(by),
        },
    )
    if run.breached:
        alert_once(None, Alert.Kind.NORM_BREACH, _breach_message(run), on=on)
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


def _stored(value: Decimal | None) -> Decimal | None:
    return round(value, 8) if value is not None else None


def _ratio(value: Decimal | None) -> str:
    return f"{value:.4f}" if value is not None else "—"
