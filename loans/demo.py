"""Demo loans at each servicing state, made through the real services and the nightly close.

A draft contract, one signed and waiting for the money, one paid on time, one 45 days late
(early repayment demanded, and the borrower's request for new terms waiting for the
committee), one with money held for the next instalment, one partly prepaid (its schedule
rebuilt), one repaid and closed, one over 90 days late and written off. Dates count back from
today, so the demo never goes stale; the events (about 140 days of them, seconds on SQLite)
are posted in date order with the close run up to the day before each, as the nights would
have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import committee
from applications import services as applications
from applications.models import Applicant, ApplicantKind, Conclusion, Stage
from core.identifiers import check_digit
from lending.domain.dates import add_months
from lending.models import Product
from loans import services
from loans.models import Loan, PayoutSource
from loans.selectors import current_installments

ONE_DAY = timedelta(days=1)
PRODUCT = "almaty-unsecured"
PAYEE_ACCOUNT = "KZ86125KZT5004100100"


@dataclass(frozen=True)
class Story:
    """One demo borrower and where their loan is today."""

    key: str
    name: str
    born: str  # YYMMDD, for a valid IIN
    amount: str
    term: int


STORIES = [
    Story("draft", "ИП Жұмабаев Асқар", "880214", "800000", 12),
    Story("signed", "ИП Омарова Айжан", "910523", "1200000", 12),
    Story("on_time", "ИП Сарсенов Бекзат", "850907", "1000000", 12),
    Story("late", "ИП Ким Виктор", "790330", "1500000", 12),
    Story("held", "ИП Нурланова Дана", "930118", "600000", 6),
    Story("repaid", "ИП Тулегенов Ерлан", "870611", "300000", 2),
    Story("prepaid", "ИП Абенова Салтанат", "900704", "1800000", 12),
    Story("written_off", "ИП Ли Сергей", "820915", "700000", 12),
]


def demo_iin(born: str) -> str:
    """The first valid IIN of a man born on ``born`` in the 1900s (7th digit 3)."""
    for serial in range(10_000):
        first = f"{born}3{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise ValueError(born)


def _day_of_month_at_most_28(day: date) -> date:
    """A date whose day exists in every month, so that monthly due dates keep it."""
    return day - timedelta(days=max(0, day.day - 28))


def seed_loans(*, credit_admin, accountant, committee_members) -> list[Loan]:
    """The demo loans; nothing if there are loans already (running it twice adds nothing).

    Not one transaction: each service commits its step in its own durable one (STYLE.md)."""
    if Loan.objects.exists():
        return list(Loan.objects.order_by("pk"))
    today = timezone.localdate()
    yesterday = today - ONE_DAY
    # the late borrower misses the first instalment, due 45 (to 48) days before yesterday
    missed = _day_of_month_at_most_28(yesterday - timedelta(days=45))
    disbursed = {
        "on_time": _day_of_month_at_most_28(today - timedelta(days=75)),
        "late": add_months(missed, -1),
        "held": _day_of_month_at_most_28(today - timedelta(days=40)),
        "repaid": _day_of_month_at_most_28(today - timedelta(days=75)),
        "prepaid": _day_of_month_at_most_28(today - timedelta(days=75)),
        # never pays: its first instalment is 100 to 103 days late when written off yesterday
        "written_off": add_months(_day_of_month_at_most_28(yesterday - timedelta(days=100)), -1),
    }
    demo = Demo(credit_admin, accountant, committee_members)
    loans = {}
    for story in STORIES:
        contract_date = disbursed.get(story.key, today) - 2 * ONE_DAY
        paid_out = disbursed.get(story.key, today + 7 * ONE_DAY)
        amount = Decimal(story.amount)
        application = demo.accepted_application(story, amount, decided_on=contract_date - ONE_DAY)
        loans[story.key] = services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=paid_out,
            contract_date=contract_date,
            payout_account=PAYEE_ACCOUNT,
            payout_account_source=PayoutSource.BORROWER_FILE,
            by=credit_admin,
        )
    for key in ("signed", *disbursed):
        signed_on = disbursed.get(key, today) - ONE_DAY
        services.contract_sign(loan_id=loans[key].pk, signed_on=signed_on, by=credit_admin)

    events = [(on, demo.disburse, loans[key]) for key, on in disbursed.items()]
    events += demo.instalments_paid(loans["on_time"], until=yesterday)
    events += demo.instalments_paid(loans["held"], until=yesterday, extra=Decimal("30000"))
    events += demo.instalments_paid(loans["repaid"], until=yesterday)  # the last one closes it
    events += demo.instalments_paid(loans["prepaid"], until=yesterday - 5 * ONE_DAY)
    events += [
        (yesterday - 4 * ONE_DAY, demo.prepay, loans["prepaid"]),
        (yesterday, demo.demand_and_request, loans["late"]),
        (yesterday, demo.write_off, loans["written_off"]),
    ]
    for on, action, loan in sorted(events, key=lambda event: event[0]):  # stable: in list order
        services.close_through(through=on - ONE_DAY)
        action(loan, on)
    services.close_through(through=yesterday)
    return [loans[story.key] for story in STORIES]


class Demo:
    def __init__(self, credit_admin, accountant, committee_members):
        self.credit_admin, self.accountant = credit_admin, accountant
        self.members = committee_members
        self.product = Product.objects.get(code=PRODUCT)

    def accepted_application(self, story: Story, amount: Decimal, *, decided_on: date):
        """An application taken through the checks and the committee, its terms accepted."""
        by = self.credit_admin
        applicant = Applicant.objects.filter(iin=demo_iin(story.born)).first()
        applicant = applicant or applications.applicant_create(
            data={
                "kind": ApplicantKind.ENTREPRENEUR,
                "iin": demo_iin(story.born),
                "name": story.name,
                "region": "almaty_city",
                "phone": "+7 701 000 00 00",
                "monthly_income": Decimal("1500000"),
                "existing_monthly_payments": Decimal("50000"),
                "activity": "Торговля",
                "activity_code": "47.11",
            },
            by=by,
        )
        application = applications.application_create(
            applicant_id=applicant.pk,
            product_id=self.product.pk,
            purpose="working_capital",
            amount=amount,
            term_months=story.term,
            rate=self.product.min_rate,
            method="annuity",
            repayment_sources="Выручка от торговли",
            by=by,
        )
        for stage in (Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS):
            applications.application_advance(application_id=application.pk, to=stage, by=by)
        for document in application.documents.all():
            applications.document_receive(
                application_id=application.pk,
                document_type=document.document_type,
                upload=SimpleUploadedFile(
                    "scan.pdf", b"%PDF-1.4 demo scan", content_type="application/pdf"
                ),
                by=by,
            )
        applications.application_advance(application_id=application.pk, to=Stage.ASSESSMENT, by=by)
        applications.debt_burden_assess(application_id=application.pk, by=by)
        applications.conclusion_record(
            application_id=application.pk,
            kind=Conclusion.Kind.CREDIT,
            recommendation=Conclusion.Recommendation.POSITIVE,
            text="Платёжеспособность подтверждена.",
            by=by,
        )
        applications.application_advance(application_id=application.pk, to=Stage.COMMITTEE, by=by)
        chair = self.members[0]
        meeting = committee.meeting_create(
            held_on=decided_on, member_ids=[m.pk for m in self.members], by=chair
        )
        item = committee.agenda_add(meeting_id=meeting.pk, application_id=application.pk, by=chair)
        for member in self.members:
            committee.vote_cast(item_id=item.pk, choice="for", comment="", by=member)
        committee.item_decide(item_id=item.pk, by=chair)
        committee.meeting_close(meeting_id=meeting.pk, by=chair)
        return applications.application_record_answer(
            application_id=application.pk, accepted=True, by=by
        )

    def disburse(self, loan: Loan, on: date) -> None:
        services.loan_disburse(
            loan_id=loan.pk,
            on=on,
            channel=Loan.Channel.ACCOUNT,  # to the contract's account
            by=self.accountant,
            today=on,
        )

    def prepay(self, loan: Loan, on: date) -> None:
        services.prepayment_post(
            loan_id=loan.pk,
            amount=Decimal("600000"),
            on=on,
            mode="shorten_term",
            channel="bank_transfer",
            applied_on=on - 2 * ONE_DAY,
            application_number="PP-1",
            by=self.accountant,
            today=on,
        )

    def demand_and_request(self, loan: Loan, on: date) -> None:
        services.demand_acceleration(loan_id=loan.pk, on=on, by=self.credit_admin, today=on)
        services.restructuring_request(
            loan_id=loan.pk,
            requested_on=on,
            reason="Выручка упала после закрытия рынка на ремонт; прошу отсрочку по долгу.",
            term_months=18,
            grace_months=3,
            by=self.credit_admin,
            today=on,
        )

    def write_off(self, loan: Loan, on: date) -> None:
        services.loan_write_off(
            loan_id=loan.pk,
            on=on,
            decision_number="ПР-12",
            decided_on=on,
            decided_by_body="Правление",
            reason="Более 90 дней просрочки, заёмщик не выходит на связь.",
            by=self.accountant,
            today=on,
        )

    def instalments_paid(self, loan: Loan, *, until: date, extra: Decimal | None = None):
        """Payment events on each due date up to ``until``: the instalment (plus ``extra``).

        The schedule is the one disbursement will fix: contracts here are paid out on their
        planned date, so the draft schedule's dates and amounts are the same.
        """
        lines = current_installments(loan).filter(due_date__lte=until)
        return [(line.due_date, self._payer(line.total + (extra or 0)), loan) for line in lines]

    def _payer(self, amount: Decimal):
        def pay(loan: Loan, on: date) -> None:
            services.payment_post(
                loan_id=loan.pk,
                amount=amount,
                value_date=on,
                channel="bank_transfer",
                payer=loan.borrower.name,
                by=self.accountant,
                today=on,
            )

        return pay
