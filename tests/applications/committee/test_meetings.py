from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import AgendaItem, Meeting
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_an_administrator_schedules_a_meeting_with_the_members_present(browser, make_user, members):
    browser.as_user(make_user(Role.ADMINISTRATOR))
    form = browser.get(reverse("committee:meeting-create")).content.decode()
    for member in members:
        assert f'value="{member.pk}"' in form
    response = browser.post(
        reverse("committee:meeting-create"),
        {"held_on": "2026-03-12", "members": [m.pk for m in members]},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("committee:meeting", args=[meeting.pk])
    assert meeting.held_on.isoformat() == "2026-03-12"
    assert meeting.number == f"CC-2026-{meeting.pk:04d}"
    assert set(meeting.members.all()) == set(members)


def test_a_meeting_without_a_quorum_of_members_is_refused_beside_the_field(browser, members):
    browser.as_user(members[0])
    response = browser.post(
        reverse("committee:meeting-create"),
        {"held_on": "2026-03-12", "members": [members[0].pk, members[1].pk]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="members"' in html
    assert "At least 3 members are needed for a quorum." in html
    assert not Meeting.objects.exists()


def test_only_committee_members_can_be_chosen_as_present(browser, members, officer):
    browser.as_user(members[0])
    form = browser.get(reverse("committee:meeting-create")).content.decode()
    assert f'value="{officer.pk}"' not in form
    response = browser.post(
        reverse("committee:meeting-create"),
        {"held_on": "2026-03-12", "members": [members[0].pk, members[1].pk, officer.pk]},
    )
    assert response.status_code == 400
    assert 'data-error-for="members"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_agenda_form_starts_from_the_request_and_stores_other_terms(
    browser, members, meeting, application
):
    browser.as_user(members[0])
    detail = browser.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    add_url = reverse("committee:agenda-add", args=[meeting.pk, application.pk])
    assert add_url in detail  # waiting for the committee
    form = browser.get(add_url).content.decode()
    assert 'name="amount" value="1000000.00"' in form
    assert 'name="term_months" value="12"' in form
    assert 'name="rate" value="12"' in form
    assert '<option value="annuity" selected>' in form

    response = browser.post(
        add_url,
        {
            "amount": "800000",
            "term_months": "10",
            "rate": "12",
            "method": "differentiated",
            "grace_months": "2",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, application=application)
    assert (item.amount, item.term_months, item.rate, item.method, item.grace_months) == (
        Decimal("800000"),
        10,
        Decimal("12"),
        "differentiated",
        2,
    )
    detail = browser.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert add_url not in detail  # no longer waiting


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("term_months", "36", "The term must be from 1 to 24 months for this product."),
        ("rate", "15", "The rate must be from 12"),
        ("amount", "7000000", "The amount must be from 100000"),
    ],
)
def test_terms_outside_the_product_are_refused_beside_their_field(
    browser, members, meeting, application, field, value, message
):
    terms = {
        "amount": "1000000",
        "term_months": "12",
        "rate": "12",
        "method": "annuity",
        "grace_months": "0",
    }
    browser.as_user(members[0])
    response = browser.post(
        reverse("committee:agenda-add", args=[meeting.pk, application.pk]),
        {**terms, field: value},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-error-for="{field}"' in html
    assert message in html
    assert not AgendaItem.objects.exists()


def test_a_grace_period_as_long_as_the_term_is_refused(browser, members, meeting, application):
    browser.as_user(members[0])
    response = browser.post(
        reverse("committee:agenda-add", args=[meeting.pk, application.pk]),
        {
            "amount": "1000000",
            "term_months": "6",
            "rate": "12",
            "method": "annuity",
            "grace_months": "6",
        },
    )
    assert response.status_code == 400
    assert 'data-error-for="grace_months"' in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_my_agenda_lists_my_undecided_items_on_open_meetings(browser, members, make_user, item):
    page = browser.as_user(members[0]).get(reverse("committee:agenda")).content.decode()
    assert f'data-item="{item.pk}"' in page
    assert item.application.number in page
    assert "Waiting for your vote" in page

    outsider = make_user(Role.COMMITTEE_MEMBER)
    page = browser.as_user(outsider).get(reverse("committee:agenda")).content.decode()
    assert f'data-item="{item.pk}"' not in page


def test_the_home_page_shows_the_members_real_agenda(browser, members, item):
    page = browser.as_user(members[0]).get(reverse("home")).content.decode()
    assert reverse("committee:item", args=[item.pk]) in page
    assert item.application.number in page


def test_the_meeting_page_masks_the_identifier_for_the_risk_manager(browser, make_user, item):
    page = browser.as_user(make_user(Role.RISK_MANAGER)).get(
        reverse("committee:meeting", args=[item.meeting_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "9001******17" in html
    assert "900101300017" not in html
    assert reverse("committee:item", args=[item.pk]) not in html  # no credit package


def test_meetings_list_shows_progress(browser, members, item):
    page = browser.as_user(members[0]).get(reverse("committee:meetings")).content.decode()
    assert item.meeting.number in page
    assert f'data-meeting="{item.meeting_id}"' in page
    assert timezone.localdate().strftime("%d.%m.%Y") in page


def test_the_meeting_and_the_list_link_the_minutes_in_kazakh_and_russian(
    browser, make_user, meeting
):
    browser.as_user(make_user(Role.RISK_MANAGER))
    for page in (reverse("committee:meeting", args=[meeting.pk]), reverse("committee:meetings")):
        html = browser.get(page).content.decode()
        for language in ("kk", "ru"):
            assert f'href="/committee/meetings/{meeting.pk}/minutes/{language}.pdf"' in html
        assert "/minutes/en.pdf" not in html
