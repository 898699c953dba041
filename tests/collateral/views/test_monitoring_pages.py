"""The monitoring manager's inspections, their queue and insurance payouts, in the browser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from collateral import services as collateral
from collateral.models import CollateralItem, Inspection, InsurancePayout
from core.roles import Role
from tests.collateral.views.conftest import appraise, error_beside, item_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitor(make_user, client):
    user = make_user(Role.MONITORING_MANAGER)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("new_value", "coverage", "shown", "flagged"),
    [
        ("7500000", "0.9000", "90.00 %", True),  # 4,500,000 over 5,000,000
        ("10000000", "1.2000", "120.00 %", False),  # unchanged
    ],
)
def test_an_inspection_shows_the_coverage_after_and_flags_a_drop_below_the_minimum(
    monitor, officer, vehicle, new_value, coverage, shown, flagged
):
    item = vehicle()
    appraise(item, officer, "10000000")  # pledge value 6,000,000: coverage 1.2
    url = item_url("inspection-create", item)
    html = monitor.get(url).content.decode()
    assert 'data-coverage="1.2000"' in html  # before the inspection

    response = monitor.post(
        url,
        {
            "inspected_on": timezone.localdate().isoformat(),
            "present": "yes",
            "condition": "poor",
            "notes": "Dent on the door",
            "new_market_value": new_value,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == item_url("item", item) + "#inspections"
    html = response.content.decode()
    inspection = Inspection.objects.get(item=item)
    assert str(inspection.coverage_after) == coverage
    assert inspection.below_required_coverage is flagged
    assert f"the collateral now covers {shown}" in html
    assert ("Below the required coverage" in html) is flagged
    row = re.search(rf'<tr data-inspection="{inspection.pk}"[^>]*>', html).group(0)
    assert ("data-below-coverage" in row) is flagged
    assert f'data-coverage-after="{coverage}"' in html


def test_an_inspection_in_the_future_is_refused_beside_its_date(monitor, vehicle):
    item = vehicle()
    response = monitor.post(
        item_url("inspection-create", item),
        {
            "inspected_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "present": "yes",
            "condition": "good",
        },
    )
    assert response.status_code == 400
    assert "future" in error_beside(response.content.decode(), "inspection", "inspected_on")
    assert not Inspection.objects.exists()


def _overdue_items(vehicle):
    """Vehicles are inspected every 3 months: one accepted 300 days ago, one 150, one today."""
    # registered in the reverse order of their age, so the id order is not the queue order
    recent = vehicle(description="Recent", vin="JTFST22P700654321")
    oldest = vehicle(description="Oldest")
    fresh = vehicle(description="Fresh", vin="JTFST22P700999999")
    now = timezone.now()
    CollateralItem.objects.filter(pk=oldest.pk).update(registered_at=now - timedelta(days=300))
    CollateralItem.objects.filter(pk=recent.pk).update(registered_at=now - timedelta(days=150))
    return recent, oldest, fresh


def test_the_queue_lists_overdue_items_most_overdue_first(monitor, vehicle):
    recent, oldest, _fresh = _overdue_items(vehicle)
    response = monitor.get(reverse("collateral:inspection-queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<tr data-item="(\d+)"', html) == [str(oldest.pk), str(recent.pk)]
    days = [int(d) for d in re.findall(r"data-days-overdue>(\d+)<", html)]
    assert days == sorted(days, reverse=True) and days[1] > 0
    assert item_url("inspection-create", oldest) in html


def test_an_inspection_takes_the_item_off_the_queue(monitor, vehicle):
    recent, oldest, _fresh = _overdue_items(vehicle)
    collateral.inspection_record(
        item_id=oldest.pk,
        inspected_on=timezone.localdate(),
        present=True,
        condition="good",
        by=CollateralItem.objects.get(pk=oldest.pk).registered_by,
    )
    html = monitor.get(reverse("collateral:inspection-queue")).content.decode()
    assert re.findall(r'<tr data-item="(\d+)"', html) == [str(recent.pk)]


def test_the_monitoring_managers_home_page_lists_the_inspections_due(monitor, vehicle, secured):
    recent, oldest, _fresh = _overdue_items(vehicle)
    html = monitor.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = re.search(r'data-role="monitoring_manager".*?</section>', html, re.S).group(0)
    links = re.findall(r'class="queue-row overdue" href="([^"]+)"', section)
    assert links == [item_url("inspection-create", oldest), item_url("inspection-create", recent)]
    assert secured.number in section
    assert "Vehicle: Oldest" in section and "days overdue" in section
    assert "No inspections are due." not in section


def test_the_home_page_says_when_no_inspection_is_due(monitor, vehicle):
    vehicle()  # accepted today: not due for 3 months
    html = monitor.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No inspections are due." in html


def test_an_insurance_payout_shows_the_excess_and_its_deadline(monitor, vehicle):
    item = vehicle()
    url = item_url("payout-create", item)
    assert monitor.get(url).status_code == 200
    response = monitor.post(
        url,
        {
            "received_on": "2026-03-19",  # Thursday before Nauryz
            "amount": "6000000",
            "secured_debt": "4500000.50",
        },
        follow=True,
    )
    html = response.content.decode()
    payout = InsurancePayout.objects.get(item=item)
    assert payout.pay_excess_by == date(2026, 3, 27)
    assert "pay 1,499,999.50 KZT over to the pledgor by 27.03.2026" in html
    assert "data-excess>1,499,999.50<" in html
    assert "data-pay-by>27.03.2026" in html


def test_a_payout_the_debt_absorbs_has_no_deadline(monitor, vehicle):
    item = vehicle()
    monitor.post(
        item_url("payout-create", item),
        {"received_on": "2026-03-19", "amount": "1000000", "secured_debt": "4500000"},
    )
    payout = InsurancePayout.objects.get(item=item)
    assert payout.excess == 0 and payout.pay_excess_by is None
