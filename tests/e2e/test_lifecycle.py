"""The whole life of a secured loan, walked in a real browser, in Russian and in Kazakh.

Headless Debian Chromium (``/usr/bin/chromium``) driven by Playwright against pytest-django's
live server: a credit administrator registers the applicant, the application and its collateral;
the credit committee approves it in a meeting; the contract PDF is drawn and signed, the pledge
registered; the accountant disburses; payments come in (one late) while the nightly close runs;
a partial prepayment rebuilds the schedule; the payoff closes the loan and the collateral is
released; the risk manager runs k1 and reads the dashboard. Every page is a user's page, logged
in through the login page, in the language chosen with the header's switch.

The clock is moved with time-machine (the live server is a thread of this process, so it sees
the same clock); the nightly close is run the way the night runs it (``close_day_task``).

Run it alone (a minute or two for both languages)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mfo \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\
    .venv/bin/pytest tests/e2e -q -p no:cacheprovider

    # one language: add -k kk (or -k ru)

It needs the compiled translations (``make test`` compiles them) and Chromium at
/usr/bin/chromium (missing, the test fails). A full-page screenshot of every page visited is
saved to ``$E2E_ARTIFACTS/<lang>/NN-<step>.png`` (default ``test-artifacts/e2e/`` in the repo,
which git ignores), 1280 pixels wide.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from applications.demo import seed_required_documents
from applications.models import Application, ApplicationDocument, Conclusion, Decision, Stage
from collateral.models import CollateralItem
from core.roles import Role
from lending.models import Product
from loans.models import Loan, LoanSnapshot
from loans.selectors import current_installments
from loans.tasks import close_day_task
from shell.demo import seed_products

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
PASSWORD = "e2e-Secret-123"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000

# The calendar of the walk: business days, away from the Kazakh public holidays.
DISBURSED = date(2026, 2, 10)  # Tuesday: application, committee, contract, disbursement
FIRST_DUE = date(2026, 3, 10)  # Tuesday: the first instalment, paid on the day
SECOND_DUE = date(2026, 4, 10)  # Friday: the second instalment ...
LATE_PAYMENT = date(2026, 4, 15)  # ... paid on Wednesday, five days late
PREPAYMENT = date(2026, 4, 20)  # Monday: a partial prepayment, shorter term
PAYOFF = date(2026, 4, 27)  # Monday: the rest is paid off and the loan closes
K1_DATE = date(2026, 4, 14)  # the risk manager's k1 run: the loan is late on that day

AMOUNT = Decimal("1000000")
TERM_MONTHS = 12
RATE = Decimal("6")
MARKET_VALUE = Decimal("2000000")  # a vehicle: liquidity coefficient 0.6
PLEDGE_VALUE = Decimal("1200000")
PREPAID = Decimal("300000")

RAW_EVENT = re.compile(r"\b(application|collateral|committee|loan)\.[a-z_]+\b")

IIN = "900101300017"  # valid control digit; born 1990-01-01
BORROWER = "ИП Сейтқали Нұрлан"

PEOPLE = {
    "officer": ("Айгүл", "Сейітова", (Role.CREDIT_ADMINISTRATOR, Role.COMMITTEE_MEMBER)),
    "member1": ("Ерлан", "Жақсыбеков", (Role.COMMITTEE_MEMBER,)),
    "member2": ("Мәдина", "Қасымова", (Role.COMMITTEE_MEMBER,)),
    "member3": ("Олег", "Петренко", (Role.COMMITTEE_MEMBER,)),
    "accountant": ("Динара", "Омарова", (Role.ACCOUNTANT,)),
    "risk": ("Светлана", "Ким", (Role.RISK_MANAGER,)),
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ALMATY)


def digits(text: str) -> str:
    """The figures of an amount as the page prints it, whatever the locale's separators."""
    return re.sub(r"\D", "", text)


def money(value: Decimal) -> str:
    """``digits`` of an amount printed with two decimals."""
    return digits(f"{value:.2f}")


@dataclass
class Walk:
    """One language's walk: the page, the screenshots, the users and the words of the pages."""

    page: Page
    lang: str
    base_url: str
    shots: Path
    step: int = 0
    user: str | None = None
    taken: list[str] = field(default_factory=list)

    # --- words -------------------------------------------------------------------------------

    def t(self, message: str, **values) -> str:
        """``message`` as the pages print it in the walk's language; the catalogue must have
        it, or the test would accept an untranslated page."""
        with translation.override(self.lang):
            text = gettext(message)
        assert text != message, f"not translated into {self.lang}: {message!r}"
        return text % values if values else text

    def label(self, choice) -> str:
        with translation.override(self.lang):
            text = str(choice.label)
        assert text != str(choice.label), f"not translated into {self.lang}: {choice.label!r}"
        return text

    # --- pages -------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.arrived(self.page.goto(self.url(path)))

    def submit(self, button) -> None:
        """Click a submit button (or a link) and wait for the page it leads to."""
        with self.page.expect_navigation() as navigation:
            button.click()
        self.arrived(navigation.value)

    def arrived(self, response) -> None:
        """Every page the walk sees: no error (a refused form is a 400) and in its language."""
        assert response is not None, "no page"
        assert response.status < 400, f"{response.status} {response.url}"
        assert self.page.evaluate("document.documentElement.lang") == self.lang, self.page.url

    def shot(self, name: str) -> None:
        self.step += 1
        path = self.shots / f"{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path.name)

    def message(self, text: str) -> None:
        expect(self.page.locator("ul.messages")).to_contain_text(text)

    # --- people ------------------------------------------------------------------------------

    def login(self, username: str) -> None:
        """Log out whoever is at the desk and log in through the login page."""
        if self.user is not None:
            logout = self.page.locator("header form[action$='/accounts/logout/'] button")
            if logout.count():
                self.submit(logout)  # lands on the login page
        if not self.page.url.startswith(self.url("/accounts/login/")):
            self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.submit(self.page.locator("main form button[type=submit]"))
        expect(self.page.locator("header .who")).to_be_visible()
        self.user = username


def _people(django_user_model) -> dict:
    users = {}
    for username, (first, last, roles) in PEOPLE.items():
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last
        )
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        users[username] = user
    return users


@pytest.fixture
def walk_setup(reference_data, eager_tasks, django_user_model, live_server):
    seed_products()
    seed_required_documents()
    return _people(django_user_model), live_server.url


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_life_of_a_secured_loan_in_the_browser(lang, browser, artifacts_dir, walk_setup):
    users, base_url = walk_setup
    shots = artifacts_dir / lang
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    # the office's browsers ask for Russian; the user picks the page language in the header
    context = browser.new_context(viewport=VIEWPORT, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    walk = Walk(page=page, lang=lang, base_url=base_url, shots=shots)
    try:
        with time_machine.travel(at(DISBURSED, 9), tick=True) as clock:
            _switch_language(walk)
            application = _register_application(walk)
            _committee_approves(walk, application, users)
            loan = _contract_and_pledge(walk, application)
            _disburse(walk, loan)
            _repayments_and_daily_close(walk, loan, clock)
            _partial_prepayment(walk, loan, clock)
            _payoff_and_release(walk, loan, clock)
            _risk_dashboard(walk, loan, clock)
    except Exception:
        walk.shot("FAILED")  # the page as it was when the walk stopped
        raise
    finally:
        context.close()
    assert len(walk.taken) >= 30, walk.taken


# --- 0. the language --------------------------------------------------------------------------


def _switch_language(walk: Walk) -> None:
    """The login page comes in Russian (the default); the header's switch changes it."""
    walk.page.goto(walk.url("/accounts/login/"))
    expect(walk.page.locator("html")).to_have_attribute("lang", "ru")
    walk.submit(walk.page.get_by_role("button", name=walk.lang.upper(), exact=True))
    expect(walk.page.locator("h1")).to_have_text(walk.t("Log in"))
    walk.shot("login")


# --- 1. the credit administrator: applicant, application, collateral, package -----------------


def _register_application(walk: Walk) -> Application:
    page = walk.page
    walk.login("officer")
    walk.shot("home-credit-administrator")

    walk.goto("/applications/applicants/new/")
    page.select_option("select[name=kind]", "individual_entrepreneur")
    page.fill("input[name=iin]", IIN)
    page.fill("input[name=name]", BORROWER)
    page.fill("input[name=phone]", "+7 701 123 45 67")
    page.fill("input[name=legal_address]", "Алматы, Абай даңғылы, 10")
    page.select_option("select[name=region]", "almaty_city")
    page.fill("input[name=activity]", "Азық-түлік дүкені")
    page.fill("input[name=activity_code]", "47.11")
    page.fill("input[name=monthly_income]", "900000")
    page.fill("input[name=existing_monthly_payments]", "50000")
    walk.shot("applicant-form")
    walk.submit(page.locator("main form button[type=submit]"))
    walk.message(walk.t("The applicant is registered."))
    expect(page.locator("h1")).to_contain_text(BORROWER)
    walk.shot("applicant")

    walk.submit(page.locator("a.button[href*='/applications/new/?applicant=']"))
    secured = Product.objects.get(code="almaty-secured")
    page.select_option("select[name=product]", str(secured.pk))
    page.select_option("select[name=purpose]", "working_capital")
    page.fill("input[name=amount]", str(AMOUNT))
    page.fill("input[name=term_months]", str(TERM_MONTHS))
    page.fill("input[name=rate]", str(RATE))
    page.select_option("select[name=method]", "annuity")
    page.fill("textarea[name=repayment_sources]", "Выручка магазина / Дүкен түсімі")
    page.fill("textarea[name=collateral_offered]", "Toyota Hilux 2024, 2 000 000 KZT")
    walk.shot("application-form")
    walk.submit(page.locator("main form button[type=submit]"))
    application = Application.objects.get()
    walk.message(walk.t("Application %(number)s is registered.", number=application.number))
    _expect_stage(walk, Stage.CONSULTATION)
    walk.shot("application-registered")

    for stage in ("prequalification", "application", "documents"):
        _advance(walk, stage)
    expect(page.locator("[data-provisional]")).to_be_visible()

    # the checklist: the first document is a scan, the others were received on paper
    documents = list(application.documents.values_list("document_type", flat=True))
    assert documents, "the secured product has a checklist"
    for number, document in enumerate(documents):
        row = page.locator(f"tr[data-document='{document}']")
        if number == 0:
            row.locator("input[type=file]").set_input_files(
                files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
            )
        walk.submit(row.locator("form.upload button[type=submit]"))
        walk.message(walk.t("The document is received."))
    received = ApplicationDocument.Status.RECEIVED
    assert not application.documents.exclude(status=received).exists()
    expect(page.locator(f"#documents tr[data-status='{received}']")).to_have_count(len(documents))
    walk.shot("documents-received")

    _advance(walk, "collateral_appraisal")
    item = _register_collateral(walk, application)

    walk.goto(f"/applications/{application.pk}/")
    _advance(walk, "assessment")
    walk.submit(page.locator("form[data-form=debt_burden] button[type=submit]"))
    walk.message(walk.t("The debt burden is computed."))
    expect(page.locator("#debt-burden [data-passes]")).to_have_attribute("data-passes", "yes")
    for kind in Conclusion.Kind.values:
        article = page.locator(f"article.conclusion[data-kind='{kind}']")
        article.locator("summary").click()
        article.locator("input[name=recommendation][value=positive]").check()
        article.locator("textarea[name=text]").fill("Платёжеспособен; залог достаточен.")
        walk.submit(article.locator("button[type=submit]"))
        walk.message(walk.t("The conclusion is recorded."))
    walk.shot("package-complete")
    _advance(walk, "committee")
    walk.shot("application-at-committee")
    assert item.application_id == application.pk
    return application


def _expect_stage(walk: Walk, stage) -> None:
    stage_text = walk.page.locator("#stage [data-stage]")
    expect(stage_text).to_have_attribute("data-stage", stage.value)
    expect(stage_text).to_have_text(walk.label(stage))


def _advance(walk: Walk, stage: str) -> None:
    walk.submit(walk.page.locator(f"form[data-form=advance] button[name=to][value={stage}]"))
    walk.message(walk.t("The application has moved to the next stage."))
    _expect_stage(walk, Stage(stage))


def _register_collateral(walk: Walk, application: Application) -> CollateralItem:
    page = walk.page
    walk.submit(page.locator(f"a[href='/collateral/applications/{application.pk}/']"))
    walk.shot("collateral-of-application")
    walk.submit(
        page.locator(f"a.button[href='/collateral/applications/{application.pk}/items/new/']")
    )
    page.select_option("select[name=kind]", "vehicle")
    page.fill("input[name=description]", "Toyota Hilux")
    page.fill("input[name=vin]", "JTFST22P700123456")
    page.fill("input[name=make]", "Toyota")
    page.fill("input[name=make_country]", "JP")
    page.fill("input[name=year_of_manufacture]", "2024")
    page.check("input[name=free_of_third_party_rights]")
    page.check("input[name=free_of_budget_arrears]")
    expect(page.locator("input[name=pledgor][value=borrower]")).to_be_checked()
    walk.shot("collateral-item-form")
    walk.submit(page.locator("form[data-form=item] button[type=submit]"))
    walk.message(walk.t("The collateral item is registered."))
    item = CollateralItem.objects.get(application=application)

    title = page.locator("#title_document")
    title.locator("summary").click()
    title.locator("input[name=name]").fill("Свидетельство о регистрации ТС")
    title.locator("input[name=number]").fill("KZ 02 AB 123456")
    expect(title.locator("input[name=original_received]")).to_be_checked()
    walk.submit(title.locator("button[type=submit]"))

    appraisal = page.locator("#appraisal")
    appraisal.locator("summary").click()
    appraisal.locator("input[name=appraiser]").fill("ТОО «Бағалау»")
    appraisal.locator("input[name=licence]").fill("LIC-001")
    appraisal.locator("input[name=appraised_on]").fill((DISBURSED - timedelta(days=5)).isoformat())
    appraisal.locator("input[name=market_value]").fill(str(MARKET_VALUE))
    walk.submit(appraisal.locator("button[type=submit]"))
    latest = page.locator("#appraisal tr[data-latest] [data-pledge-value]")
    expect(latest).to_have_text(re.compile(r"\d"))
    assert digits(latest.inner_text()) == money(PLEDGE_VALUE)
    expect(page.locator("#eligibility[data-eligible]")).to_have_text(
        walk.t("No reason to refuse the item: it can be accepted.")
    )
    walk.shot("collateral-item-appraised")
    return item


# --- 2. the credit committee ------------------------------------------------------------------


def _committee_approves(walk: Walk, application: Application, users: dict) -> None:
    page = walk.page
    walk.login("member1")
    walk.shot("home-committee-member")
    walk.goto("/committee/")
    walk.submit(page.locator("a.button[href='/committee/meetings/new/']"))
    expect(page.locator("input[name=held_on]")).to_have_value(DISBURSED.isoformat())
    for name in ("officer", "member1", "member2", "member3"):
        page.check(f"input[name=members][value='{users[name].pk}']")
    walk.shot("meeting-form")
    walk.submit(page.locator("main form button[type=submit]"))
    meeting_url = page.url.removeprefix(walk.base_url)
    walk.submit(page.locator(f"tr[data-waiting='{application.pk}'] a"))
    expect(page.locator("input[name=amount]")).to_have_value(re.compile(r"^1000000"))
    walk.shot("agenda-item-form")
    walk.submit(page.locator("main form button[type=submit]"))
    walk.shot("meeting-agenda")
    item_link = page.locator("tr[data-item] a").first
    item_url = item_link.get_attribute("href")
    assert item_url

    _vote(walk, item_url)
    walk.shot("credit-package-voted")

    # the credit administrator sits in the committee but prepared the application
    walk.login("officer")
    walk.goto(item_url)
    expect(page.locator("[data-refusal]")).to_contain_text(
        walk.t("You prepared this application and may not vote on it.")
    )
    expect(page.locator("form.vote-form")).to_have_count(0)
    # the history names every event in words, the collateral's too (not "collateral.appraised")
    expect(page.locator("main")).not_to_contain_text(RAW_EVENT)
    walk.shot("credit-package-preparer-may-not-vote")

    walk.login("member2")
    walk.goto(item_url)
    expect(page.locator("[data-outlook]")).to_have_attribute("data-outlook", "no-quorum")
    _vote(walk, item_url, go=False)
    walk.login("member3")
    _vote(walk, item_url)
    expect(page.locator("[data-outlook]")).to_have_attribute("data-outlook", "approve")
    expect(page.locator("[data-tally]")).to_have_attribute("data-tally", "3/0/0")
    walk.shot("credit-package-quorum")
    walk.submit(page.locator("form.decide-form button[type=submit]"))
    approved = Decision.Outcome.APPROVED
    walk.message(
        walk.t(
            "Decision on application %(number)s: %(outcome)s.",
            number=application.number,
            outcome=walk.label(approved),
        )
    )
    expect(page.locator(f"[data-outcome='{approved.value}']")).to_have_text(walk.label(approved))
    walk.submit(page.locator(f"form[action='{meeting_url}close/'] button"))
    walk.message(walk.t("The meeting is closed."))
    walk.shot("meeting-closed")


def _vote(walk: Walk, item_url: str, *, go: bool = True) -> None:
    page = walk.page
    if go:
        walk.goto(item_url)
    page.check("form.vote-form input[name=choice][value=for]")
    page.fill("form.vote-form textarea[name=comment]", "За / Қолдаймын")
    walk.submit(page.locator("form.vote-form button[type=submit]"))
    walk.message(walk.t("Your vote is recorded."))


# --- 3. the contract, its PDF, the signature and the pledge -----------------------------------


def _contract_and_pledge(walk: Walk, application: Application) -> Loan:
    page = walk.page
    walk.login("officer")
    walk.goto(f"/applications/{application.pk}/")
    expect(page.locator("#decision")).to_have_attribute("data-decision", "approved")
    walk.submit(page.locator("form[data-form=answer] button[value=accept]"))
    walk.message(walk.t("The applicant's answer is recorded."))
    _expect_stage(walk, Stage.ACCEPTED)
    walk.shot("application-accepted")

    walk.goto("/loans/contracts/new/")
    walk.shot("contracts-to-draw")
    walk.submit(page.locator(f"tr[data-application='{application.pk}'] a.button"))
    assert digits(page.locator("[data-term=amount]").inner_text()) == money(AMOUNT)
    # where the loan is paid, from the borrower's file: verified now, used at disbursement
    page.fill("input[name=payout_account]", "KZ86 125K ZT50 0410 0100")
    expect(page.locator("input[name=payout_account_source][value=borrower_file]")).to_be_checked()
    walk.shot("contract-form")
    walk.submit(page.locator("form[data-form=contract] button[type=submit]"))
    loan = Loan.objects.get(application=application)
    walk.message(
        walk.t(
            "Contract %(number)s is drawn on the decided terms; have it signed.",
            number=loan.number,
        )
    )
    _expect_loan_status(walk, Loan.Status.DRAFT)
    walk.shot("loan-draft-contract")

    # the contract, in the page's language: a PDF
    _expect_pdf(walk, page.locator(f"a[data-contract='{walk.lang}']").get_attribute("href"))

    walk.submit(page.locator(f"[data-actions] a[href='/loans/{loan.pk}/sign/']"))
    walk.shot("contract-sign-form")
    walk.submit(page.locator("form[data-form=sign] button[type=submit]"))
    _expect_loan_status(walk, Loan.Status.SIGNED)

    item = CollateralItem.objects.get(application=application)
    walk.goto(f"/collateral/items/{item.pk}/")
    pledge = page.locator("#pledge")
    pledge.locator("summary").click()
    pledge.locator("input[name=signed_on]").fill(DISBURSED.isoformat())
    pledge.locator("select[name=encumbrance]").select_option("registered")
    pledge.locator("input[name=authority]").fill("НАО «Правительство для граждан»")
    pledge.locator("input[name=registered_on]").fill(DISBURSED.isoformat())
    pledge.locator("input[name=registration_number]").fill("ALM-2026-000123")
    walk.submit(pledge.locator("button[type=submit]"))
    expect(page.locator("#pledge [data-encumbrance]")).to_have_attribute(
        "data-encumbrance", "registered"
    )
    walk.shot("pledge-registered")
    loan.refresh_from_db()
    return loan


def _expect_pdf(walk: Walk, path: str) -> None:
    """The document a link opens, fetched with the user's session: a PDF."""
    response = walk.page.request.get(walk.url(path))
    assert response.ok, f"{response.status} {path}"
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def _expect_loan_status(walk: Walk, status) -> None:
    badge = walk.page.locator(".page-head [data-status]")
    expect(badge).to_have_attribute("data-status", status.value)
    expect(badge).to_have_text(walk.label(status))


# --- 4. the accountant disburses --------------------------------------------------------------


def _disburse(walk: Walk, loan: Loan) -> None:
    page = walk.page
    walk.login("accountant")
    walk.shot("home-accountant")
    walk.goto("/loans/disbursements/")
    walk.shot("disbursement-queue")
    walk.submit(page.locator(f"tr[data-loan='{loan.pk}'] a.button"))
    expect(page.locator("input[name=channel][value=account]")).to_be_checked()
    # paid to the contract's account: nothing to type
    expect(page.locator("[data-payout-account]")).to_have_text("KZ86 125K ZT50 0410 0100")
    walk.shot("disburse-form")
    walk.submit(page.locator("form[data-form=disburse] button[type=submit]"))
    _expect_loan_status(walk, Loan.Status.ACTIVE)
    loan.refresh_from_db()
    assert loan.disbursed_on == DISBURSED and loan.schedule_version == 1
    assert loan.payee_account == loan.payout_account == "KZ86125KZT5004100100"
    expect(page.locator("#schedule tr[data-line]")).to_have_count(TERM_MONTHS)
    assert digits(page.locator("[data-balance=principal]").inner_text()) == money(AMOUNT)
    walk.shot("loan-disbursed")


# --- 5. payments, one late, and the nightly close ---------------------------------------------


def _night(clock, day: date) -> None:
    """Morning of ``day``: the nightly close has run for every date through the day before."""
    clock.move_to(at(day, 8))
    result = close_day_task.apply().get()
    assert result["dates"][-1] == (day - timedelta(days=1)).isoformat(), result
    clock.move_to(at(day, 10))


def _line(loan: Loan, number: int):
    return current_installments(loan).get(number=number)


def _pay(walk: Walk, loan: Loan, amount: Decimal, reference: str) -> None:
    page = walk.page
    walk.goto(f"/loans/{loan.pk}/")
    walk.submit(page.locator(f"[data-actions] a[href='/loans/{loan.pk}/payments/new/']"))
    page.fill("input[name=amount]", str(amount))
    page.fill("input[name=reference]", reference)
    walk.submit(page.locator("form[data-form=payment] button[type=submit]"))
    walk.message(
        walk.t(
            "%(amount)s KZT is posted to contract %(number)s.",
            amount=_amount(walk, amount),
            number=loan.number,
        )
    )


def _amount(walk: Walk, value: Decimal) -> str:
    from django.utils import formats

    with translation.override(walk.lang):
        return formats.number_format(value, 2, force_grouping=True)


def _repayments_and_daily_close(walk: Walk, loan: Loan, clock) -> None:
    page = walk.page
    _night(clock, DISBURSED + timedelta(days=1))

    # the first instalment, on its due date
    _night(clock, FIRST_DUE)
    first = _line(loan, 1)
    assert first.due_date == FIRST_DUE
    walk.login("accountant")
    _pay(walk, loan, first.total, "ПКО-1")
    allocation = page.locator("[data-allocation]")
    expect(allocation.locator("[data-component=principal]")).to_be_visible()
    expect(allocation.locator("[data-component=penalty]")).to_have_count(0)
    walk.shot("payment-on-time")

    # the second instalment is not paid on its due date: the nights mark it late
    _night(clock, LATE_PAYMENT)
    second = _line(loan, 2)
    assert second.due_date == SECOND_DUE
    walk.login("accountant")
    walk.goto(f"/loans/{loan.pk}/")
    expect(page.locator("[data-snapshot]")).to_have_attribute(
        "data-snapshot", (LATE_PAYMENT - timedelta(days=1)).isoformat()
    )
    dpd = int(page.locator("[data-dpd]").inner_text())
    assert dpd == (LATE_PAYMENT - SECOND_DUE).days - 1, dpd
    expect(page.locator("#schedule tr[data-line='1'] .state")).to_have_text(walk.t("Paid"))
    expect(page.locator("#schedule tr[data-line='2'] .state")).to_have_text(walk.t("Overdue"))
    penalty = Decimal(digits(page.locator("[data-balance=penalty]").inner_text())) / 100
    assert penalty > 0
    walk.shot("loan-overdue")

    # paid five days late: the penalty to date and the instalment
    _pay(walk, loan, second.total + penalty, "ПКО-2")
    allocation = page.locator("[data-allocation]")
    expect(allocation.locator("[data-component=penalty]")).to_be_visible()
    walk.shot("payment-late")


# --- 6. a partial prepayment rebuilds the schedule --------------------------------------------


def _partial_prepayment(walk: Walk, loan: Loan, clock) -> None:
    page = walk.page
    _night(clock, PREPAYMENT)
    walk.login("accountant")
    walk.goto(f"/loans/{loan.pk}/")
    expect(page.locator("#schedule tr[data-line='2'] .state")).to_have_text(walk.t("Paid"))
    assert page.locator("[data-dpd]").inner_text() == "0"
    walk.submit(page.locator(f"a.button[href='/loans/{loan.pk}/prepayment/']"))
    page.fill("input[name=amount]", str(PREPAID))
    expect(page.locator("input[name=mode][value=shorten_term]")).to_be_checked()
    page.fill("input[name=application_number]", "З-2026-17")
    page.fill("input[name=reference]", "ПКО-3")
    walk.submit(page.locator("button[name=action][value=preview]"))
    preview = page.locator("[data-preview]")
    expect(preview).to_be_visible()
    old = Decimal(digits(preview.locator("[data-old-payment]").inner_text())) / 100
    new = Decimal(digits(preview.locator("[data-new-payment]").inner_text())) / 100
    assert 0 < new <= old
    walk.shot("prepayment-preview")
    walk.submit(page.locator("button[name=action][value=post]"))
    walk.message(
        walk.t(
            "The prepayment is posted; schedule version %(version)s runs from %(date)s.",
            version=2,
            date=f"{PREPAYMENT:%d.%m.%Y}",
        )
    )
    loan.refresh_from_db()
    assert loan.schedule_version == 2
    current = page.locator("#versions tr.current")
    expect(current).to_have_attribute("data-version", "2")
    lines = list(current_installments(loan))
    assert lines[-1].due_date < date(2027, 2, 10), "a shorter term"
    walk.shot("loan-after-prepayment")
    walk.submit(current.locator("a").first)
    expect(page.locator("[data-version]").first).to_have_attribute("data-version", "2")
    walk.shot("schedule-version-2")


# --- 7. paid off, closed, the collateral released ---------------------------------------------


def _payoff_and_release(walk: Walk, loan: Loan, clock) -> None:
    page = walk.page
    _night(clock, PAYOFF)
    walk.login("accountant")
    walk.goto(f"/loans/{loan.pk}/")
    walk.submit(page.locator("form[data-form=payoff] button[type=submit]"))
    quote = page.locator(f"[data-quote='{PAYOFF.isoformat()}']")
    expect(quote).to_be_visible()
    to_pay = Decimal(digits(quote.locator("[data-to-pay]").inner_text())) / 100
    assert 0 < to_pay < AMOUNT
    walk.shot("payoff-quote")
    _pay(walk, loan, to_pay, "ПКО-4")
    walk.shot("payment-payoff")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == PAYOFF
    walk.goto(f"/loans/{loan.pk}/")
    _expect_loan_status(walk, Loan.Status.CLOSED)
    expect(page.locator("[data-banner=closed]")).to_contain_text(
        walk.t("Closed on %(date)s.", date=f"{PAYOFF:%d.%m.%Y}")
    )
    walk.shot("loan-closed")

    walk.login("officer")
    walk.goto(f"/loans/{loan.pk}/")
    walk.submit(page.locator("#collateral a[data-release]"))
    walk.submit(page.locator("form[data-form=release] button[type=submit]"))
    walk.message(walk.t("The item is released; give the originals back against a receipt."))
    expect(page.locator("[data-released]")).to_be_visible()
    walk.shot("collateral-released")
    item = CollateralItem.objects.get(application=loan.application)
    assert item.released_at is not None
    walk.goto(f"/loans/{loan.pk}/")
    expect(page.locator("#collateral [data-release-documents]")).to_be_visible()
    _expect_pdf(walk, f"/collateral/documents/release-receipt/{item.pk}/{walk.lang}.pdf")
    walk.shot("loan-closed-collateral-released")


# --- 8. the risk manager ----------------------------------------------------------------------


def _risk_dashboard(walk: Walk, loan: Loan, clock) -> None:
    page = walk.page
    _night(clock, PAYOFF + timedelta(days=1))
    walk.login("risk")
    walk.shot("home-risk-manager")
    walk.goto("/risk/")
    walk.submit(page.locator("a[data-run-new]"))
    page.fill("input[name=on]", K1_DATE.isoformat())
    walk.shot("k1-run-form")
    walk.submit(page.locator("main form button[type=submit]"))
    expect(page.locator(".page-head [data-status]")).to_have_attribute("data-status", "done")
    walk.shot("k1-run")
    walk.goto("/risk/")
    verdict = page.locator(f"#verdict [data-verdict='{K1_DATE.isoformat()}']")
    expect(verdict).to_be_visible()
    snapshot = LoanSnapshot.objects.get(loan=loan, on=K1_DATE)
    assert snapshot.days_past_due > 0
    exposure = snapshot.principal + snapshot.interest + snapshot.accrued_interest
    assert digits(verdict.locator("[data-portfolio]").inner_text()) == money(exposure)
    expect(verdict.locator("[data-breached]")).to_have_text(walk.t("Within the limit"))
    walk.shot("risk-dashboard")
