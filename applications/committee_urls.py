from __future__ import annotations

from django.urls import path

from applications.views.committee import meetings, my_agenda, package, voting

app_name = "committee"

urlpatterns = [
    path("", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path(
        "meetings/<int:pk>/agenda/<int:application_id>/",
        meetings.agenda_item_add,
        name="agenda-add",
    ),
    path("meetings/<int:pk>/close/", meetings.meeting_close, name="meeting-close"),
    path(
        "meetings/<int:pk>/minutes/<str:language>.pdf",
        meetings.minutes_pdf,
        name="minutes-pdf",
    ),
    path("agenda/", my_agenda.my_agenda, name="agenda"),
    path("items/<int:pk>/", package.item_package, name="item"),
    path("items/<int:pk>/vote/", voting.item_vote, name="item-vote"),
    path("items/<int:pk>/conflict/", voting.item_conflict, name="item-conflict"),
    path("items/<int:pk>/decide/", voting.item_decide, name="item-decide"),
]
