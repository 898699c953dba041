from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from core.audit import audit
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_audit_records_actor_action_target_and_data(make_user):
    actor, target = make_user(Role.ACCOUNTANT), make_user(Role.RISK_MANAGER)
    event = audit(target, "user.reviewed", by=actor, data={"amount": "10.00"})
    event.refresh_from_db()
    assert event.actor == actor
    assert event.action == "user.reviewed"
    assert event.target_type.model == "user"
    assert event.target_id == str(target.pk)
    assert event.data == {"amount": "10.00"}
    assert event.at is not None


def test_audit_rolls_back_with_the_change_it_records(make_user):
    actor = make_user(Role.ACCOUNTANT)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor, "loan.disbursed", by=actor)
        raise RuntimeError("the service failed after auditing")
    assert not AuditEvent.objects.filter(action="loan.disbursed").exists()


def test_login_logout_and_failed_login_are_audited(client, make_user):
    user = make_user(Role.ACCOUNTANT, username="acc", password="pw-Secret-123")
    client.post(reverse("login"), {"username": "acc", "password": "wrong"})
    client.post(reverse("login"), {"username": "acc", "password": "pw-Secret-123"})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_id"))
    assert actions == [
        ("auth.login_failed", None),
        ("auth.login", user.pk),
        ("auth.logout", user.pk),
    ]
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.data == {"username": "acc"}  # never the password


def test_password_change_is_audited(client_as):
    client = client_as(Role.ACCOUNTANT)
    client.post(
        reverse("password_change"),
        {
            "old_password": "pw-Secret-123",
            "new_password1": "N3w-pass-xyz",
            "new_password2": "N3w-pass-xyz",
        },
    )
    assert AuditEvent.objects.filter(action="auth.password_changed").count() == 1


def test_audit_page_filters_by_action(client_as, make_user):
    actor = make_user(Role.ACCOUNTANT, username="teller")
    audit(actor, "loan.disbursed", by=actor, data={"loan": 7})
    audit(actor, "application.created", by=actor)
    client = client_as(Role.RISK_MANAGER)
    html = client.get(reverse("audit-list"), {"action": "loan."}).content.decode()
    assert "loan.disbursed" in html
    assert "application.created" not in html
    html = client.get(reverse("audit-list"), {"actor": "teller"}).content.decode()
    assert "application.created" in html


def test_audit_trail_cannot_be_edited_in_the_admin(client, make_user):
    actor = make_user(Role.ACCOUNTANT)
    event = audit(actor, "loan.disbursed", by=actor)
    admin_user = make_user(Role.ADMINISTRATOR)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    response = client.post(
        reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
