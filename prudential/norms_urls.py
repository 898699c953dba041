from __future__ import annotations

from django.urls import path

from prudential.views import norms as views

app_name = "risk-norms"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("figures/", views.financials, name="financials"),
    path("figures/import/", views.financials_import, name="financials-import"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_edit, name="group-create"),
    path("groups/<int:pk>/", views.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group-delete"),
]
