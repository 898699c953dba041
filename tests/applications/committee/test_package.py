from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from applications import committee
from core.models import AuditEvent
from lending.calculator import calculate
from lending.domain.schedule import LoanTerms

pytestmark = pytest.mark.django_db


def money(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


@pytest.fixture
def changed_item(meeting, members, send_to_committee):
    """The committee votes on less than was asked, with a grace period."""
    application = send_to_committee(collateral="Автомобиль Toyota Camry 2021")
    return committee.agenda_add(
        meeting_id=meeting.pk,
        application_id=application.pk,
        amount=Decimal("800000"),
        term_months=10,
        grace_months=2,
        by=members[0],
    )


def test_the_credit_package_shows_what_the_committee_decides_on(browser, members, changed_item):
    item = changed_item
    browser.as_user(members[1])
    response = browser.get(reverse("committee:item", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()

    assert "ИП Сейтқали Нұрлан" in html and "900101300017" in html
    assert money(Decimal("1000000")) in html  # the request
    assert 'data-proposed="amount">' + money(Decimal("800000")) in html  # the terms voted on
    product = item.application.product
    for method in ("annuity", "differentiated"):
        calculation = calculate(
            terms=LoanTerms(
                amount=Decimal("800000"),
                annual_rate=Decimal("12"),
                term_months=10,
                method=method,
                day_count=product.day_count,
                disbursement_date=timezone.localdate(),
                grace_months=2,
                payment_multiple=product.payment_multiple,
            ),
            product=product,
        )
        assert f'data-method="{method}"' in html
        assert money(calculation.schedule.total_payments) in html
        assert f"{calculation.gesv} %" in html
    assert "data-coefficient" in html  # debt burden with its inputs
    assert money(Decimal("900000")) in html and money(Decimal("50000")) in html
    assert "Автомобиль Toyota Camry 2021" in html
    assert "Платёжеспособность подтверждена." in html
    assert 'data-action="application.stage_changed"' in html
    assert 'data-action="committee.agenda_added"' in html


def test_opening_the_credit_package_is_logged(browser, members, item):
    browser.as_user(members[2])
    browser.get(reverse("committee:item", args=[item.pk]))
    browser.get(reverse("committee:item", args=[item.pk]))
    opened = AuditEvent.objects.filter(
        action="credit_file.opened", actor=members[2], target_id=str(item.application_id)
    )
    assert opened.count() == 2


def test_the_package_shows_the_votes_so_far(browser, members, item):
    committee.vote_cast(item_id=item.pk, choice="against", comment="Weak cash flow.", by=members[0])
    html = browser.as_user(members[1]).get(reverse("committee:item", args=[item.pk])).content
    html = html.decode()
    assert 'data-tally="0/1/0"' in html
    assert "Weak cash flow." in html
    assert "Жақсыбеков" in html
