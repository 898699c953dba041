"""Browser pages for applicants (DOMAIN.md §2): the search, the card, its edit and representatives.

The applicant's card is opened through a selector that writes the audit row (DOMAIN.md §14).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import services
from applications.branches import visible_applicants, visible_applications
from applications.forms import ApplicantForm, ApplicantSearchForm, RepresentativeForm
from applications.identity_forms import mark_identity_fixed
from applications.identity_views import identity_section
from applications.models import Applicant
from applications.roles import READ_ROLES, WRITE_ROLES
from applications.selectors import (
    applicant_identity_fixed,
    applicant_list,
    applicant_open,
    application_list,
)
from applications.views.common import bad_request
from core.errors import DomainError
from core.forms import add_domain_error
from core.permissions import role_required
from core.privacy import Category, can_see_personal_data, identifier_for, sees
from core.roles import has_role


def _open_applicant(request, pk: int) -> Applicant:
    try:
        return applicant_open(applicant_id=pk, user=request.user)
    except Applicant.DoesNotExist as exc:
        raise Http404 from exc


@role_required(*READ_ROLES)
def applicant_search(request):
    form = ApplicantSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    personal = can_see_personal_data(request.user)
    # who sees identifiers masked finds by the whole number only, not digit by digit
    applicants = visible_applicants(
        request.user,
        applicant_list(
            search=search,
            exact_identifiers=not personal,
            by_phone=sees(request.user, Category.CONTACTS),
        ),
    )
    page = Paginator(applicants, 50).get_page(request.GET.get("page"))
    rows = [
        {"applicant": applicant, "identifier": identifier_for(request.user, applicant.identifier)}
        for applicant in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/applicant_list.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "personal": personal,
            "can_write": has_role(request.user, WRITE_ROLES),
        },
    )


@role_required(*WRITE_ROLES)
def applicant_create(request):
    form = ApplicantForm(request.POST) if request.method == "POST" else ApplicantForm()
    if form.is_bound and form.is_valid():
        try:
            applicant = services.applicant_create(data=form.cleaned_data, by=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The applicant is registered."))
            return redirect("applications:applicant-detail", pk=applicant.pk)
    return render(
        request, "applications/applicant_form.html", {"form": form}, status=bad_request(form)
    )


@role_required(*READ_ROLES)
def applicant_detail(request, pk: int):
    applicant = _open_applicant(request, pk)
    return _applicant_page(request, applicant, RepresentativeForm())


def _applicant_page(request, applicant, representative_form, status: int = 200):
    representatives = [
        (r, identifier_for(request.user, r.iin)) for r in applicant.representatives.all()
    ]
    return render(
        request,
        "applications/applicant_detail.html",
        {
            "applicant": applicant,
            "identifier": identifier_for(request.user, applicant.identifier),
            "personal": can_see_personal_data(request.user),
            "applications": visible_applications(
                request.user, application_list().filter(applicant=applicant)
            ).order_by("-created_at"),
            "can_write": has_role(request.user, WRITE_ROLES),
            "representatives": representatives,
            "representative_form": representative_form,
            **identity_section(request, applicant),
        },
        status=status,
    )


@role_required(*WRITE_ROLES)
@require_POST
def representative_add(request, pk: int):
    applicant = get_object_or_404(applicant_list(), pk=pk)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        try:
            services.representative_add(
                applicant_id=applicant.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("applications:applicant-detail", pk=applicant.pk)
    return _applicant_page(request, applicant, form, status=400)


@role_required(*WRITE_ROLES)
def applicant_edit(request, pk: int):
    if request.method == "POST":
        # the page shows back what was posted; the file itself is opened by the GET
        applicant = get_object_or_404(applicant_list(), pk=pk)
        form = ApplicantForm(request.POST)
        if form.is_valid():
            try:
                services.applicant_update(
                    applicant_id=applicant.pk, data=form.cleaned_data, by=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The applicant's data are saved."))
                return redirect("applications:applicant-detail", pk=applicant.pk)
    else:
        applicant = _open_applicant(request, pk)
        form = ApplicantForm(initial=ApplicantForm.initial_from(applicant))
    if applicant_identity_fixed(applicant):  # the service refuses a change; say so up front
        mark_identity_fixed(form)
    return render(
        request,
        "applications/applicant_form.html",
        {"form": form, "applicant": applicant},
        status=bad_request(form),
    )
