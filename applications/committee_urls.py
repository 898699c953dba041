from __future__ import annotations

from django.urls import path

from applications import committee_views as views

app_name = "committee"

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path(
        "meetings/<int:pk>/agenda/<int:application_id>/",
        views.agenda_item_add,
        name="agenda-add",
    ),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path(
        "meetings/<int:pk>/minutes/<str:language>.pdf",
        views.minutes_pdf,
        name="minutes-pdf",
    ),
    path("agenda/", views.my_agenda, name="agenda"),
    path("items/<int:pk>/", views.item_package, name="item"),
    path("items/<int:pk>/vote/", views.item_vote, name="item-vote"),
    path("items/<int:pk>/conflict/", views.item_conflict, name="item-conflict"),
    path("items/<int:pk>/decide/", views.item_decide, name="item-decide"),
]
