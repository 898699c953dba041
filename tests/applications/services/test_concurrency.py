"""Two requests racing on one application: the row lock lets exactly one of them through."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from applications import services
from applications.demo import seed_required_documents
from applications.errors import TransitionNotAllowed
from applications.models import Stage
from core.models import AuditEvent
from core.roles import Role
from lending.models import Product
from shell.demo import seed_products


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_one_application_cannot_both_succeed(reference_data, make_user):
    seed_products()
    seed_required_documents()
    officer = make_user(Role.CREDIT_ADMINISTRATOR)
    applicant = services.applicant_create(
        data={"kind": "individual", "iin": "900101300017", "name": "A", "region": "astana"},
        by=officer,
    )
    application = services.application_create(
        applicant_id=applicant.pk,
        product_id=Product.objects.get(code="almaty-unsecured").pk,
        purpose="working_capital",
        amount=Decimal("1000000"),
        term_months=12,
        rate=Decimal("12"),
        method="annuity",
        by=officer,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move():
        try:
            barrier.wait()
            services.application_advance(
                application_id=application.pk, to=Stage.PREQUALIFICATION, by=officer
            )
            outcomes.append("moved")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    assert AuditEvent.objects.filter(action="application.stage_changed").count() == 1
