from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from applications import committee
from core.models import AuditEvent
from core.roles import Role

from .conftest import APPLICANT_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_meeting(members, item):
    committee.vote_cast(item_id=item.pk, choice="for", by=members[0])
    committee.vote_cast(item_id=item.pk, choice="for", by=members[1])
    committee.vote_cast(item_id=item.pk, choice="against", comment="Мало залога.", by=members[2])
    committee.item_decide(item_id=item.pk, by=members[0])
    committee.meeting_close(meeting_id=item.meeting_id, by=members[0])
    item.meeting.refresh_from_db()
    return item.meeting


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_minutes_in_kazakh_and_russian_carry_the_meeting_the_applicant_and_the_tally(
    browser, make_user, decided_meeting, language
):
    reader = make_user(Role.RISK_MANAGER)
    response = browser.as_user(reader).get(
        reverse("committee:minutes-pdf", args=[decided_meeting.pk, language])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert decided_meeting.number in text
    assert APPLICANT_NAME in text
    assert "2 / 1 / 0" in text
    assert "Мало залога." in text
    for name in ("Жақсыбеков", "Қасымова", "Петренко"):
        assert name in text
    with translation.override(language):  # the amount as the document's language writes it
        amount = formats.number_format(Decimal("1000000"), 2, force_grouping=True)
    assert " ".join(amount.split()) in text
    assert AuditEvent.objects.filter(
        action="committee.minutes_printed", actor=reader, data__language=language
    ).exists()


def test_minutes_are_only_in_kazakh_and_russian(browser, members, meeting):
    browser.as_user(members[0])
    response = browser.get(reverse("committee:minutes-pdf", args=[meeting.pk, "en"]))
    assert response.status_code == 404
