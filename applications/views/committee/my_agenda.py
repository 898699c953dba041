"""The committee member's agenda: the undecided items on the open meetings they sit on."""

from __future__ import annotations

from django.shortcuts import render

from applications import agenda, committee
from applications.models import Vote
from applications.queues import undecided_agenda
from applications.roles import COMMITTEE_MEMBERS
from applications.views.committee.common import TEMPLATES
from core.permissions import role_required


@role_required(*COMMITTEE_MEMBERS)
def my_agenda(request):
    user = request.user
    items = undecided_agenda(user)
    my_votes = dict(
        Vote.objects.filter(member=user, item__in=items).values_list("item_id", "choice")
    )
    rows = [
        {
            "item": item,
            "subject": agenda.subject_of(item),
            "my_vote": Vote.Choice(my_votes[item.pk]).label if item.pk in my_votes else None,
            "refusal": committee.voting_refusal(item, user),
            "counts": committee.tally(item),
        }
        for item in items
    ]
    return render(request, TEMPLATES + "agenda.html", {"rows": rows})
