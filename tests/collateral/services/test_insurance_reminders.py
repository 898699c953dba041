from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from collateral import services as collateral
from collateral.tasks import insurance_reminders
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def insured_item(new_application, advance, officer):
    application = advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        "prequalification",
        "application",
    )
    item = collateral.collateral_item_register(
        application_id=application.pk,
        kind="housing",
        data={"description": "Flat", "cadastral_number": "20-311-004-123", "region": "astana"},
        by=officer,
    )
    collateral.insurance_add(
        item_id=item.pk,
        insurer="Kompetenz",
        policy_number="POL-1",
        starts_on=date(2025, 12, 20),
        ends_on=date(2026, 12, 20),
        sum_insured=Decimal("20000000"),
        mfo_is_beneficiary=True,
        by=officer,
    )
    return item


def test_monitoring_managers_are_reminded_once_of_insurance_ending_soon(insured_item, make_user):
    manager = make_user(Role.MONITORING_MANAGER)
    manager.email = "monitor@mfo.kz"
    manager.save()
    assert insurance_reminders.apply(args=["2026-11-30"]).get() == 1  # 20 days ahead
    assert len(mail.outbox) == 1
    assert "POL-1" in mail.outbox[0].body
    assert mail.outbox[0].to == ["monitor@mfo.kz"]
    assert (
        insurance_reminders.apply(args=["2026-11-30"]).get() == 0
    )  # the same night again: nothing
    assert len(mail.outbox) == 1


def test_no_reminder_for_policies_ending_later(insured_item):
    assert insurance_reminders.apply(args=["2026-11-01"]).get() == 0  # 49 days ahead
