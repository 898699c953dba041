"""The nightly k1 run, its warnings and the action plan's life (DOMAIN.md §11; seed 001).

The run reads the daily close's snapshots of the date in a few aggregate queries and copies
the loans in MM90 with one INSERT … SELECT: set-based, whatever the portfolio's size.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting_user, audit
from core.errors import ConflictError, DomainError
from core.locking import LockKey, advisory_xact_lock
from core.money import ZERO
from core.regulation import regulatory_value
from core.roles import BROWSER_ROLES, has_role
from core.selectors import business_calendar
from loans.ledger.close import close_lock_shared
from loans.models import DayClose, LoanSnapshot
from prudential.alerts import alert_once
from prudential.domain.deadlines import (
    is_reporting_date,
    plan_deadlines,
    reply_by,
    return_notice_by,
)
from prudential.domain.k1 import OVERDUE_DAYS, share_of, warning_level
from prudential.formats import day_text, kzt_text, plain_number
from prudential.models import (
    ActionPlan,
    Alert,
    K1Loan,
    K1Run,
    Measure,
    PlanNote,
    ReturnNotice,
    RiskSettings,
)

WARNED_FROM_DAYS = 61  # "loans now 61–90 days overdue" (issue 8)
READING = (
    "MM90 counts the whole outstanding principal and accrued interest (due and not yet due) "
    "of each loan more than 90 days overdue, written-off loans included, before provisions; "
    "LP the same of every loan open on the date (DOMAIN.md §11)."
)


def risk_settings() -> RiskSettings:
    return RiskSettings.objects.order_by("pk").first() or RiskSettings()


def k1_run_start(*, on: date, by=None) -> K1Run:
    """Mark the date's run as computing, committed at once, so pages can show progress."""
    if not DayClose.objects.filter(business_date=on).exists():
        raise DomainError(
            _("%(date)s is not closed yet; the k1 run reads the daily close.")
            % {"date": on.isoformat()},
            field="on",
            code="day_not_closed",
        )
    run, _created = K1Run.objects.update_or_create(
        on=on,
        defaults={"status": K1Run.Status.RUNNING, "run_by": acting_user(by), "finished_at": None},
    )
    return run


def k1_run(*, on: date, by=None) -> K1Run:
    """Compute k1's overdue-90 share for ``on`` and replace the date's figures; warn, open the
    action plan after a breach on a reporting date, draft the notice when back within it.

    Outside a transaction the "computing" mark commits first, so a page can show progress."""
    run = k1_run_start(on=on, by=by)
    try:
        with transaction.atomic():
            return _compute(run, on, by)
    except Exception:
        # never left "computing" for ever: the page stops waiting and says it failed
        K1Run.objects.filter(pk=run.pk).update(
            status=K1Run.Status.FAILED, finished_at=timezone.now()
        )
        raise


def _compute(run: K1Run, on: date, by) -> K1Run:
    advisory_xact_lock(LockKey.PRUDENTIAL_RUN)
    close_lock_shared()  # the figures and the MM90 list from the same state of the close
    run = K1Run.objects.select_for_update().get(pk=run.pk)
    settings = risk_settings()
    exposure = F("principal") + F("interest") + F("accrued_interest")
    figures = LoanSnapshot.objects.filter(on=on).aggregate(
        portfolio=Sum(exposure),
        mm90=Sum(exposure, filter=Q(days_past_due__gt=OVERDUE_DAYS)),
        soon=Sum(
            exposure,
            filter=Q(days_past_due__gte=WARNED_FROM_DAYS, days_past_due__lte=OVERDUE_DAYS),
        ),
        loans=Count("pk"),
        over_90=Count("pk", filter=Q(days_past_due__gt=OVERDUE_DAYS)),
    )
    portfolio = figures["portfolio"] or ZERO
    mm90, soon = figures["mm90"] or ZERO, figures["soon"] or ZERO
    limit = regulatory_value("k1_overdue90_limit", on=on)
    run.official = is_reporting_date(on, settings.reporting_day)
    run.portfolio, run.mm90, run.exposure_61_90 = portfolio, mm90, soon
    run.share = round(share_of(mm90, portfolio), 8)
    run.share_if_61_90_cross = round(share_of(mm90 + soon, portfolio), 8)
    run.limit = limit
    run.breached = share_of(mm90, portfolio) > limit  # "does not exceed": equal complies
    run.loans, run.loans_over_90 = figures["loans"], figures["over_90"]
    run.reading = READING
    run.status, run.finished_at, run.run_by = K1Run.Status.DONE, timezone.now(), acting_user(by)
    run.save()
    _copy_mm90_loans(run)
    _warn(run, settings)
    audit(run, "prudential.k1_run", by=by, data={"on": on.isoformat(), "share": str(run.share)})
    return run


def _copy_mm90_loans(run: K1Run) -> None:
    """The loans behind MM90, copied by the database in one ``INSERT … SELECT`` (a re-run
    replaces them): at a million loans, no row passes through Python."""
    K1Loan.objects.filter(run=run).delete()
    # Only annotations, in the table's column order: the SELECT lists them as annotated.
    rows = (
        LoanSnapshot.objects.filter(on=run.on, days_past_due__gt=OVERDUE_DAYS)
        .annotate(
            mm90_run=Value(run.pk),
            mm90_loan=F("loan_id"),
            mm90_principal=F("principal"),
            mm90_interest=F("interest") + F("accrued_interest"),
            mm90_days=F("days_past_due"),
            mm90_written_off=Case(
                When(loan__written_off_on__lte=run.on, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list(*MM90_COLUMNS.values())
        .order_by()
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(K1Loan._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in MM90_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)


# K1Loan's columns and the annotations that fill them.
MM90_COLUMNS = {
    "run_id": "mm90_run",
    "loan_id": "mm90_loan",
    "principal": "mm90_principal",
    "interest": "mm90_interest",
    "days_past_due": "mm90_days",
    "written_off": "mm90_written_off",
}


def _warn(run: K1Run, settings: RiskSettings) -> None:
    share = f"{run.share:.2f}"
    if run.share >= warning_level(run.limit, settings.warning_share):
        alert_once(
            run,
            Alert.Kind.THRESHOLD,
            _("k1 on %(date)s: the overdue-90 share is %(share)s %%, the limit %(limit)s %%.")
            % {"date": day_text(run.on), "share": share, "limit": plain_number(run.limit)},
        )
    if not run.breached and run.share_if_61_90_cross > run.limit:
        alert_once(
            run,
            Alert.Kind.WOULD_BREACH,
            _(
                "k1 on %(date)s: if the loans now 61–90 days overdue cross 90 days unpaid, the "
                "share becomes %(share)s %%, above the limit of %(limit)s %%."
            )
            % {
                "date": day_text(run.on),
                "share": f"{run.share_if_61_90_cross:.2f}",
                "limit": plain_number(run.limit),
            },
        )
    if not run.official:
        return
    # A re-run that changed the verdict takes back what the first one drafted, unless it
    # already went to the regulator.
    if run.breached:
        ReturnNotice.objects.filter(run=run, sent_on__isnull=True).delete()
        _open_action_plan(run)
    else:
        ActionPlan.objects.filter(run=run, status=ActionPlan.Status.DRAFT).delete()
        if _previous_official_breached(run.on):
            _draft_return_notice(run)


def _open_action_plan(run: K1Run) -> ActionPlan:
    calendar = business_calendar(years=range(run.on.year, run.on.year + 2))
    deadlines = plan_deadlines(
        run.on,
        calendar,
        submit_days=int(regulatory_value("action_plan_submit_days", on=run.on)),
        approval_days=int(regulatory_value("action_plan_approval_days", on=run.on)),
        min_months=int(regulatory_value("action_plan_min_months", on=run.on)),
    )
    plan, _created = ActionPlan.objects.get_or_create(
        run=run,
        defaults={
            "reporting_date": run.on,
            "submit_by": deadlines.submit_by,
            "approve_by": deadlines.approve_by,
            "period_from": deadlines.period_from,
            "period_to": deadlines.period_to_at_least,
        },
    )
    alert_once(
        run,
        Alert.Kind.BREACH,
        _(
            "k1 is breached on the reporting date %(date)s: %(share)s %% against %(limit)s %%. "
            "The action plan is due at the regulator by %(submit_by)s and must be approved by "
            "%(approve_by)s."
        )
        % {
            "date": day_text(run.on),
            "share": f"{run.share:.2f}",
            "limit": plain_number(run.limit),
            "submit_by": day_text(plan.submit_by),
            "approve_by": day_text(plan.approve_by),
        },
    )
    return plan


def _previous_official_breached(on: date) -> bool:
    previous = K1Run.objects.filter(official=True, on__lt=on, status=K1Run.Status.DONE)
    latest = previous.order_by("-on").first()
    return bool(latest and latest.breached)


def _draft_return_notice(run: K1Run) -> ReturnNotice:
    due_by = return_notice_by(
        run.on, notice_days=int(regulatory_value("return_notice_days", on=run.on))
    )
    text = _(
        "On the reporting date %(date)s the share of microcredits overdue more than 90 days in "
        "the loan portfolio is %(share)s %%, within the limit of %(limit)s %% (MM90 %(mm90)s KZT, "
        "loan portfolio %(portfolio)s KZT)."
    ) % {
        "date": day_text(run.on),
        "share": f"{run.share:.2f}",
        "limit": plain_number(run.limit),
        "mm90": kzt_text(run.mm90),
        "portfolio": kzt_text(run.portfolio),
    }
    notice, _created = ReturnNotice.objects.get_or_create(
        run=run, defaults={"reporting_date": run.on, "due_by": due_by, "text": text}
    )
    alert_once(
        run,
        Alert.Kind.BACK_UNDER,
        _("k1 is back within the limit on %(date)s; the notice to the regulator is due by %(by)s.")
        % {"date": day_text(run.on), "by": day_text(notice.due_by)},
    )
    return notice


def deadlines_check(*, today: date) -> int:
    """Flag the action-plan deadlines missed by ``today`` (nightly); each one once."""
    flagged = 0
    late = [
        (plan, plan.submit_by, _("submission"))
        for plan in ActionPlan.objects.filter(
            status__in=[ActionPlan.Status.DRAFT, ActionPlan.Status.REMARKS],
            submitted_on__isnull=True,
            submit_by__lt=today,
        )
    ]
    late += [
        (plan, plan.approve_by, _("approval"))
        for plan in ActionPlan.objects.exclude(status=ActionPlan.Status.APPROVED).filter(
            approve_by__lt=today
        )
    ]
    for notice in ReturnNotice.objects.filter(sent_on__isnull=True, due_by__lt=today):
        flagged += alert_once(
            notice.run,
            Alert.Kind.DEADLINE_MISSED,
            _("The notice that k1 is back within the limit on %(date)s was due by %(due)s.")
            % {"date": day_text(notice.reporting_date), "due": day_text(notice.due_by)},
            on=notice.due_by,
        )
    for plan, deadline, what in late:
        flagged += alert_once(
            plan.run,
            Alert.Kind.DEADLINE_MISSED,
            _("The k1 action plan of %(date)s missed its %(what)s deadline of %(deadline)s.")
            % {"date": day_text(plan.reporting_date), "what": what, "deadline": day_text(deadline)},
            on=deadline,
            plan=plan,
        )
    return flagged


# --- the plan's life --------------------------------------------------------------------------


def _lock_plan(plan_id: int, *states: str) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().get(pk=plan_id)
    if states and plan.status not in states:
        raise ConflictError(
            _("The plan is %(status)s; this step is not open.")
            % {"status": plan.get_status_display()},
            field="plan",
            code="wrong_state",
        )
    return plan


@transaction.atomic
def measure_add(*, plan_id: int, what: str, how: str, deadline: date, responsible_id: int, by):
    """A measure with its order, deadline and the one manager responsible for it."""
    plan = _lock_plan(plan_id, ActionPlan.Status.DRAFT, ActionPlan.Status.REMARKS)
    for field, value in (("what", what), ("how", how)):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field, code="required")
    if deadline is None or not plan.period_from <= deadline <= plan.period_to:
        raise DomainError(
            _("The deadline must fall within the plan's period, %(start)s to %(end)s.")
            % {"start": day_text(plan.period_from), "end": day_text(plan.period_to)},
            field="deadline",
            code="outside_period",
        )
    responsible = get_user_model().objects.filter(pk=responsible_id, is_active=True).first()
    if responsible is None or not has_role(responsible, BROWSER_ROLES):  # a person, not a system
        raise DomainError(
            _("Choose the manager responsible."), field="responsible", code="required"
        )
    measure = Measure.objects.create(
        plan=plan, what=what.strip(), how=how.strip(), deadline=deadline, responsible=responsible
    )
    audit(plan, "prudential.measure_added", by=by, data={"measure": measure.pk})
    return measure


@transaction.atomic
def plan_period_set(*, plan_id: int, period_to: date, by) -> ActionPlan:
    plan = _lock_plan(plan_id, ActionPlan.Status.DRAFT, ActionPlan.Status.REMARKS)
    minimum = plan_deadlines(
        plan.reporting_date,
        business_calendar(years=range(plan.reporting_date.year, plan.reporting_date.year + 2)),
        min_months=int(regulatory_value("action_plan_min_months", on=plan.reporting_date)),
    ).period_to_at_least
    if period_to is None or period_to < minimum:
        raise DomainError(
            _("The plan covers at least three months: to %(date)s or later.")
            % {"date": day_text(minimum)},
            field="period_to",
            code="period_too_short",
        )
    latest = plan.measures.order_by("-deadline").values_list("deadline", flat=True).first()
    if latest is not None and period_to < latest:
        raise DomainError(
            _("A measure is due on %(date)s; the plan cannot end before it.")
            % {"date": day_text(latest)},
            field="period_to",
            code="measure_after_period",
        )
    plan.period_to = period_to
    plan.save(update_fields=["period_to"])
    audit(plan, "prudential.plan_period_set", by=by, data={"to": period_to.isoformat()})
    return plan


@transaction.atomic
def plan_submit(*, plan_id: int, on: date, by) -> ActionPlan:
    """To the regulator: with at least one measure; its answer is due in 3 business days."""
    plan = _lock_plan(plan_id, ActionPlan.Status.DRAFT, ActionPlan.Status.REMARKS)
    if not plan.measures.exists():
        raise DomainError(
            _("Add the plan's measures before submitting it."), field="measures", code="required"
        )
    if on is None or on < plan.reporting_date:
        raise DomainError(_("Give the date it was sent."), field="on", code="invalid")
    _check_after(on, plan.reporting_date, field="on")
    plan.status, plan.submitted_on = ActionPlan.Status.SUBMITTED, on
    plan.reply_by = reply_by(
        on,
        business_calendar(years=range(on.year, on.year + 2)),
        reply_days=int(regulatory_value("action_plan_reply_days", on=on)),
    )
    plan.save(update_fields=["status", "submitted_on", "reply_by"])
    audit(plan, "prudential.plan_submitted", by=by, data={"on": on.isoformat()})
    return plan


@transaction.atomic
def plan_note_add(*, plan_id: int, kind: str, on: date, text: str, by) -> PlanNote:
    """The regulator's remarks (the plan goes back for rework) or the MFO's objection."""
    if kind == PlanNote.Kind.REMARK:
        plan = _lock_plan(plan_id, ActionPlan.Status.SUBMITTED)
    elif kind == PlanNote.Kind.OBJECTION:
        plan = _lock_plan(plan_id, ActionPlan.Status.REMARKS)
    else:
        raise DomainError(_("A remark or an objection."), field="kind", code="invalid")
    if not (text or "").strip():
        raise DomainError(_("This field is required."), field="text", code="required")
    _check_after(on, plan.submitted_on, field="on")
    note = PlanNote.objects.create(plan=plan, kind=kind, on=on, text=text.strip(), recorded_by=by)
    if kind == PlanNote.Kind.REMARK:
        plan.status = ActionPlan.Status.REMARKS
        plan.save(update_fields=["status"])
    audit(plan, f"prudential.plan_{kind}", by=by, data={"note": note.pk})
    return note


@transaction.atomic
def plan_approve(*, plan_id: int, on: date, by) -> ActionPlan:
    """The regulator approved the plan in writing."""
    plan = _lock_plan(plan_id, ActionPlan.Status.SUBMITTED)
    _check_after(on, plan.submitted_on, field="on")
    plan.status, plan.approved_on = ActionPlan.Status.APPROVED, on
    plan.save(update_fields=["status", "approved_on"])
    audit(plan, "prudential.plan_approved", by=by, data={"on": on.isoformat()})
    return plan


@transaction.atomic
def return_notice_send(*, notice_id: int, on: date, by) -> ReturnNotice:
    notice = ReturnNotice.objects.select_for_update().get(pk=notice_id)
    if notice.sent_on is not None:
        raise ConflictError(_("The notice was already sent."), field="notice", code="sent")
    _check_after(on, notice.reporting_date, field="on")
    notice.sent_on, notice.sent_by = on, by
    notice.save(update_fields=["sent_on", "sent_by"])
    audit(notice, "prudential.return_notice_sent", by=by, data={"on": on.isoformat()})
    return notice


def _check_after(on: date | None, earliest: date | None, *, field: str) -> None:
    if on is None:
        raise DomainError(_("Give the date."), field=field, code="required")
    if on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field=field, code="future_date")
    if earliest is not None and on < earliest:
        raise DomainError(
            _("The date cannot precede %(date)s.") % {"date": day_text(earliest)},
            field=field,
            code="too_early",
        )


@transaction.atomic
def alert_acknowledge(*, alert_id: int, by) -> Alert:
    """Seen by a risk manager; only the first acknowledgement counts."""
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit(alert, "prudential.alert_acknowledged", by=by)
    return alert


@transaction.atomic
def risk_settings_update(*, values: dict, by) -> RiskSettings:
    """The one settings row (created on the first save); what changed is in the audit trail."""
    current = RiskSettings.objects.select_for_update().order_by("pk").first() or RiskSettings()

    def shown(value) -> str:
        return f"{value:.2f}" if isinstance(value, Decimal) else str(value)

    changed = {
        name: [shown(getattr(current, name)), shown(value)]
        for name, value in values.items()
        if getattr(current, name) != value
    }
    for name, value in values.items():
        setattr(current, name, value)
    current.updated_by = acting_user(by)
    current.save()
    audit(current, "prudential.risk_settings_changed", by=by, data=changed)
    return current
