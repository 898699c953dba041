"""Demo collateral: a pledged vehicle and a flat on the secured application being appraised."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from applications.models import Application, Stage
from collateral import services
from collateral.models import CollateralItem


@transaction.atomic
def seed_collateral(*, credit_admin) -> list[CollateralItem]:
    application = (
        Application.objects.filter(stage=Stage.COLLATERAL_APPRAISAL).order_by("pk").first()
    )
    if application is None or application.collateral.exists():
        return list(CollateralItem.objects.all())
    today = timezone.localdate()
    entity = application.applicant.kind == "legal_entity"
    vehicle = services.collateral_item_register(
        application_id=application.pk,
        kind="vehicle",
        data={
            "description": "Toyota Land Cruiser 200",
            "vin": "JTMHV05J604123456",
            "make": "Toyota",
            "make_country": "JP",
            "year_of_manufacture": today.year - 3,
            "free_of_third_party_rights": True,
            "free_of_budget_arrears": True,
        },
        pledgor={"body_decision": "Решение участника №4 от 01.11.2026"} if entity else None,
        by=credit_admin,
    )
    flat = services.collateral_item_register(
        application_id=application.pk,
        kind="housing",
        data={
            "description": "Квартира, 3 комнаты, 84 м²",
            "cadastral_number": "20-311-004-1234",
            "address": "г. Алматы, пр. Абая, 10, кв. 5",
            "region": "almaty_city",
            "state_registered": True,
            "free_of_third_party_rights": True,
            "free_of_budget_arrears": True,
        },
        pledgor={"body_decision": "Решение участника №4 от 01.11.2026"} if entity else None,
        by=credit_admin,
    )
    for item, document, value in (
        (vehicle, "Свидетельство о регистрации ТС", "18000000"),
        (flat, "Выписка о зарегистрированных правах", "9000000"),
    ):
        services.title_document_add(
            item_id=item.pk, name=document, number="№ 0012345", by=credit_admin
        )
        services.appraisal_record(
            item_id=item.pk,
            appraiser="ТОО «Бағалау Орталығы»",
            licence="ЛИЦ-17-001",
            appraised_on=today,
            market_value=Decimal(value),
            by=credit_admin,
        )
    services.insurance_add(
        item_id=vehicle.pk,
        insurer="АО «Страховая компания»",
        policy_number="КАСКО-2026-001",
        starts_on=today - timedelta(days=340),
        ends_on=today + timedelta(days=25),
        sum_insured=Decimal("18000000"),
        mfo_is_beneficiary=True,
        by=credit_admin,
    )
    # registered long enough ago that its first inspection is due: the monitoring queue has work
    CollateralItem.objects.filter(pk=vehicle.pk).update(
        registered_at=timezone.now() - timedelta(days=120)
    )
    return [vehicle, flat]
